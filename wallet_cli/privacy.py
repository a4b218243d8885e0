"""What a withdrawal's transaction would give away despite the proof.

The proof hides which deposit is spent; the addresses around it can still tell: a recipient
that made the deposit, a withdrawal sent (its gas paid) by the depositing account, a
recipient whose own earlier transactions tie it to someone, a crowd of too few deposits.
Tornado Cash users were deanonymised mostly this way, not by breaking the cryptography.
"""

from __future__ import annotations

MIN_ANONYMITY_SET = 10
"""Below this many deposits a withdrawal hides in a crowd too small to matter: we warn."""


def link_warnings(
    *, depositor: str, recipient: str, sender: str | None, recipient_nonce: int, deposits: int
) -> list[str]:
    """One sentence per link the withdrawal would leave. `sender` is None when someone else
    (a relayer) will send it; addresses compare case-insensitively."""
    warnings = []
    if recipient.lower() == depositor.lower():
        warnings.append(
            f"the recipient {recipient} made this deposit: the withdrawal links straight back to it"
        )
    elif recipient_nonce > 0:
        warnings.append(
            f"the recipient {recipient} has sent {recipient_nonce} transaction(s): a fresh address keeps "
            "the withdrawal apart from that history"
        )
    if sender is not None and sender.lower() == depositor.lower():
        warnings.append(
            f"the withdrawal is sent (its gas paid) by {sender}, the account that made this deposit: anyone "
            "can link the two; send it from another account or through a relayer (--print-record)"
        )
    crowd = small_crowd(deposits)
    return warnings + ([crowd] if crowd else [])


def small_crowd(deposits: int) -> str | None:
    """The warning for a pool of `deposits` deposits, if that is too few to hide among."""
    if deposits >= MIN_ANONYMITY_SET:
        return None
    return f"the pool has only {deposits} deposits: a withdrawal hides among at most {deposits}"
