"""`mixer status`: the pools on this chain (anonymity set, last root) and your notes' state,
refreshed from the chain and written back to the wallet.

This is also how a deposit interrupted by a crash is recovered: a note saved before its
transaction was broadcast is found on chain (or reported as not deposited).

Every note's state is derived locally from the pool's synced Deposit and Withdrawal events,
which every wallet of the pool downloads over the same block ranges: `status` asks the node
nothing keyed by one of your notes (docs/threat-model.md).
"""

from __future__ import annotations

from typing import Any

import typer

from mixer.backup import NoteRecord
from mixer.chain.identify import NotAPoolError, describe
from mixer.chain.pool import PoolClient
from mixer.wallet import PoolInfo
from wallet_cli.pools import trust_problems
from wallet_cli.privacy import MIN_ANONYMITY_SET
from wallet_cli.session import Session
from wallet_cli.view import note_state, short, table


def refresh(s: Session, info: PoolInfo, records: list[NoteRecord]) -> list[NoteRecord]:
    """Bring `records` (notes of pool `info`) up to date with the chain, in the wallet too."""
    if not records:
        return []
    pool = s.synced(info)
    out = []
    for record in records:
        note = record.note
        changes: dict[str, Any] = {}
        event = pool.deposit_of(note.commitment)
        if event is not None and (record.leaf_index, record.deposit_tx) != (event.leaf_index, event.tx_hash):
            changes.update(leaf_index=event.leaf_index, deposit_tx=event.tx_hash)
        spent_by = pool.withdrawal_of(note.nullifier_hash)
        if spent_by is not None and (record.spent, record.withdrawal_tx) != (True, spent_by.tx_hash):
            changes.update(spent=True, withdrawal_tx=spent_by.tx_hash)
        out.append(s.wallet().update(note, **changes) if changes else record)
    return out


def _row(number: int, record: NoteRecord, state: str) -> dict[str, Any]:
    return {
        "number": number,
        "pool": record.note.pool.address,
        "leafIndex": record.leaf_index,
        "depositTx": record.deposit_tx,
        "withdrawalTx": record.withdrawal_tx,
        "spent": record.spent,
        "state": state,
    }


def status(ctx: typer.Context) -> None:
    """The pools on this chain (deposits = anonymity set, last root) and your notes' state."""
    s = Session.of(ctx)
    chain_id = s.chain_id()
    records = s.wallet().records() if s.has_wallet() else []
    mine = [r for r in records if r.note.pool.chain_id == chain_id]
    numbers = {r.note: i for i, r in enumerate(records, 1)}
    pools: dict[str, PoolInfo | None] = {p.address: p for p in s.pools.on_chain(chain_id)}
    for r in mine:
        if r.note.pool.address not in pools:
            try:
                pools[r.note.pool.address] = describe(s.chain, r.note.pool.address)
            except NotAPoolError:
                pools[r.note.pool.address] = None
    for address, known in pools.items():
        if known is not None and not s.chain.has_code(address):
            pools[address] = None  # e.g. the embedded chain was deleted and started afresh

    pool_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    missing = [a for a, info in pools.items() if info is None]
    for r in mine:
        if r.note.pool.address in missing:
            note_rows.append(_row(numbers[r.note], r, "pool not found on this chain"))
    for address, info in pools.items():
        if info is None:
            continue
        client = PoolClient(s.reader(), address)
        size = client.next_index()
        problems = trust_problems(s, info)
        pool_rows.append(
            {
                "pool": address,
                "denomination": f"{info.amount} {info.currency}",
                "hash": info.hash,
                "depth": info.depth,
                "deposits": size,
                "lastRoot": "0x" + client.last_root().to_bytes(32, "big").hex(),
                "smallAnonymitySet": size < MIN_ANONYMITY_SET,
                "trusted": not problems,
                "trustProblems": problems,
            }
        )
        notes_here = [r for r in mine if r.note.pool.address == address]
        for r in refresh(s, info, notes_here):
            note_rows.append(_row(numbers[r.note], r, note_state(r, synced=True)))

    if not s.options.json:
        s.console.print(f"Chain {chain_id}: {s.network}")
        if not pool_rows:
            s.console.print("No pools known on this chain: `mixer deploy` creates one.")
        else:
            s.console.print(
                table(
                    "Pools",
                    ("pool", "denomination", "hash", "deposits (anonymity set)", "last root", "trust"),
                    (
                        (
                            short(p["pool"], 4),
                            p["denomination"],
                            p["hash"],
                            p["deposits"],
                            short(p["lastRoot"], 8),
                            "verified" if p["trusted"] else "[red]UNTRUSTED[/red]",
                        )
                        for p in pool_rows
                    ),
                )
            )
        for p in pool_rows:
            for problem in p["trustProblems"]:
                s.console.print(
                    f"[red]untrusted[/red]: pool {short(p['pool'], 4)}: {problem}; do not deposit into it"
                )
            if p["smallAnonymitySet"]:
                s.console.print(
                    f"[yellow]warning[/yellow]: pool {short(p['pool'], 4)} has only {p['deposits']} "
                    f"deposits; a withdrawal hides among at most that many. Wait for at least "
                    f"{MIN_ANONYMITY_SET} before withdrawing if privacy matters."
                )
        if note_rows:
            s.console.print(
                table(
                    "Your notes on this chain",
                    ("#", "pool", "leaf", "deposit tx", "withdrawal tx", "state"),
                    (
                        (
                            n["number"],
                            short(n["pool"], 4),
                            "-" if n["leafIndex"] is None else n["leafIndex"],
                            "-" if n["depositTx"] is None else short(n["depositTx"]),
                            "-" if n["withdrawalTx"] is None else short(n["withdrawalTx"]),
                            n["state"],
                        )
                        for n in note_rows
                    ),
                )
            )
    s.result({"chainId": chain_id, "pools": pool_rows, "notes": note_rows})
