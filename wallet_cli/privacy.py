"""What a withdrawal's transaction would give away despite the proof.

The proof hides which deposit is spent; the addresses around it can still tell: a recipient
that made the deposit, a withdrawal sent (its gas paid) by the depositing account, a
recipient that made other deposits, a crowd of too few deposits. Tornado Cash users were
deanonymised mostly this way, not by breaking the cryptography.

Every check here uses what the wallet knows locally (the depositing account it recorded at
deposit time, the pool's synced deposit count): asking a node who sent the note's deposit
transaction, or how many transactions the recipient has sent, would itself tell the node
which deposit is being withdrawn and where to (docs/threat-model.md). So whether the
recipient has a transaction history of its own is no longer checked: use a fresh address.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_ANONYMITY_SET = 10
"""Below this many deposits a withdrawal hides in a crowd too small to matter: we warn."""


def link_warnings(
    *,
    depositor: str | None,
    recipient: str,
    sender: str | None,
    own_depositors: Sequence[str] = (),
    deposits: int,
) -> list[str]:
    """One sentence per link the withdrawal would leave. `depositor` is the account that made
    this note's deposit (None when the wallet did not record it); `own_depositors` the
    accounts that made any deposit of this wallet; `sender` is None when someone else (a
    relayer) will send it; addresses compare case-insensitively."""
    warnings = []
    same = recipient.lower()
    if depositor is not None and same == depositor.lower():
        warnings.append(
            f"the recipient {recipient} made this deposit: the withdrawal links straight back to it"
        )
    elif any(same == d.lower() for d in own_depositors):
        warnings.append(
            f"the recipient {recipient} made deposits of this wallet: a fresh address keeps the "
            "withdrawal apart from them"
        )
    if sender is not None and depositor is not None and sender.lower() == depositor.lower():
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
