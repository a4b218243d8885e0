"""`mixer compliance NOTE`: what a note's owner can disclose to link a withdrawal to its deposit.

Only the note links the two: its commitment names the deposit, its nullifier hash the
withdrawal. Showing the note (or this report) to an auditor proves where the funds came
from; anyone holding the note could also withdraw an unspent deposit, so disclose notes
only after they are spent.

The report is built from the pool's synced events (the same for every wallet) and from what
this wallet recorded at deposit time (the depositing account): making it asks the node
nothing keyed by the note. A depositor the wallet did not record (a note made by an older
version, or by another wallet) is reported as unknown, with the deposit transaction that
shows it, rather than looked up.
"""

from __future__ import annotations

from typing import Any

import typer

from wallet_cli.args import NoteArg, note_argument
from wallet_cli.options import UserError
from wallet_cli.pools import check_note_pool
from wallet_cli.session import Session
from wallet_cli.view import summary, units


def compliance(
    ctx: typer.Context,
    note_text: NoteArg,
) -> None:
    """Report the deposit and withdrawal transactions a note links (for an auditor)."""
    s = Session.of(ctx)
    note = note_argument(s, note_text)
    info = check_note_pool(s, note.pool)
    commitment = note.commitment
    nullifier_hash = note.nullifier_hash
    pool = s.synced(info)
    event = pool.deposit_of(commitment)
    if event is None:
        raise UserError(f"no deposit for this note in pool {info.address}: there is nothing to disclose")
    wallet = s.wallet_if_available()
    stored = wallet.find(note) if wallet is not None else None
    depositor = None if stored is None else stored.depositor
    report: dict[str, Any] = {
        "pool": info.address,
        "chainId": info.chain_id,
        "amount": f"{info.amount} {info.currency}",
        "commitment": "0x" + commitment.to_bytes(32, "big").hex(),
        "nullifierHash": "0x" + nullifier_hash.to_bytes(32, "big").hex(),
        "deposit": {
            "tx": event.tx_hash,
            "block": event.block_number,
            "timestamp": event.timestamp,
            "from": depositor,
            "leafIndex": event.leaf_index,
        },
        "withdrawal": None,
    }
    spent = pool.withdrawal_of(nullifier_hash)
    if spent is not None:
        report["withdrawal"] = {
            "tx": spent.tx_hash,
            "block": spent.block_number,
            "to": spent.to,
            "relayer": spent.relayer,
            "fee": spent.fee,
        }
    if not s.options.json:
        rows: list[tuple[str, Any]] = [
            ("pool", f"{info.address} ({report['amount']}, chain {info.chain_id})"),
            ("commitment", report["commitment"]),
            ("deposit tx", event.tx_hash),
            (
                "deposited by",
                depositor
                or "not recorded by this wallet (the deposit transaction shows it; not asked of the node)",
            ),
            ("deposit block", event.block_number),
        ]
        if spent is None:
            rows.append(("withdrawal", "none: the deposit is unspent (do not share this note)"))
        else:
            rows += [
                ("nullifier hash", report["nullifierHash"]),
                ("withdrawal tx", spent.tx_hash),
                ("paid to", spent.to),
                ("relayer fee", f"{units(spent.fee, info.decimals)} {info.currency} to {spent.relayer}"),
                ("withdrawal block", spent.block_number),
            ]
        summary(s.console, "Compliance report: what this note proves", rows)
    s.result(report)
