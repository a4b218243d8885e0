"""`mixer withdraw NOTE --to ADDR`: prove ownership of some deposit and pay it to ADDR.

The proof binds the recipient, the relayer, its fee and (token pools) the ETH refund for the
recipient's gas (extDataHash), so whoever sends the record can change none of them;
`--print-record` stops before sending and prints the 296-byte record and the parameters it
is bound to, for a relayer to submit.

Nothing asked of the node before the withdrawal is sent is keyed by the note or the
recipient (docs/threat-model.md): spent-ness comes from the pool's synced Withdrawal events,
the depositing account from the wallet's own record of the deposit, and the record names
its recipient as `newRecipients[0]` of its own transaction (paid, not registered), so the
recipient's directory id is never looked up.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from circuits import registry
from mixer.backup import NoteRecord
from mixer.chain.pool import PoolClient
from mixer.chain.record import new_recipient_id
from mixer.chain.reverts import REVERTS
from mixer.extdata import ExtData
from mixer.params import ZERO_ADDRESS
from mixer.snark import groth16
from mixer.wallet import PoolInfo
from mixer.withdrawal import PROVE_STEPS, WithdrawalError, plan_withdrawal, prove_withdrawal
from wallet_cli import relaying
from wallet_cli.args import WITHDRAW_GAS, NoteArg, checked_address, note_argument, parse_fee, parse_refund
from wallet_cli.keys import load_proving_key, prover_cache
from wallet_cli.options import UserError
from wallet_cli.pools import check_note_pool
from wallet_cli.privacy import link_warnings
from wallet_cli.session import Session
from wallet_cli.view import amount, print_warnings, steps_bar, summary, transactions, units


def print_record_for_people(s: Session, info: PoolInfo, data: dict[str, Any]) -> None:
    """What `--print-record` shows: the parameters the proof binds, readable, and the record
    on one unwrapped line to copy (like a note)."""
    new = data["newRecipients"]
    summary(
        s.console,
        "Withdrawal record (not sent)",
        [
            ("pool", data["pool"]),
            ("recipient", data["recipient"]),
            ("relayer", data["relayer"]),
            ("fee", amount(data["fee"], info.decimals, info.currency)),
            ("refund", amount(data["refund"], 18, "eth")),
            ("paid through", "newRecipients[0] = " + ", ".join(new) + " (no directory id was looked up)"),
            ("privacy warnings", f"{len(data['warnings'])} (printed above)" if data["warnings"] else "none"),
        ],
    )
    s.console.print("The record (296 bytes; the proof binds the values above, nobody can change them):")
    s.console.print(data["record"], soft_wrap=True, markup=False, highlight=False)
    s.console.print(
        "A relayer sends it with `mixer relay FILE`, where FILE holds this command's --json output "
        "(or `mixer relay RECORD --recipient ... --relayer ... --fee ...` with the values above)."
    )


def withdraw(
    ctx: typer.Context,
    note_text: NoteArg,
    to: Annotated[str, typer.Option("--to", help="Recipient address (best: a fresh one).")],
    relayer: Annotated[
        str | None, typer.Option(help="Relayer address, paid --fee out of the withdrawn amount.")
    ] = None,
    fee: Annotated[str, typer.Option(help="Relayer fee in the pool's currency (e.g. 0.01).")] = "0",
    refund: Annotated[
        str,
        typer.Option(
            help="Token pools: ETH (e.g. 0.002) the sender of the withdrawal adds for the recipient's gas."
        ),
    ] = "0",
    print_record: Annotated[
        bool,
        typer.Option("--print-record", help="Build the proof and print the record; send nothing."),
    ] = False,
    relayer_url: Annotated[
        str | None, typer.Option(help="Send through this relayer service (it pays the gas, takes its fee).")
    ] = None,
    max_fee: Annotated[
        str | None, typer.Option(help="With --relayer-url: refuse a relayer fee above this (e.g. 0.01).")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="With --relayer-url: return once the relayer accepted it.")
    ] = False,
    proxy: Annotated[
        str | None,
        typer.Option(help="With --relayer-url: reach it through this proxy (socks5h://127.0.0.1:9050)."),
    ] = None,
) -> None:
    """Withdraw a deposit to --to with a zero-knowledge proof (nobody learns which deposit)."""
    s = Session.of(ctx)
    note = note_argument(s, note_text)
    recipient = checked_address(to, "--to")
    relayer_address = ZERO_ADDRESS if relayer is None else checked_address(relayer, "--relayer")
    info = check_note_pool(s, note.pool)
    fee_units = parse_fee(fee, info)
    refund_wei = parse_refund(refund, info)
    if fee_units and relayer is None:
        raise UserError("--fee pays a relayer: pass --relayer ADDRESS too")
    service = None if relayer_url is None else relaying.client(relayer_url, proxy)
    if service is not None:  # the relayer service's own address and fee are what the proof binds
        if relayer is not None or fee_units or print_record:
            raise UserError("--relayer-url takes the relayer's address and fee from it: no --relayer, --fee")
        status, fee_units = relaying.terms(s, service, info, max_fee)
        relayer_address = status.relayer
    nullifier_hash = note.nullifier_hash
    # the password is asked before proving; --print-record works without a wallet too
    wallet = s.wallet_if_available() if print_record else (s.wallet() if s.has_wallet() else None)
    stored = wallet.find(note) if wallet is not None else None
    client = PoolClient(s.reader() if print_record or service else s.sender(), info.address)

    pool = s.synced(info)
    spent_by = pool.withdrawal_of(nullifier_hash)  # from the pool's events: nothing asked about this note
    if spent_by is not None:
        if wallet is not None and stored is not None:
            wallet.update(note, spent=True, withdrawal_tx=spent_by.tx_hash)
        raise UserError(REVERTS["NullifierSpent"])
    ext = ExtData(recipient, relayer_address, fee_units, refund_wei)
    try:
        plan = plan_withdrawal(note, pool, ext)
    except WithdrawalError:
        # every wallet folder has its own local chain, with the same chain id and pool address
        elsewhere = (
            "" if s.options.rpc_url else "; a deposit made from another wallet folder is not on its chain"
        )
        raise UserError(
            f"no deposit for this note in pool {info.address} (was its deposit sent? see `mixer status`"
            f"{elsewhere})"
        ) from None
    if client.root_at(pool.root_index) != plan.root:
        raise UserError("unknown root: the pool does not hold the root of the synced tree; try again")
    size = pool.size
    warnings = link_warnings(
        depositor=None if stored is None else stored.depositor,
        recipient=recipient,
        sender=None if print_record or service else client.sender.address,
        own_depositors=[] if wallet is None else [r.depositor for r in wallet.records() if r.depositor],
        deposits=size,
    )
    print_warnings(s.console, warnings)
    cache = prover_cache(s.home)
    loaded = load_proving_key(s.home, plan.circuit, cache)
    for line in cache.notes:
        s.console.print(f"note: {line}", markup=False)
    # newRecipients[0] of this record's own transaction: paid without a directory id, which
    # would have to be asked of the node
    recipient_id, new_recipients = new_recipient_id(0), [recipient]
    bar, on_step = steps_bar(s.console, "Proving", PROVE_STEPS)
    with bar:
        # not checked here: the dry run below (or the relayer's) verifies the proof on chain
        record = prove_withdrawal(
            loaded.pk,
            plan,
            registry.load(plan.circuit),
            root_index=pool.root_index,
            recipient_id=recipient_id,
            on_step=on_step,
            check=False,
        )
    if loaded.entry is not None and not groth16.verify(loaded.vk, plan.public_signals, record.proof):
        # a key from the prover cache is checked here, with the key file's own verifying key:
        # a wrong cache entry must be an error that names it, not a record that fails later
        raise UserError(
            f"the proof does not verify with the key file's verifying key: the prover cache entry "
            f"{loaded.entry} is wrong (delete {loaded.entry.parent} and withdraw again)"
        )
    bound: dict[str, Any] = {
        "recipient": recipient,
        "relayer": relayer_address,
        "fee": fee_units,
        "refund": refund_wei,
        "newRecipients": new_recipients,
        "warnings": warnings,
    }

    if service is not None:
        raw = record.encode()
        wait = not no_wait
        relaying.send(s, service, info=info, note=note, wallet=wallet, record=raw, bound=bound, wait=wait)
        return

    if print_record:
        data = {"record": "0x" + record.encode().hex(), "pool": info.address, **bound}
        if not s.options.json:
            print_record_for_people(s, info, data)
        s.result(data)
        return

    sent = client.withdraw(
        [record],
        new_recipients=new_recipients,
        relayer=relayer_address,
        fee=fee_units,
        refund=refund_wei,
        gas=WITHDRAW_GAS,
        dry_run=True,
    )
    s.txs.add(sent)
    if wallet is not None and not wallet.add(NoteRecord(note, spent=True, withdrawal_tx=sent.hash)):
        wallet.update(note, spent=True, withdrawal_tx=sent.hash)
    received = info.denomination - fee_units  # what the pool pays the recipient (the tx succeeded)
    after = client.balance_of(recipient)  # asked only now that the withdrawal is public
    if not s.options.json:
        summary(
            s.console,
            "Withdrawal made",
            [
                ("pool", info.address),
                ("to", recipient),
                ("received", f"{units(received, info.decimals)} {info.currency}"),
                ("relayer fee", f"{units(fee_units, info.decimals)} {info.currency}"),
                *([("gas refund", f"{units(refund_wei)} ETH")] if refund_wei else []),
                ("recipient balance", f"{units(after, info.decimals)} {info.currency}"),
                ("anonymity set", f"{size} deposits"),
            ],
        )
        transactions(s.console, s.txs.entries)
    s.result({"pool": info.address, "received": received, **bound})
