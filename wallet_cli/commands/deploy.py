"""`mixer deploy`: a hasher, a Groth16 verifier with the home's key, and a pool."""

from __future__ import annotations

from typing import Annotated

import typer

from mixer.chain.erc20 import ERC20
from mixer.chain.identify import describe
from mixer.chain.pool import deploy_pool, vk_words
from mixer.params import DEFAULT_DEPTH, circuit_name
from wallet_cli.args import DEFAULT_HASH, DepthOption, HashOption, checked_address, hash_family
from wallet_cli.keys import load_verifying_key
from wallet_cli.options import UserError
from wallet_cli.session import Session
from wallet_cli.view import parse_units, spinner, summary, transactions


def deploy(
    ctx: typer.Context,
    hash_name: HashOption = DEFAULT_HASH,
    denomination: Annotated[str, typer.Option(help="Fixed deposit amount, in ETH or whole tokens.")] = "0.1",
    token: Annotated[str | None, typer.Option(help="ERC20 token address: a token pool.")] = None,
    depth: DepthOption = DEFAULT_DEPTH,
) -> None:
    """Deploy a new pool (hasher, verifier, pool) on the chain and remember it in the home."""
    s = Session.of(ctx)
    circuit = circuit_name(hash_family(hash_name), depth)
    try:
        words = vk_words(load_verifying_key(s.home, circuit))
    except ValueError as exc:
        raise UserError(f"the verifying key of {circuit} cannot be deployed: {exc}") from None
    sender = s.sender()
    chain_id = sender.chain_id()
    decimals = 18
    if token is not None:
        token = checked_address(token, "--token")
        if not sender.has_code(token):
            raise UserError(f"there is no token contract at {token} on chain {chain_id}")
        decimals = ERC20(sender, token).metadata().decimals
    wei = parse_units(denomination, decimals, "--denomination", positive=True)
    with spinner(s.console, f"Deploying the {hash_name} hasher, verifier and pool on chain {chain_id}…"):
        deployed = deploy_pool(
            sender, hasher=hash_name, verifying_key=words, denomination=wei, levels=depth, token=token
        )
    s.txs.add(*deployed.transactions)
    info = describe(sender, deployed.pool, deploy_block=deployed.block)
    s.pools.add(info)
    if not s.options.json:
        summary(
            s.console,
            "Pool deployed",
            [
                ("pool", info.address),
                ("denomination", f"{info.amount} {info.currency}"),
                ("hash", info.hash),
                ("tree depth", info.depth),
                ("verifier", info.verifier),
                ("hasher", info.hasher),
                ("token", info.token or "-"),
                ("chain", f"{chain_id} ({s.network})"),
            ],
        )
        transactions(s.console, s.txs.entries)
        s.console.print("Next: [bold]mixer deposit[/bold]")
    s.result(
        {
            "pool": info.address,
            "verifier": info.verifier,
            "hasher": info.hasher,
            "token": info.token,
            "hash": info.hash,
            "denomination": info.amount,
            "currency": info.currency,
            "depth": info.depth,
            "chainId": chain_id,
        }
    )
