"""`mixer relayer serve`: run the relayer, an HTTP service that sends other people's
withdrawals in batches, from this command's account (DESIGN.md §10, docs/relayer.md).

This module only reads options and starts `mixer.relayer`; the service itself (admission,
job store, sending loop, HTTP API) lives there.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from eth_account import Account

from mixer.relayer.http import Limits, Server
from mixer.relayer.service import Config, Node, Relayer
from mixer.wallet import PoolInfo
from wallet_cli.args import checked_address
from wallet_cli.options import UserError
from wallet_cli.session import Session
from wallet_cli.view import parse_units

DEFAULT_PORT = 8700


def _signing_key(s: Session) -> tuple[str, bytes]:
    """The relayer's account and key: it signs its own transactions (it must know each one's
    hash before broadcasting it). On the embedded chain a dev account's key is public."""
    sender = s.sender()
    if sender.private_key is not None:
        return sender.address, sender.private_key
    if s.options.rpc_url is None:
        from mixer.chain import embedded  # py-evm, only for the embedded chain

        for key in embedded.dev_private_keys():
            if Account.from_key(key).address == sender.address:
                return sender.address, key
    raise UserError("the relayer signs its own transactions: pass --private-key (or MIXER_PRIVATE_KEY)")


def serve(
    ctx: typer.Context,
    pool: Annotated[
        list[str] | None,
        typer.Option("--pool", help="A pool to serve (repeatable; default: this home's pools)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = DEFAULT_PORT,
    fee: Annotated[str, typer.Option(help="The least fee per record, in each pool's currency.")] = "0",
    max_refund: Annotated[
        str, typer.Option(help="The most ETH per record this account pays a recipient (token pools).")
    ] = "0",
    batch_size: Annotated[int, typer.Option(min=1, max=64, help="Records per transaction at most.")] = 8,
    max_wait: Annotated[
        float, typer.Option(min=0, help="Seconds a record waits at most for its batch to fill.")
    ] = 30.0,
    db: Annotated[
        Path | None, typer.Option(help="The job database (default: relayer.sqlite3 in the home).")
    ] = None,
    replace_after: Annotated[
        float, typer.Option(min=0.1, help="Seconds before an unmined transaction is re-sent, dearer.")
    ] = 60.0,
    rate_limit: Annotated[
        float, typer.Option(min=0.01, help="Withdrawals a client may post per second, on average.")
    ] = 10.0,
) -> None:
    """Serve withdrawals over HTTP and send them in batches from this account (Ctrl-C stops)."""
    s = Session.of(ctx)
    address, key = _signing_key(s)
    chain = s.chain
    chain_id = chain.chain_id()
    pools = [checked_address(p, "--pool") for p in pool or []] or [
        p.address for p in s.pools.on_chain(chain_id) if chain.has_code(p.address)
    ]
    if not pools:
        raise UserError(f"no pool to serve on chain {chain_id}: pass --pool ADDRESS")
    refund_cap = parse_units(max_refund, 18, "--max-refund")

    def fee_of(info: PoolInfo) -> int:
        units = parse_units(fee, info.decimals, "--fee")
        if units > int(parse_units(info.amount, info.decimals, "--fee")):
            raise UserError(f"--fee {fee} is more than pool {info.address}'s denomination")
        return units

    node = Node(rpc_url=s.options.rpc_url) if s.options.rpc_url else Node(shared=s.w3)
    relayer = Relayer.open(
        node,
        address=address,
        private_key=key,
        pools=pools,
        fee=fee_of,
        max_refund=refund_cap,
        db=db or s.home / "relayer.sqlite3",
        config=Config(batch_size=batch_size, max_wait=max_wait, replace_after=replace_after),
    )
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    server = Server(relayer, host, port, Limits(rate=rate_limit, burst=max(4 * rate_limit, 10)))
    with server:
        s.console.print(
            f"Relayer {address} serving {len(pools)} pool(s) on {server.url} "
            f"(batches of {batch_size}, at most {max_wait:g} s wait)"
        )
        if s.options.json:
            s.result({"url": server.url, "relayer": address, "pools": pools})
            sys.stdout.flush()
        stopped.wait()
    s.console.print("stopped")


def register(app: typer.Typer) -> typer.Typer:
    group = typer.Typer(help="Run a relayer: send other people's withdrawals and earn their fees.")
    group.command()(serve)
    app.add_typer(group, name="relayer")
    return app
