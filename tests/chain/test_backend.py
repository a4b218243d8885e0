"""The persistent embedded chain and `connect`: state survives processes, a crash loses at most
the block being built, one process at a time, and a clear error for an unreachable node."""

from __future__ import annotations

import http.server
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from mixer.chain.artifacts import load
from mixer.chain.backend import connect
from mixer.chain.client import ChainError, Sender
from mixer.chain.embedded import ChainInUseError, close, dev_private_keys, open_embedded
from mixer.chain.pool import deploy_contract
from tests.support.chain_nodes import free_port

CHILD = """
import os, sys
from pathlib import Path
from mixer.chain.artifacts import load
from mixer.chain.backend import connect
from mixer.chain.embedded import _SqliteStore
w3 = connect(None, Path(sys.argv[1]))
a = w3.eth.accounts
w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": a[0], "to": a[2], "value": 7}))
if sys.argv[2] == "crash":
    # power cut after the block is built but before it reaches the disk
    _SqliteStore.commit = lambda self, meta=None: os._exit(9)
    w3.eth.send_transaction({"from": a[0], "to": a[2], "value": 1000})
"""


def run_child(home: Path, mode: str) -> int:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(home), mode], capture_output=True, text=True)
    if mode == "ok":
        assert proc.returncode == 0, proc.stderr
    return proc.returncode


@pytest.fixture
def chain_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "chain"


def test_state_survives_close_and_reopen(chain_dir: Path) -> None:
    w3 = open_embedded(chain_dir)
    a = w3.eth.accounts
    sender = Sender(w3, a[0])
    token_address = deploy_contract(sender, "TestToken").address
    token = w3.eth.contract(address=token_address, abi=load("TestToken").abi)  # type: ignore[call-overload]
    sender.send(token.functions.mint(a[3], 42))
    height, code = w3.eth.block_number, w3.eth.get_code(token_address)  # type: ignore[arg-type]
    close(w3)

    again = open_embedded(chain_dir)
    assert again.eth.block_number == height
    assert again.eth.get_code(token_address) == code  # type: ignore[arg-type]
    token = again.eth.contract(address=token_address, abi=load("TestToken").abi)  # type: ignore[call-overload]
    assert token.functions.balanceOf(a[3]).call() == 42
    # the dev account continues with its next nonce
    Sender(again, a[0]).send(token.functions.mint(a[3], 1))
    assert token.functions.balanceOf(a[3]).call() == 43
    assert again.eth.get_transaction_count(a[0]) == 3
    close(again)


def test_state_written_by_another_process_is_seen(chain_dir: Path) -> None:
    run_child(chain_dir.parent, "ok")
    w3 = connect(None, chain_dir.parent)
    a = w3.eth.accounts
    assert w3.eth.get_balance(a[2]) == 10**24 + 7
    assert w3.eth.get_transaction_count(a[0]) == 1
    close(w3)


def test_crash_before_the_block_reaches_disk_loses_only_that_block(chain_dir: Path) -> None:
    assert run_child(chain_dir.parent, "crash") == 9
    w3 = open_embedded(chain_dir)
    a = w3.eth.accounts
    assert w3.eth.block_number == 1
    assert w3.eth.get_balance(a[2]) == 10**24 + 7
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": a[0], "to": a[2], "value": 1}))
    assert w3.eth.get_balance(a[2]) == 10**24 + 8
    close(w3)


def test_second_open_is_refused_while_the_chain_is_held(chain_dir: Path) -> None:
    w3 = open_embedded(chain_dir)
    with pytest.raises(ChainInUseError, match="already open"):
        open_embedded(chain_dir)
    close(w3)
    close(open_embedded(chain_dir))


def test_unreadable_database_is_a_clear_error_and_releases_the_lock(chain_dir: Path) -> None:
    chain_dir.mkdir()
    (chain_dir / "chain.sqlite3").write_bytes(b"not a database, " * 100)
    with pytest.raises(ChainError, match=r"database .* is unreadable"):
        open_embedded(chain_dir)
    (chain_dir / "chain.sqlite3").unlink()
    close(open_embedded(chain_dir))


def test_dev_accounts_are_the_same_fixed_funded_keys(chain_dir: Path) -> None:
    w3 = open_embedded(chain_dir)
    keys = dev_private_keys()
    assert [Account.from_key(k).address for k in keys] == w3.eth.accounts
    assert keys[0] == (1).to_bytes(32, "big")
    # a raw transaction signed with the dev key is accepted (the path a JSON-RPC wallet takes)
    receipt = Sender(w3, w3.eth.accounts[0], keys[0]).send(
        w3.eth.contract(abi=[], bytecode="0x00").constructor()
    )
    assert receipt["status"] == 1
    close(w3)


def test_connect_reports_an_unreachable_node(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ChainError, match=f"cannot reach the JSON-RPC node at {url}"):
        connect(url, tmp_path)
    with pytest.raises(ChainError, match="not an http"):
        connect("ftp://example.org", tmp_path)


def test_connect_reports_a_server_that_is_not_an_ethereum_node(tmp_path: Path) -> None:
    class NotANode(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args: object) -> None:
            pass

    with socketserver.TCPServer(("127.0.0.1", 0), NotANode) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with pytest.raises(ChainError, match="does not answer as an Ethereum JSON-RPC node"):
                connect(url, tmp_path)
        finally:
            server.shutdown()


def test_connect_without_url_uses_the_home_folder(tmp_path: Path) -> None:
    w3 = connect(None, tmp_path)
    assert isinstance(w3, Web3) and (tmp_path / "chain" / "chain.sqlite3").is_file()
    close(w3)
