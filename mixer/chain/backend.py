"""The two ways to reach a chain: the embedded py-evm chain (`mixer.chain.embedded`, loaded
only when it is used) or any JSON-RPC node (here, with answers parsed under bounds).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

from requests.exceptions import ReadTimeout, RequestException, Timeout
from urllib3.exceptions import NameResolutionError, NewConnectionError, ReadTimeoutError
from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3._utils.http_session_manager import HTTPSessionManager
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint, RPCResponse

from mixer import jsonsafe
from mixer.chain.answers import check_answer
from mixer.chain.client import ChainError


class _CappedSessions(HTTPSessionManager):
    """web3's HTTP sessions, reading at most `jsonsafe.MAX_BYTES` of an answer within the
    timeout in all: a hostile node's endless or dripping answer is one error, not all of
    this machine's memory or time (web3 itself reads a whole body before anyone can look at
    its size)."""

    def make_post_request(self, endpoint_uri: Any, data: bytes | dict[str, Any], **kwargs: Any) -> bytes:
        timeout = float(kwargs.get("timeout", 60))
        deadline = time.monotonic() + timeout
        body = bytearray()
        kwargs["stream"] = True
        with self.get_response_from_post_request(endpoint_uri, data=data, **kwargs) as response:
            response.raise_for_status()
            for chunk in response.iter_content(1 << 20):
                body += chunk
                if len(body) > jsonsafe.MAX_BYTES:
                    raise jsonsafe.UntrustedJSONError(
                        f"the node's answer is larger than {jsonsafe.MAX_BYTES} bytes"
                    )
                if time.monotonic() > deadline:
                    raise ReadTimeout(f"the node's answer took more than {timeout:g} s")
        return bytes(body)


class _BoundedHTTPProvider(HTTPProvider):
    """An HTTP provider that parses the node's answers with bounds and checks their shape: a
    hostile node's deeply nested, oversized or ill-typed answer is one error sentence, not
    a crash.

    The node's chain id is asked once: web3's validation asks for it before every call and
    transaction (half of a `status`'s requests). It cannot change under a running node, and
    a node swapped for another chain meanwhile still refuses our transactions, which carry
    the chain id they were signed for (EIP-155)."""

    _chain_id: RPCResponse | None = None

    @staticmethod
    def decode_rpc_response(raw_response: bytes) -> Any:
        return jsonsafe.loads(raw_response, what="the node's answer")

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if method == "eth_chainId" and self._chain_id is not None:
            return {**self._chain_id}
        response = super().make_request(method, params)
        check_answer(str(method), response)
        if method == "eth_chainId" and "result" in response:
            self._chain_id = response
        return response


def rpc_web3(url: str, timeout: float = 60) -> Web3:
    """web3 on a JSON-RPC node at `url` (http or https); nothing is contacted yet."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ChainError(f"not an http(s) JSON-RPC URL: {url!r}")
    provider = _BoundedHTTPProvider(url, request_kwargs={"timeout": timeout})
    provider._request_session_manager = _CappedSessions()  # web3 has no option for this
    return Web3(provider)


def close(w3: Web3) -> None:
    """Release an embedded chain opened by `connect` (no-op for a JSON-RPC node)."""
    if isinstance(w3.provider, EthereumTesterProvider):
        from mixer.chain import embedded

        embedded.close(w3)


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: requests hides the socket error under urllib3's
    MaxRetryError.reason and NewConnectionError's __cause__."""
    found: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseException) and all(item is not seen for seen in found):
            found.append(item)
            todo += [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
    return found


def unreachable_reason(exc: BaseException) -> str:
    """Why a node could not be reached, in plain words (urllib3's own text is a paragraph
    that names the cause only at its end)."""
    causes = _causes(exc)
    for kinds, reason in (
        ((ConnectionRefusedError,), "connection refused (is the node running, on that port?)"),
        ((socket.gaierror, NameResolutionError), "host not found"),
        ((ConnectionResetError,), "the connection was reset"),
        ((TimeoutError, Timeout, ReadTimeoutError), "timed out"),
    ):
        if any(isinstance(c, kinds) for c in causes):
            return reason
    if any(isinstance(c, NewConnectionError) for c in causes):
        return "no connection could be made"
    return _describe(exc)


def connect(rpc_url: str | None, home: Path) -> Web3:
    """The wallet's chain: the embedded chain under `home/chain`, or the node at `rpc_url`.

    A JSON-RPC node is contacted once here, so an unreachable or non-Ethereum URL fails now
    with one clear ChainError rather than deep inside a later call.
    """
    if rpc_url is None:
        from mixer.chain import embedded  # py-evm: loaded only for the embedded chain

        return embedded.open_embedded(Path(home) / "chain")
    w3 = rpc_web3(rpc_url, timeout=10)
    try:
        w3.eth.chain_id  # noqa: B018 - the reachability probe
    except (RequestException, OSError) as exc:
        raise ChainError(f"cannot reach the JSON-RPC node at {rpc_url}: {unreachable_reason(exc)}") from None
    except (ValueError, Web3Exception, jsonsafe.UntrustedJSONError) as exc:
        raise ChainError(
            f"{rpc_url} does not answer as an Ethereum JSON-RPC node: {_describe(exc)}"
        ) from None
    return w3
