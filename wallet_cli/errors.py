"""Which exceptions are the user's to fix, and the one line that tells them how.

Our own errors are recognised by type (`mixer.errors.MixerError`, `UserError`); a contract
revert is a `MixerError` whose message is already the sentence (`mixer.chain.reverts`).
Anything else is a bug in this program and is reported as an internal error. Third-party
exception types (requests, web3) are looked up among the modules already loaded, never
imported here: an exception of a module nobody imported cannot have been raised, and
`mixer snark ...` then starts without web3 and py-evm (well over a second of imports).
"""

from __future__ import annotations

import sys

from mixer.atomic import AlreadyExistsError
from mixer.errors import MixerError
from wallet_cli.options import UserError

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
