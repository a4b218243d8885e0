"""extDataHash: what binds a withdrawal proof to who is paid and how much (DESIGN.md §4).

extDataHash = uint256(keccak256(abi.encode(recipient, relayer, fee, refund))) mod r,
computed exactly as the pool contract computes it, so nobody who sees a proof can
redirect the funds or change the relayer's fee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eth_abi.abi import encode
from eth_hash.auto import keccak
from eth_utils.address import is_address, to_checksum_address

from mixer.field import R
from mixer.params import ZERO_ADDRESS

UINT256_MAX = 2**256 - 1
_DECIMAL = re.compile(r"[0-9]{1,78}")


def base_units(value: object) -> int | None:
    """The uint256 written as a decimal string (how the relayer's HTTP API carries fees and
    refunds, in wei or token base units), or None if `value` is not one."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value) and int(value) <= UINT256_MAX:
        return int(value)
    return None


@dataclass(frozen=True)
class ExtData:
    """The transaction-level parameters a withdrawal proof commits to."""

    recipient: str
    relayer: str = ZERO_ADDRESS
    fee: int = 0
    refund: int = 0

    def __post_init__(self) -> None:
        for name in ("recipient", "relayer"):
            value = getattr(self, name)
            if not isinstance(value, str) or not is_address(value):
                raise ValueError(f"{name} is not an Ethereum address: {value!r}")
            object.__setattr__(self, name, to_checksum_address(value))
        for name in ("fee", "refund"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= UINT256_MAX:
                raise ValueError(f"{name} must be an integer in [0, 2^256)")

    def abi_encoded(self) -> bytes:
        return encode(
            ["address", "address", "uint256", "uint256"],
            [self.recipient, self.relayer, self.fee, self.refund],
        )

    def hash(self) -> int:
        """The circuit's public input `extDataHash` (a canonical field element)."""
        return int.from_bytes(keccak(self.abi_encoded()), "big") % R
