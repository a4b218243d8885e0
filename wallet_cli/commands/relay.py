"""`mixer relay RECORD...`: the relayer's side of `withdraw --print-record`.

Several people's records go into one `withdraw` transaction, sent (and its gas paid) by
this command's account; the pool pays each record's recipient and the relayer its fee per
record. A RECORD is a file holding `withdraw --print-record --json` output, or the
record's hex with the values it is bound to given as options.

The proofs bind each recipient's address, the relayer, the fee and the refund, and all
records of one transaction share the last three, so records that differ there are refused
here. The recipientId inside a record is only a pointer to the address (the proof does not
cover it): this command re-points each record for the batch's own `newRecipients`, so two
records that each named their recipient as `newRecipients[0]` can share a transaction.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from mixer import jsonsafe
from mixer.chain.pool import PoolClient
from mixer.chain.record import WithdrawalRecord
from mixer.params import ZERO_ADDRESS
from mixer.wallet import PoolInfo
from wallet_cli.args import WITHDRAW_GAS, checked_address, parse_fee, parse_refund
from wallet_cli.options import UserError
from wallet_cli.pools import resolve
from wallet_cli.session import Session
from wallet_cli.view import amount, parse_units, summary, transactions


@dataclasses.dataclass(frozen=True)
class Bound:
    """One record and what its proof is bound to."""

    record: WithdrawalRecord
    recipient: str
    relayer: str
    fee: int
    refund: int


def _decode(text: str, where: str) -> WithdrawalRecord:
    try:
        data = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise UserError(f"{where}: the record is not hex") from None
    return WithdrawalRecord.decode(data)  # RecordError (one line) for a wrong length


def _read_file(path: Path) -> tuple[str, Bound]:
    """(pool address, bound record) from a `withdraw --print-record --json` output file."""
    try:
        data: Any = jsonsafe.loads(path.read_bytes(), what=str(path), max_bytes=1 << 20)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file (a RECORD is a file or the record's 0x hex)") from None
    except (OSError, jsonsafe.UntrustedJSONError):
        raise UserError(f"{path} is not the JSON output of `mixer withdraw --print-record --json`") from None
    keys = ("record", "pool", "recipient", "relayer", "fee", "refund")
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise UserError(f"{path} lacks {', '.join(keys)}: is it `withdraw --print-record --json` output?")
    if not all(isinstance(data[k], int) and data[k] >= 0 for k in ("fee", "refund")):
        raise UserError(f"{path}: fee and refund must be whole numbers of the smallest unit")
    bound = Bound(
        _decode(str(data["record"]), str(path)),
        checked_address(str(data["recipient"]), f"{path}: recipient"),
        checked_address(str(data["relayer"]), f"{path}: relayer"),
        data["fee"],
        data["refund"],
    )
    return checked_address(str(data["pool"]), f"{path}: pool"), bound


def _one(values: set[Any], what: str) -> Any:
    if len(values) > 1:
        raise UserError(f"the records {what}: one withdraw transaction takes one; relay them separately")
    return next(iter(values))


def relay(
    ctx: typer.Context,
    records: Annotated[
        list[str],
        typer.Argument(
            metavar="RECORD...",
            help="A file with `mixer withdraw --print-record --json` output, or a record's 0x hex.",
        ),
    ],
    recipient: Annotated[
        str | None, typer.Option(help="For hex records: the recipient the proof is bound to.")
    ] = None,
    relayer: Annotated[
        str | None, typer.Option(help="For hex records: the relayer address the proof is bound to.")
    ] = None,
    fee: Annotated[str, typer.Option(help="For hex records: the fee they are bound to (e.g. 0.01).")] = "0",
    refund: Annotated[str, typer.Option(help="For hex records: the refund in ETH they are bound to.")] = "0",
    pool: Annotated[
        str | None, typer.Option(help="For hex records: the pool (default: the newest one of this home).")
    ] = None,
    max_refund: Annotated[
        str,
        typer.Option(
            help="The most ETH per record this account will pay a recipient as a refund (token pools)."
        ),
    ] = "0",
) -> None:
    """Send withdrawal records (yours or other people's) in one transaction, as their relayer."""
    s = Session.of(ctx)
    files = [_read_file(Path(r)) for r in records if not r.startswith("0x")]
    hexes = [r for r in records if r.startswith("0x")]
    addresses = {address for address, _ in files} | ({checked_address(pool, "--pool")} if pool else set())
    info: PoolInfo = resolve(s, _one(addresses, "are for different pools") if addresses else None)
    bound = [b for _, b in files]
    if hexes:
        if recipient is None:
            raise UserError("a record given as hex needs --recipient (and --relayer, --fee as printed)")
        for i, text in enumerate(hexes, 1):
            bound.append(
                Bound(
                    _decode(text, f"hex record {i}"),
                    checked_address(recipient, "--recipient"),
                    ZERO_ADDRESS if relayer is None else checked_address(relayer, "--relayer"),
                    parse_fee(fee, info),
                    parse_refund(refund, info),
                )
            )
    relayer_address = _one({b.relayer for b in bound}, "name different relayers")
    fee_units = _one({b.fee for b in bound}, "bind different fees")
    refund_wei = _one({b.refund for b in bound}, "bind different refunds")
    if fee_units > info.denomination:
        raise UserError(f"the fee is more than the pool's denomination ({info.amount} {info.currency})")
    if refund_wei and info.token is None:
        raise UserError("the records bind a refund, which an ETH pool refuses")
    nullifiers = [b.record.nullifier_hash for b in bound]
    if len(set(nullifiers)) < len(nullifiers):
        raise UserError("the same record (nullifier) is given twice")

    sender = s.sender()
    if relayer_address != sender.address:
        # the pool pays the fee to the bound relayer, while this account pays the gas
        raise UserError(
            f"the records are bound to relayer {relayer_address}, not to this account ({sender.address}): "
            "its fee would go there while this account pays the gas"
        )
    cap = parse_units(max_refund, 18, "--max-refund")
    if refund_wei > cap:
        # the refund is paid as msg.value out of this account's own balance, once per record
        raise UserError(
            f"the records bind a refund of {amount(refund_wei, 18, 'eth')} each, more than --max-refund "
            f"{amount(cap, 18, 'eth')}: this account would pay it"
        )

    client = PoolClient(sender, info.address)
    for i, b in enumerate(bound, 1):
        if client.is_spent(b.record.nullifier_hash):
            raise UserError(f"record {i} was already spent (its nullifier is marked spent on chain)")
    recipients = [b.recipient for b in bound]
    batch, new_recipients = client.repoint([b.record for b in bound], recipients)
    gas = WITHDRAW_GAS * len(batch)
    s.console.print(
        f"Relaying {len(batch)} record(s): this account pays at most "
        f"{amount(gas * sender.gas_price(), 18, 'eth')} in gas"
        + (f" and {amount(refund_wei * len(batch), 18, 'eth')} in refunds" if refund_wei else "")
        + f", and earns {amount(fee_units * len(batch), info.decimals, info.currency)}"
    )
    s.txs.add(
        client.withdraw(
            batch,
            new_recipients=new_recipients,
            relayer=relayer_address,
            fee=fee_units,
            refund=refund_wei,
            gas=gas,
            dry_run=True,
        )
    )
    if not s.options.json:
        summary(
            s.console,
            f"{len(batch)} withdrawal(s) relayed in one transaction",
            [
                ("pool", info.address),
                ("recipients", ", ".join(recipients)),
                ("each receives", amount(info.denomination - fee_units, info.decimals, info.currency)),
                ("relayer", relayer_address),
                ("relayer earns", amount(fee_units * len(batch), info.decimals, info.currency)),
                *([("refunds paid", amount(refund_wei * len(batch), 18, "eth"))] if refund_wei else []),
                ("sent by", client.sender.address),
            ],
        )
        transactions(s.console, s.txs.entries)
    s.result(
        {
            "pool": info.address,
            "recipients": recipients,
            "relayer": relayer_address,
            "fee": fee_units,
            "refund": refund_wei,
            "newRecipients": new_recipients,
        }
    )
