"""`mixer notes list|show|backup|restore`: the wallet's notes, without touching any chain."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from mixer.atomic import AlreadyExistsError
from mixer.backup import NoteRecord, read_backup, write_backup
from wallet_cli.args import note_argument
from wallet_cli.options import UserError
from wallet_cli.session import Session
from wallet_cli.view import note_state, short, summary, table

BACKUP_PASSWORD_ENV = "MIXER_BACKUP_PASSWORD"

app = typer.Typer(no_args_is_help=True)


def register(root: typer.Typer) -> typer.Typer:
    root.add_typer(app, name="notes", help="Your notes: list, show, back up and restore.")
    return root


def record_json(number: int, record: NoteRecord) -> dict[str, object]:
    pool = record.note.pool
    return {
        "number": number,
        "pool": pool.address,
        "chainId": pool.chain_id,
        "hash": pool.hash,
        "amount": pool.amount,
        "currency": pool.currency,
        "leafIndex": record.leaf_index,
        "depositTx": record.deposit_tx,
        "withdrawalTx": record.withdrawal_tx,
        "spent": record.spent,
        "state": note_state(record, synced=False),  # the wallet's last knowledge
    }


@app.command("list")
def list_notes(ctx: typer.Context) -> None:
    """Your notes and their last known state (no secrets shown)."""
    s = Session.of(ctx)
    records = s.wallet().records() if s.has_wallet() else []
    if not s.options.json:
        if not records:
            s.console.print(f"No notes in {s.home} yet: `mixer deposit` makes one.")
        else:
            s.console.print(
                table(
                    f"Notes in {s.home}",
                    ("#", "amount", "pool", "chain", "leaf", "deposit tx", "state"),
                    (
                        (
                            i,
                            f"{r.note.pool.amount} {r.note.pool.currency}",
                            short(r.note.pool.address, 4),
                            r.note.pool.chain_id,
                            "-" if r.leaf_index is None else r.leaf_index,
                            "-" if r.deposit_tx is None else short(r.deposit_tx),
                            note_state(r, synced=False),
                        )
                        for i, r in enumerate(records, 1)
                    ),
                )
            )
    s.result({"notes": [record_json(i, r) for i, r in enumerate(records, 1)]})


@app.command()
def show(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="NUMBER", help="The note's number in `mixer notes list`.")],
) -> None:
    """Print one note string (the secret that controls the deposit) and what we know about it."""
    s = Session.of(ctx)
    record = s.wallet().find(note_argument(s, str(number)))
    assert record is not None
    data = record_json(number, record)
    if not s.options.json:
        summary(s.console, f"Note {number}", [*((k, "-" if v is None else v) for k, v in data.items())])
        s.console.print(record.note.to_string(), soft_wrap=True)
    s.result({**data, "note": record.note.to_string()})


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Backup file to write (never overwritten unless --force).")
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write all notes to an encrypted backup file (the wallet's password, or MIXER_BACKUP_PASSWORD)."""
    s = Session.of(ctx)
    folder = file.absolute().parent
    if not folder.is_dir():  # else the error would name the temporary file written beside it
        raise UserError(f"cannot write {file}: folder {folder} does not exist")
    exists = f"{file} already exists: pass --force to replace it"
    if file.exists() and not force:  # checked first, so no scrypt run is wasted
        raise UserError(exists)
    records = s.wallet().records()
    password = os.environ.get(BACKUP_PASSWORD_ENV) or s.password()
    try:
        write_backup(file, records, password, overwrite=force)
    except AlreadyExistsError:  # it appeared meanwhile; write_backup never replaces it unasked
        raise UserError(exists) from None
    if not s.options.json:
        summary(s.console, "Backup written", [("file", file), ("notes", len(records)), ("encrypted", "yes")])
    s.result({"file": str(file), "notes": len(records)})


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A backup written by `mixer notes backup`.")],
) -> None:
    """Add the notes of a backup file to the wallet (notes already there are kept as they are)."""
    s = Session.of(ctx)
    password = os.environ.get(BACKUP_PASSWORD_ENV) or s.password()
    records = read_backup(file, password)
    added = s.wallet(create=True).merge(records)
    if not s.options.json:
        s.console.print(f"Restored {added} new notes from {file}")
        summary(
            s.console,
            "Backup restored",
            [("file", file), ("new notes", added), ("already in the wallet", len(records) - added)],
        )
    s.result({"file": str(file), "added": added, "inBackup": len(records)})
