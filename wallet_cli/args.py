"""Arguments and options that several commands share, and how they are read.

Each command module parses with these; none imports another command.
"""

from __future__ import annotations

from typing import Annotated, Final

import typer
from eth_utils.address import is_address, to_checksum_address

from mixer.note import Note
from mixer.params import HASH_FAMILIES, MAX_DEPTH
from mixer.wallet import PoolInfo
from wallet_cli.options import UserError
from wallet_cli.session import DEPTH_ENV, Session
from wallet_cli.view import parse_units

DEPOSIT_GAS: Final = 3_000_000
"""The deposit's gas limit: a depth-20 Poseidon deposit uses about 0.5M, MiMC at depth 32 under 2M."""
WITHDRAW_GAS: Final = 1_500_000
"""The gas limit per withdrawal record (one record and a new recipient use under 0.5M)."""

NoteArg = Annotated[
    str, typer.Argument(metavar="NOTE", help="The note string, or its number in `mixer notes list`.")
]
HashOption = Annotated[
    str, typer.Option("--hash", help=f"Tree and commitment hash: {' or '.join(HASH_FAMILIES)}.")
]
DepthOption = Annotated[
    int, typer.Option(hidden=True, min=1, max=MAX_DEPTH, envvar=DEPTH_ENV, help="Merkle tree depth.")
]
DEFAULT_HASH: Final = HASH_FAMILIES[0]


def hash_family(value: str, option: str = "--hash") -> str:
    if value not in HASH_FAMILIES:
        raise UserError(f"{option} must be one of {', '.join(HASH_FAMILIES)}, not {value!r}")
    return value


def checked_address(value: str, what: str) -> str:
    """`value` as a checksummed address; UserError naming `what` if it is none."""
    if not is_address(value):
        raise UserError(f"{what} is not an Ethereum address: {value!r}")
    return str(to_checksum_address(value))


def note_argument(s: Session, text: str) -> Note:
    """A NOTE argument: a note string, or the number of a note in `mixer notes list`."""
    if not (text.strip().isascii() and text.strip().isdigit()):  # "²".isdigit() is True
        return Note.parse(text)
    number = int(text)
    records = s.wallet().records()
    if not 1 <= number <= len(records):
        raise UserError(f"there is no note number {number} (the wallet holds {len(records)})")
    return records[number - 1].note


def parse_fee(text: str, info: PoolInfo) -> int:
    """The relayer fee in the pool's smallest unit; at most the denomination."""
    fee = parse_units(text, info.decimals, "--fee")
    if fee > info.denomination:
        raise UserError(f"--fee {text} is more than the pool's denomination ({info.amount} {info.currency})")
    return fee


def parse_refund(text: str, info: PoolInfo) -> int:
    """The refund in wei: ETH the withdrawal's sender adds for the recipient's gas. Only a
    token pool takes one (an ETH pool's contract refuses any refund, `WrongValue`)."""
    refund = parse_units(text, 18, "--refund")
    if refund and info.token is None:
        raise UserError(
            "--refund is for token pools (ETH for the recipient's gas); an ETH pool pays in ETH "
            "already and takes no refund"
        )
    return refund
