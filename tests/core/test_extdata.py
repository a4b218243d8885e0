import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from mixer.extdata import ExtData
from mixer.field import R

ALICE = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
RELAYER = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


def test_hash_is_keccak_of_abi_encoding_mod_r() -> None:
    ext = ExtData(ALICE, RELAYER, fee=10**15, refund=7)
    manual = keccak(
        bytes(12)
        + bytes.fromhex(ALICE[2:])
        + bytes(12)
        + bytes.fromhex(RELAYER[2:])
        + (10**15).to_bytes(32, "big")
        + (7).to_bytes(32, "big")
    )
    assert ext.abi_encoded() == encode(
        ["address", "address", "uint256", "uint256"], [ALICE, RELAYER, 10**15, 7]
    )
    assert ext.hash() == int.from_bytes(manual, "big") % R


def test_every_field_changes_the_hash() -> None:
    base = ExtData(ALICE, RELAYER, fee=1, refund=2)
    variants = [
        ExtData(RELAYER, RELAYER, 1, 2),
        ExtData(ALICE, ALICE, 1, 2),
        ExtData(ALICE, RELAYER, 2, 2),
        ExtData(ALICE, RELAYER, 1, 3),
    ]
    assert len({base.hash(), *(v.hash() for v in variants)}) == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"recipient": "0x1234"},
        {"recipient": ALICE, "relayer": "not an address"},
        {"recipient": ALICE, "fee": -1},
        {"recipient": ALICE, "refund": 2**256},
    ],
)
def test_malformed_ext_data_is_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ExtData(**kwargs)  # type: ignore[arg-type]
