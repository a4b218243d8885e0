"""The wallet's use of a relayer service (`withdraw --relayer-url`, `withdrawal-status`):
read its terms, hand it a record, follow the job. The HTTP client is `mixer.relayer.client`."""

from __future__ import annotations

from typing import Any

from mixer.backup import NoteRecord
from mixer.note import Note
from mixer.relayer.client import JobState, RelayerClient, RelayerError, RelayerStatus
from mixer.wallet import PoolInfo, Wallet
from wallet_cli.options import UserError
from wallet_cli.session import Session
from wallet_cli.view import amount, parse_units, short, summary

FOLLOW_TIMEOUT = 900.0
"""Seconds `withdraw --relayer-url` follows a job before leaving it to `withdrawal-status`."""


def client(url: str, proxy: str | None) -> RelayerClient:
    try:
        return RelayerClient(url, proxy=proxy)
    except RelayerError as exc:
        raise UserError(str(exc)) from None


def terms(
    s: Session, relayer: RelayerClient, info: PoolInfo, max_fee: str | None
) -> tuple[RelayerStatus, int]:
    """The relayer's status and its fee for `info`'s pool; UserError if it is on another chain,
    does not serve the pool, or asks more than `max_fee`."""
    status = relayer.status()
    if status.chain_id != info.chain_id:
        raise UserError(f"the relayer at {relayer.url} sends on chain {status.chain_id}, not {info.chain_id}")
    served = status.terms(info.address)
    if served is None:
        raise UserError(f"the relayer at {relayer.url} does not serve pool {info.address}")
    fee = served.fee
    denomination = int(parse_units(info.amount, info.decimals, "amount"))
    if fee > denomination:
        raise UserError(f"the relayer asks a fee above the denomination ({info.amount} {info.currency})")
    if max_fee is not None and fee > parse_units(max_fee, info.decimals, "--max-fee"):
        raise UserError(
            f"the relayer asks {amount(fee, info.decimals, info.currency)} per withdrawal, more than "
            f"--max-fee {max_fee}"
        )
    if not status.healthy:
        problems = "; ".join(status.problems)
        s.console.print(f"[yellow]warning[/yellow]: the relayer says it is unhealthy: {problems}")
    s.console.print(
        f"Relayer {status.relayer} at {relayer.url}: fee {amount(fee, info.decimals, info.currency)}, "
        f"batches of {status.batch_size}, at most {status.max_wait:g} s wait"
    )
    return status, fee


def follow(s: Session, relayer: RelayerClient, job: JobState) -> JobState:
    """Follow `job` to confirmed or failed, with a live status line."""
    with s.console.status(f"withdrawal {short(job.id)}: {job.status}") as line:

        def show(state: JobState) -> None:
            line.update(f"withdrawal {short(state.id)}: {state.status}")

        return relayer.follow(job.id, on_change=show, timeout=FOLLOW_TIMEOUT)


def report(s: Session, relayer: RelayerClient, job: JobState, extra: dict[str, Any]) -> None:
    """Print the job's state (a table, or the JSON result); UserError for a failed job."""
    if job.status == "failed":
        raise UserError(f"the relayer could not send withdrawal {job.id}: {job.error or 'no reason given'}")
    if not s.options.json:
        rows = [("job", job.id), ("status", job.status), ("relayer", relayer.url)]
        if job.tx_hash:
            rows.append(("transaction", job.tx_hash))
        if job.status != "confirmed":
            rows.append(("later", f"mixer withdrawal-status {job.id} --relayer-url {relayer.url}"))
        summary(s.console, f"Withdrawal {job.status}", rows)
    s.result({**job.to_json(), "relayerUrl": relayer.url, **extra})


def send(
    s: Session,
    relayer: RelayerClient,
    *,
    info: PoolInfo,
    note: Note,
    wallet: Wallet | None,
    record: bytes,
    bound: dict[str, Any],
    wait: bool,
) -> None:
    """Post the record to the relayer and, unless `wait` is false, follow it to the end."""
    job = relayer.submit(
        pool=info.address,
        record=record,
        recipient=bound["recipient"],
        fee=bound["fee"],
        refund=bound["refund"],
    )
    s.console.print(f"The relayer accepted withdrawal {job.id} ({job.status})")
    if wait and job.status not in ("confirmed", "failed"):
        job = follow(s, relayer, job)
    if job.status == "confirmed" and wallet is not None and job.tx_hash:
        spent = NoteRecord(note, spent=True, withdrawal_tx=job.tx_hash)
        if not wallet.add(spent):
            wallet.update(note, spent=True, withdrawal_tx=job.tx_hash)
    report(s, relayer, job, {"pool": info.address, **bound})
