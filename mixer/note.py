"""Notes: the secret a depositor keeps, and the checksummed one-line string that carries it.

A note is `(nullifier, secret)`, 31 random bytes each, plus the pool it belongs to. Its
string form (see docs/formats.md) is

    mixer1-<hash>-<currency>-<amount>-<chainId>-0x<pool address>-0x<preimage>-<checksum>

The checksum makes every single-character change to the string (substitution, case flip,
insertion, deletion, adjacent swap) fail to parse, deterministically rather than with high
probability: a mistyped note must never turn into a different, wrong commitment.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from eth_utils.address import is_checksum_address, to_checksum_address

from mixer.errors import MixerError
from mixer.hashes import get_hasher
from mixer.params import HASH_FAMILIES

PREFIX: Final = "mixer1"
"""The first field of every note string: the product and the note format version."""

HASHES: Final = HASH_FAMILIES
SECRET_BYTES: Final = 31
PREIMAGE_BYTES: Final = 2 * SECRET_BYTES
MAX_NOTE_LENGTH: Final = 300
"""No valid note is longer; checked first so that a pasted essay costs nothing to reject."""

# The checksum: body length mod 256 (2 hex digits), then the body's bytes read as a
# polynomial evaluated at CHECKSUM_POINT over the prime field of CHECKSUM_PRIME (14 hex).
CHECKSUM_PRIME: Final = 2**56 - 5
CHECKSUM_POINT: Final = 0x9E3779B97F4A7C  # fractional bits of the golden ratio; any x != 0, 1 works
CHECKSUM_HEX_DIGITS: Final = 16

_CURRENCY = re.compile(r"[a-z][a-z0-9]{0,15}")
# Canonical decimals only ("0.1", "10", never "0.10", "010", ".1"), so that one amount has
# exactly one spelling and the checksum covers the pool's identity, not a way to write it.
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,29})(\.[0-9]{0,17}[1-9])?")
_CHAIN_ID = re.compile(r"[1-9][0-9]{0,19}")
_ADDRESS_HEX = re.compile(r"0x[0-9a-f]{40}")
_PREIMAGE_HEX = re.compile(rf"0x[0-9a-f]{{{2 * PREIMAGE_BYTES}}}")
MAX_CHAIN_ID: Final = 2**64 - 1


class NoteError(MixerError, ValueError):
    """A note or note string is malformed, mistyped or inconsistent; the message says which."""


def checksum(body: str) -> str:
    """The 16 lowercase hex digits that end a note string whose other characters are `body`
    (everything before the last '-').

    Two hex digits of `len(body) mod 256` catch every insertion or deletion. Fourteen hex
    digits of `sum(body[i] * x^(n-1-i)) mod p` catch every substitution (the difference is
    `d * x^k` with `0 < |d| < 256 < p` and `x != 0`, which is never 0 mod the prime p) and
    every adjacent swap (the difference gains a factor `x - 1 != 0`).
    """
    h = 0
    for ch in body:
        h = (h * CHECKSUM_POINT + ord(ch)) % CHECKSUM_PRIME
    return f"{len(body) % 256:02x}{h:014x}"


def _check_ascii(text: str) -> None:
    for i, ch in enumerate(text):
        if not " " < ch <= "~":
            raise NoteError(f"note contains an unexpected character {ch!r} at position {i}")


def _is_address(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        return False
    # Mixed case carries an EIP-55 checksum: a wrong one means a mistyped address.
    digits = value[2:]
    return digits.islower() or digits.isupper() or digits.isdigit() or is_checksum_address(value)


def amount_text(value: int, decimals: int) -> str:
    """`value` smallest units as a pool's canonical amount in whole units (10**17, 18 -> "0.1")."""
    return format(Decimal(value).scaleb(-decimals).normalize(), "f")


def _denomination(amount: str, decimals: int) -> int:
    whole, _, frac = amount.partition(".")
    if len(frac) > decimals:
        raise NoteError(f"amount {amount} has more than {decimals} decimal places")
    return int(whole + frac.ljust(decimals, "0"))


@dataclass(frozen=True)
class Pool:
    """Which pool a note belongs to: everything needed to find its contract and check its proof.

    `amount` is the denomination as a canonical decimal string in whole currency units
    ("0.1" for 0.1 ETH). `address` is normalised to its EIP-55 checksummed form.
    """

    hash: str
    currency: str
    amount: str
    chain_id: int
    address: str

    def __post_init__(self) -> None:
        if self.hash not in HASHES:
            raise NoteError(f"unknown hash function {self.hash!r} (expected one of: {', '.join(HASHES)})")
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise NoteError(
                f"bad currency {self.currency!r}: expected 1-16 lowercase letters or digits, "
                "starting with a letter"
            )
        if not isinstance(self.amount, str) or not _AMOUNT.fullmatch(self.amount) or self.amount == "0":
            raise NoteError(
                f"bad amount {self.amount!r}: expected a positive decimal like 0.1 or 100, "
                "without leading or trailing zeros"
            )
        if (
            isinstance(self.chain_id, bool)
            or not isinstance(self.chain_id, int)
            or not 1 <= self.chain_id <= MAX_CHAIN_ID
        ):
            raise NoteError(f"bad chain id {self.chain_id!r}: expected an integer in [1, 2^64)")
        if not _is_address(self.address):
            raise NoteError(
                f"bad pool address {self.address!r}: expected 0x and 40 hex digits, "
                "all lowercase or correctly EIP-55 checksummed"
            )
        object.__setattr__(self, "address", to_checksum_address(self.address))

    def denomination(self, decimals: int = 18) -> int:
        """The amount in the currency's smallest unit (wei for ETH, `decimals` = 18)."""
        return _denomination(self.amount, decimals)

    def _fields(self) -> list[str]:
        return [self.hash, self.currency, self.amount, str(self.chain_id), self.address.lower()]


def _parse_pool(hash_name: str, currency: str, amount: str, chain_id: str, address: str) -> Pool:
    if not _CHAIN_ID.fullmatch(chain_id):
        raise NoteError(f"bad chain id {chain_id!r}: expected a decimal integer without leading zeros")
    if not _ADDRESS_HEX.fullmatch(address):
        raise NoteError(f"bad pool address {address!r}: expected 0x and 40 lowercase hex digits")
    return Pool(hash_name, currency, amount, int(chain_id), address)


@dataclass(frozen=True)
class Note:
    """A deposit's secret: `nullifier` and `secret` (31 bytes each) for one `pool`.

    The repr never shows the secret values, and there is deliberately no `__str__` that
    does: call `to_string()` to get the note string that controls the funds.
    """

    pool: Pool
    nullifier: int = field(repr=False)
    secret: int = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("nullifier", "secret"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value < 2 ** (8 * SECRET_BYTES)
            ):
                raise NoteError(f"{name} must be an integer of at most {SECRET_BYTES} bytes")

    @classmethod
    def generate(cls, pool: Pool) -> Note:
        """A fresh note for `pool`, its two values drawn from the OS CSPRNG."""
        return cls(
            pool,
            int.from_bytes(secrets.token_bytes(SECRET_BYTES), "little"),
            int.from_bytes(secrets.token_bytes(SECRET_BYTES), "little"),
        )

    @property
    def preimage(self) -> bytes:
        """The 62 bytes `nullifier || secret`, each 31 bytes little-endian (as Tornado Cash)."""
        return self.nullifier.to_bytes(SECRET_BYTES, "little") + self.secret.to_bytes(SECRET_BYTES, "little")

    @property
    def commitment(self) -> int:
        """The leaf this note's deposit puts in the tree: H(nullifier, secret) in its pool's hash."""
        return get_hasher(self.pool.hash).commitment(self.nullifier, self.secret)

    @property
    def nullifier_hash(self) -> int:
        """H(nullifier): revealed by the withdrawal, and marked spent by the pool."""
        return get_hasher(self.pool.hash).nullifier_hash(self.nullifier)

    @classmethod
    def from_preimage(cls, pool: Pool, preimage: bytes) -> Note:
        if len(preimage) != PREIMAGE_BYTES:
            raise NoteError(f"preimage must be {PREIMAGE_BYTES} bytes, got {len(preimage)}")
        return cls(
            pool,
            int.from_bytes(preimage[:SECRET_BYTES], "little"),
            int.from_bytes(preimage[SECRET_BYTES:], "little"),
        )

    def to_string(self) -> str:
        """The note string: whoever holds it can withdraw the deposit."""
        body = "-".join([PREFIX, *self.pool._fields(), "0x" + self.preimage.hex()])
        return f"{body}-{checksum(body)}"

    @classmethod
    def parse(cls, text: str) -> Note:
        """Parse a note string; surrounding whitespace is ignored, anything else must be exact."""
        text = text.strip()
        if len(text) > MAX_NOTE_LENGTH:
            raise NoteError(
                f"note is too long ({len(text)} characters; a note has at most {MAX_NOTE_LENGTH})"
            )
        _check_ascii(text)
        if text.startswith("tornado-"):
            raise NoteError(f"this is a Tornado Cash note; mixer notes start with '{PREFIX}-'")
        if not text.startswith(PREFIX + "-"):
            raise NoteError(f"not a mixer note: expected it to start with '{PREFIX}-'")
        body, _, given = text.rpartition("-")
        if given != checksum(body):
            raise NoteError("note checksum mismatch: the note was mistyped or altered")
        parts = body.split("-")
        if len(parts) != 7:
            raise NoteError(f"note has {len(parts) + 1} '-'-separated fields, expected 8")
        pool = _parse_pool(*parts[1:6])
        preimage = parts[6]
        if not _PREIMAGE_HEX.fullmatch(preimage):
            raise NoteError(
                f"bad preimage: expected 0x and {2 * PREIMAGE_BYTES} lowercase hex digits "
                f"({PREIMAGE_BYTES} bytes), got {len(preimage)} characters"
            )
        return cls.from_preimage(pool, bytes.fromhex(preimage[2:]))
