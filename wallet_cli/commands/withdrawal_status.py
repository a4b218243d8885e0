"""`mixer withdrawal-status ID --relayer-url URL`: a relayer's job, looked up later (the ID
that `withdraw --relayer-url` printed: the withdrawal's nullifierHash)."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from wallet_cli import relaying
from wallet_cli.options import UserError
from wallet_cli.session import Session

_JOB_ID = re.compile(r"0x[0-9a-fA-F]{64}")


def withdrawal_status(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job id `withdraw --relayer-url` printed.")],
    relayer_url: Annotated[str, typer.Option(help="The relayer service that accepted it.")],
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the job until it is confirmed or failed.")
    ] = False,
    proxy: Annotated[
        str | None, typer.Option(help="Reach the relayer through this proxy (socks5h://127.0.0.1:9050).")
    ] = None,
) -> None:
    """Show what became of a withdrawal handed to a relayer."""
    s = Session.of(ctx)
    if not _JOB_ID.fullmatch(job_id):
        raise UserError(f"{job_id!r} is not a withdrawal job id (0x and 64 hex digits)")
    service = relaying.client(relayer_url, proxy)
    job = service.job(job_id.lower())
    if wait and job.status not in ("confirmed", "failed"):
        job = relaying.follow(s, service, job)
    relaying.report(s, service, job, {})
