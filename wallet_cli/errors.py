"""Which exceptions are the user's to fix, and the one line that tells them how.

Anything not listed here is a bug in this program and is reported as an internal error.
The chain's exception types are looked up among the modules already loaded, never imported
here: an exception of a module nobody imported cannot have been raised, and `mixer snark ...`
then starts without web3 and py-evm (well over a second of imports).
"""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import typer

from mixer.atomic import AlreadyExistsError
from mixer.errors import MixerError
from wallet_cli.options import UserError

REVERTS = {
    "NullifierSpent": "this note was already spent (its nullifier is marked spent on chain)",
    "EmptyRootSlot": "unknown root: the pool has no root in that history slot",
    "RootIndexOutOfRange": "unknown root: the root index is outside the pool's root history",
    "InvalidProof": "the pool rejected the proof (built with another key, for another root or recipient?)",
    "DuplicateCommitment": "this note's commitment is already in the pool (the deposit was made before)",
    "CommitmentNotInField": "the commitment is not a field element",
    "WrongValue": "the amount sent does not match the pool's denomination",
    "FeeExceedsDenomination": "the relayer fee is larger than the pool's denomination",
    "UnknownRecipient": "the record names a recipient id the pool does not know",
    "ZeroRecipient": "the recipient must not be the zero address",
    "TreeFull": "the pool is full: its Merkle tree has no free leaf",
    "WrongRecordsLength": "a withdrawal record must be exactly 296 bytes",
    "NullifierNotInField": "the nullifier hash is not a field element",
    "TransferFailed": "the pool could not pay the recipient (does it reject payments?)",
    "NewRecipientIndexOutOfRange": "a record points at a new recipient the transaction does not register",
    "DirectoryFull": "the pool's recipient directory is full",
    "LeafIndexOverflow": "the pool is full: its Merkle tree has no free leaf",
    "ZerosLevelOutOfRange": "the pool's tree was asked for a level beyond its depth (a contract bug)",
    "ZerosStoreFailed": "deploying the pool's table of empty-subtree hashes failed",
    "RefundOverflow": "the refund is too large (refund x number of records overflows)",
}


_UNREACHABLE = ("requests.exceptions:ConnectionError", "requests.exceptions:Timeout")
_OWN_LINE = ("web3.exceptions:Web3Exception",)
"""Errors whose own first line is the message."""


def _loaded(*names: str) -> tuple[type[BaseException], ...]:
    """The classes `module:Class` of those modules that are already imported."""
    found = []
    for name in names:
        module, _, attr = name.partition(":")
        if module in sys.modules:
            found.append(getattr(sys.modules[module], attr))
    return tuple(found)


def user_message(exc: BaseException) -> str | None:
    """The one-line message for an error the user can act on; None for a bug."""
    text = str(exc)
    if isinstance(exc, _loaded("mixer.chain.client:ContractReverted")):
        return REVERTS.get(getattr(exc, "error", ""), text)
    if isinstance(exc, UserError):  # our own sentence, which may itself say "insufficient funds"
        return text
    if "insufficient funds" in text.lower():
        return "insufficient funds: the sending account cannot pay the amount plus gas"
    # not the builtin ConnectionError: BrokenPipeError is one (`mixer ... | head`), and it
    # says nothing about the chain
    if isinstance(exc, _loaded(*_UNREACHABLE)):
        from mixer.chain.backend import unreachable_reason  # loaded: requests raised this

        return f"cannot reach the chain: {unreachable_reason(exc)}"
    if isinstance(exc, TimeoutError):
        return "the chain did not answer in time"
    if isinstance(exc, (MixerError, AlreadyExistsError, *_loaded(*_OWN_LINE))):
        return text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.strerror}: {exc.filename}"
    return None


def fail(message: str, code: int, *, json_output: bool, internal: bool = False) -> NoReturn:
    """Report a failed command: one `error: ...` line on stderr and, with --json, the one
    JSON object on stdout that scripts read (`{"ok": false, "error": ...}`); exit `code`."""
    if json_output:
        typer.echo(json.dumps({"ok": False, "error": message, **({"internal": True} if internal else {})}))
    typer.echo(f"{'internal error' if internal else 'error'}: {message}", err=True)
    raise typer.Exit(code)
