"""The chains contract tests run on: py-evm in-process, and a real anvil node; and a node that
lies about its logs."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from web3 import HTTPProvider, Web3
from web3.middleware.base import Web3Middleware

from tests.support.tools import node_tool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def anvil() -> Iterator[Web3]:
    """A fresh anvil on a free local port, stopped (by its own pid) on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [str(node_tool("anvil")), "--host", "127.0.0.1", "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        w3 = Web3(HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 60}))
        deadline = time.monotonic() + 30
        while True:
            try:
                w3.eth.block_number  # noqa: B018
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise AssertionError(f"anvil did not start: {err}") from None
                time.sleep(0.1)
        yield w3
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def lying_node(chain: Web3, bend: Callable[[list[Any]], list[Any]]) -> Iterator[None]:
    """`chain`'s node, answering every non-empty `eth_getLogs` with `bend(logs)` instead."""

    class Liar(Web3Middleware):
        def response_processor(self, method: Any, response: Any) -> Any:
            if method == "eth_getLogs" and response.get("result"):
                response = {**response, "result": bend(list(response["result"]))}
            return response

    chain.middleware_onion.add(Liar, "liar")
    try:
        yield
    finally:
        chain.middleware_onion.remove("liar")
