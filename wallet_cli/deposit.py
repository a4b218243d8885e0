"""`mixer deposit`: a fresh note, saved to the wallet *before* its deposit is broadcast.

The order is what keeps funds safe: the note is sealed and fsynced into the wallet first,
then the transaction goes out, then its hash and leaf index are recorded. A crash before
the broadcast leaves a note that holds nothing (`mixer deposit --note` sends it later); a
crash after it leaves a note whose deposit `mixer status` finds on chain.
"""

from __future__ import annotations

from typing import Annotated

import typer
from web3.logs import DISCARD
from web3.types import TxReceipt

from mixer.backup import NoteRecord
from mixer.chain.client import Sender
from mixer.chain.pool import PoolClient
from mixer.note import Note
from mixer.wallet import PoolInfo
from wallet_cli.pools import check_note_pool, resolve
from wallet_cli.privacy import small_crowd
from wallet_cli.session import Session, UserError, send_checked
from wallet_cli.view import print_warnings, spinner, summary, transactions, units

DEPOSIT_GAS = 3_000_000
"""The deposit's gas limit: a depth-20 Poseidon deposit uses about 0.5M, MiMC at depth 32 under 2M."""

TOKEN_ABI_APPROVE = [
    {
        "type": "function",
        "name": name,
        "stateMutability": mut,
        "inputs": [{"name": n, "type": t} for n, t in inputs],
        "outputs": [{"name": "", "type": out}],
    }
    for name, mut, inputs, out in (
        ("approve", "nonpayable", (("spender", "address"), ("amount", "uint256")), "bool"),
        ("allowance", "view", (("owner", "address"), ("spender", "address")), "uint256"),
        ("balanceOf", "view", (("owner", "address"),), "uint256"),
    )
]


def _check_funds(s: Session, sender: Sender, info: PoolInfo) -> None:
    w3 = sender.w3
    balance = int(w3.eth.get_balance(sender.address))  # type: ignore[arg-type]
    gas = DEPOSIT_GAS * int(w3.eth.gas_price)
    value = info.denomination if info.token is None else 0
    if balance < value + gas:
        raise UserError(
            f"insufficient funds: {sender.address} has {units(balance)} ETH; a deposit needs "
            f"{units(value)} ETH plus up to {units(gas)} ETH of gas"
        )
    if info.token is not None:
        token = w3.eth.contract(address=info.token, abi=TOKEN_ABI_APPROVE)  # type: ignore[call-overload]
        have = int(token.functions.balanceOf(sender.address).call())
        if have < info.denomination:
            raise UserError(
                f"insufficient funds: {sender.address} has {units(have, info.decimals)} "
                f"{info.currency}; a deposit needs {info.amount}"
            )


def _approve(s: Session, sender: Sender, info: PoolInfo) -> None:
    assert info.token is not None
    token = sender.w3.eth.contract(address=info.token, abi=TOKEN_ABI_APPROVE)  # type: ignore[call-overload]
    if int(token.functions.allowance(sender.address, info.address).call()) < info.denomination:
        s.txs.add("approve", sender.send(token.functions.approve(info.address, info.denomination)))


def _leaf_index(client: PoolClient, receipt: TxReceipt) -> int:
    events = client.contract.events.Deposit().process_receipt(receipt, errors=DISCARD)  # token logs too
    return int(events[0]["args"]["leafIndex"])


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
    sender = s.sender()
    client = PoolClient(sender, info.address)
    commitment = note.commitment
    if client.contract.functions.commitments(commitment.to_bytes(32, "big")).call():
        raise UserError("this note is already deposited in the pool; see `mixer status`")
    _check_funds(s, sender, info)

    wallet = s.wallet(create=True)
    wallet.add(NoteRecord(note))  # durable (fsynced) before anything is broadcast
    with spinner(s.console, f"Depositing {info.amount} {info.currency} into {info.address}…"):
        if info.token is not None:
            _approve(s, sender, info)
        receipt = send_checked(
            sender,
            client.contract.functions.deposit(commitment.to_bytes(32, "big")),
            value=info.denomination if info.token is None else 0,
            gas=DEPOSIT_GAS,
            abi=client.abi,
        )
    s.txs.add("deposit", receipt)
    leaf = _leaf_index(client, receipt)
    tx_hash = s.txs.entries[-1]["hash"]
    wallet.update(note, leaf_index=leaf, deposit_tx=tx_hash)

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
