"""`mixer compliance NOTE`: what a note's owner can disclose to link a withdrawal to its deposit.

Only the note links the two: its commitment names the deposit, its nullifier hash the
withdrawal. Showing the note (or this report) to an auditor proves where the funds came
from; anyone holding the note could also withdraw an unspent deposit, so disclose notes
only after they are spent.
"""

from __future__ import annotations

from typing import Any

import typer

from mixer.chain.pool import PoolClient
from mixer.chain.sync import SyncError, find_withdrawal
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
    event = next((d for d in pool.deposits if d.commitment == commitment), None)
    if event is None:
        raise UserError(f"no deposit for this note in pool {info.address}: there is nothing to disclose")
    chain = s.chain
    depositor = chain.sender_of(event.tx_hash)
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
    spent = None
    if PoolClient(s.reader(), info.address).is_spent(nullifier_hash):
        spent = find_withdrawal(s.w3, info.address, nullifier_hash, from_block=event.block_number)
        if spent is None:
            raise SyncError(
                "the pool marks this note spent, but the node returned no Withdrawal event for it"
            )
    if spent is not None:
        report["withdrawal"] = {
            "tx": spent.tx_hash,
            "block": spent.block,
            "timestamp": chain.block_timestamp(spent.block),
            "to": spent.to,
            "relayer": spent.relayer,
            "fee": spent.fee,
        }
    if not s.options.json:
        rows: list[tuple[str, Any]] = [
            ("pool", f"{info.address} ({report['amount']}, chain {info.chain_id})"),
            ("commitment", report["commitment"]),
            ("deposit tx", event.tx_hash),
            ("deposited by", depositor),
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
                ("withdrawal block", spent.block),
            ]
        summary(s.console, "Compliance report: what this note proves", rows)
    s.result(report)
