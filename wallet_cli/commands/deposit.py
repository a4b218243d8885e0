"""`mixer deposit`: a fresh note, saved to the wallet *before* its deposit is broadcast.

The order is what keeps funds safe: the note is sealed and fsynced into the wallet first,
then the transaction goes out, then its hash and leaf index are recorded. A crash before
the broadcast leaves a note that holds nothing (`mixer deposit --note` sends it later); a
crash after it leaves a note whose deposit `mixer status` finds on chain.

The wallet records the depositing account with the note, so that `withdraw` and
`compliance` know it without asking a node who sent the deposit. Whether an existing note
(`--note`) is already deposited is read from the pool's synced events, not asked of the
node by its commitment; a fresh note's commitment is random, so it is not looked up at all
(the transaction publishes it a moment later, and its dry run would name a duplicate).
"""

from __future__ import annotations

from typing import Annotated

import typer

from mixer.backup import NoteRecord
from mixer.chain.pool import PoolClient
from mixer.note import Note
from mixer.wallet import PoolInfo
from wallet_cli.args import DEPOSIT_GAS
from wallet_cli.options import UserError
from wallet_cli.pools import check_note_pool, check_trusted, resolve
from wallet_cli.privacy import small_crowd
from wallet_cli.session import Session
from wallet_cli.view import print_warnings, spinner, summary, transactions, units


def _check_funds(client: PoolClient, info: PoolInfo) -> None:
    address = client.sender.address
    funds = client.funds_for_deposit(address, gas=DEPOSIT_GAS)
    if not funds.enough_eth:
        raise UserError(
            f"insufficient funds: {address} has {units(funds.eth)} ETH; a deposit needs "
            f"{units(funds.value)} ETH plus up to {units(funds.gas_cost)} ETH of gas"
        )
    if not funds.enough_tokens:
        assert funds.tokens is not None
        raise UserError(
            f"insufficient funds: {address} has {units(funds.tokens, info.decimals)} "
            f"{info.currency}; a deposit needs {info.amount}"
        )


def deposit(
    ctx: typer.Context,
    pool: Annotated[
        str | None, typer.Option(help="Pool address (default: the newest pool deployed from this home).")
    ] = None,
    note_text: Annotated[
        str | None,
        typer.Option("--note", help="Deposit this existing note instead of a new one (e.g. after a crash)."),
    ] = None,
) -> None:
    """Deposit the pool's fixed amount with a new secret note, kept in the wallet."""
    s = Session.of(ctx)
    if note_text is not None:
        note = Note.parse(note_text)
        info = check_note_pool(s, note.pool)
    else:
        info = resolve(s, pool)
        note = Note.generate(info.identity())
    check_trusted(s, info)
    sender = s.sender()
    client = PoolClient(sender, info.address)
    commitment = note.commitment
    if note_text is not None and s.synced(info).deposit_of(commitment) is not None:
        raise UserError("this note is already deposited in the pool; see `mixer status`")
    _check_funds(client, info)

    wallet = s.wallet(create=True)
    # durable (fsynced) before anything is broadcast, with the account that is about to deposit
    if not wallet.add(NoteRecord(note, depositor=sender.address)):
        wallet.update(note, depositor=sender.address)
    with spinner(s.console, f"Depositing {info.amount} {info.currency} into {info.address}…"):
        made = client.deposit(commitment, gas=DEPOSIT_GAS, dry_run=True)
    s.txs.add(*made.transactions)
    leaf = made.leaf_index
    wallet.update(note, leaf_index=leaf, deposit_tx=made.transaction.hash)

    text = note.to_string()
    crowd = small_crowd(leaf + 1)  # a deposit is private only once others follow it
    warnings = [f"{crowd}; wait for more deposits before withdrawing if privacy matters"] if crowd else []
    if not s.options.json:
        summary(
            s.console,
            "Deposit made",
            [
                ("pool", info.address),
                ("amount", f"{info.amount} {info.currency}"),
                ("from", sender.address),
                ("leaf index", leaf),
                ("anonymity set", f"{leaf + 1} deposits"),
            ],
        )
        transactions(s.console, s.txs.entries)
        print_warnings(s.console, warnings)
        s.console.print("Your note (the secret that withdraws this deposit):")
        s.console.print(text, soft_wrap=True, markup=False)
        s.console.print(
            "The note is saved (encrypted) in your wallet. Anyone who has the note string can "
            "withdraw the deposit: keep a backup (`mixer notes backup FILE`) and share it with no one."
        )
    s.result(
        {
            "note": text,
            "pool": info.address,
            "leafIndex": leaf,
            "commitment": "0x" + commitment.to_bytes(32, "big").hex(),
            "from": sender.address,
            "warnings": warnings,
        }
    )
