"""The two ways to reach a chain: an embedded py-evm chain, or any JSON-RPC node."""

from __future__ import annotations

from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, HTTPProvider, Web3


def embedded_web3(backend: PyEVMBackend | None = None) -> Web3:
    """web3 on an in-process py-evm chain (funded, unlocked test accounts; auto-mining)."""
    tester = EthereumTester(backend if backend is not None else PyEVMBackend())
    return Web3(EthereumTesterProvider(tester))


def rpc_web3(url: str, timeout: float = 60) -> Web3:
    """web3 on a JSON-RPC node at `url` (http or https)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) JSON-RPC URL: {url!r}")
    return Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
