"""Fixtures of the contract tests: the chains they run on and one deployed set of pools per chain,
shared by every file of this folder (as the single contract test file shared it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from mixer.chain.embedded import close, open_embedded
from tests.support.chain_nodes import anvil
from tests.support.contract_env import Env, deploy_env


@pytest.fixture(scope="package", params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    """The wallet's own persistent embedded chain (py-evm), then a real node."""
    if request.param == "embedded":
        w3 = open_embedded(tmp_path_factory.mktemp("chain"))
        yield w3
        close(w3)
    else:
        with anvil() as w3:
            yield w3


@pytest.fixture(scope="package")
def env(chain: Web3) -> Env:
    return deploy_env(chain)
