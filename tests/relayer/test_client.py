"""The wallet's client of a relayer: a relayer's answer is outside the wallet's trust, and
an amount in it that is not a uint256 is one clear error, not a crash further on."""

from __future__ import annotations

import json

import pytest

from mixer.relayer.client import RelayerClient, RelayerError
from tests.support.fake_node import answering

POOL = "0x" + "ab" * 20


def status_answer(fee: object) -> bytes:
    return json.dumps(
        {
            "chainId": 1337,
            "relayer": "0x" + "cd" * 20,
            "pools": [{"pool": POOL, "currency": "eth", "denomination": "100000000000000000", "fee": fee}],
            "batchSize": 4,
            "maxWaitSeconds": 5,
            "queued": 0,
        }
    ).encode()


def test_a_relayers_fee_is_read_in_base_units() -> None:
    with answering(status_answer("12345")) as url:
        terms = RelayerClient(url).status().terms(POOL)
    assert terms is not None and terms.fee == 12345


@pytest.mark.parametrize("fee", [str(2**256), "9" * 79, "-1", "1e18", "0x10", 5, None])
def test_should_refuse_a_relayers_fee_that_is_not_a_uint256(fee: object) -> None:
    with answering(status_answer(fee)) as url, pytest.raises(RelayerError, match="no valid 'fee'"):
        RelayerClient(url).status()
