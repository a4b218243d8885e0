"""`mixer deploy`: a hasher, a Groth16 verifier with the home's key, and a pool."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from web3.types import TxReceipt

from mixer.chain.artifacts import load
from mixer.chain.client import Sender
from mixer.chain.pool import vk_words
from mixer.wallet import PoolInfo
from wallet_cli.keys import verifying_key
from wallet_cli.pools import HASHER_CONTRACTS, checked_address, token_metadata
from wallet_cli.session import DEPTH_ENV, Session, UserError
from wallet_cli.view import parse_units, spinner, summary, transactions, units

DEFAULT_DEPTH = 20


def _deploy(sender: Sender, name: str, *args: Any) -> tuple[str, TxReceipt]:
    art = load(name)
    factory = sender.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = sender.send(factory.constructor(*args), abi=art.abi)
    address = receipt["contractAddress"]
    assert address is not None
    return str(address), receipt


def deploy(
    ctx: typer.Context,
    hash_name: Annotated[
        str, typer.Option("--hash", help="Tree and commitment hash: poseidon or mimcsponge.")
    ] = "poseidon",
    denomination: Annotated[str, typer.Option(help="Fixed deposit amount, in ETH or whole tokens.")] = "0.1",
    token: Annotated[str | None, typer.Option(help="ERC20 token address: a token pool.")] = None,
    depth: Annotated[
        int, typer.Option(hidden=True, min=1, max=32, envvar=DEPTH_ENV, help="Merkle tree depth.")
    ] = DEFAULT_DEPTH,
) -> None:
    """Deploy a new pool (hasher, verifier, pool) on the chain and remember it in the home."""
    s = Session.of(ctx)
    if hash_name not in HASHER_CONTRACTS:
        raise UserError(f"--hash must be one of {', '.join(HASHER_CONTRACTS)}, not {hash_name!r}")
    circuit = f"withdraw-{hash_name}-{depth}"
    vk = verifying_key(s.home, circuit)
    try:
        words = vk_words(vk)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise UserError(f"the verifying key of {circuit} is malformed: {exc}") from None
    sender = s.sender()
    w3 = s.w3
    chain_id = s.chain_id()
    currency, decimals = "eth", 18
    if token is not None:
        token = checked_address(token, "--token")
        if not w3.eth.get_code(token):  # type: ignore[arg-type]
            raise UserError(f"there is no token contract at {token} on chain {chain_id}")
        currency, decimals = token_metadata(w3, token)
    wei = parse_units(denomination, decimals, "--denomination", positive=True)
    start_block = int(w3.eth.block_number)
    with spinner(s.console, f"Deploying the {hash_name} hasher, verifier and pool on chain {chain_id}…"):
        hasher, r1 = _deploy(sender, HASHER_CONTRACTS[hash_name])
        s.txs.add("deploy hasher", r1)
        verifier, r2 = _deploy(sender, "Groth16Verifier", words)
        s.txs.add("deploy verifier", r2)
        if token is None:
            pool, r3 = _deploy(sender, "ETHPool", verifier, hasher, wei, depth)
        else:
            pool, r3 = _deploy(sender, "ERC20Pool", verifier, hasher, wei, depth, token)
        s.txs.add("deploy pool", r3)
    info = PoolInfo(
        hash=hash_name,
        currency=currency,
        amount=units(wei, decimals),
        chain_id=chain_id,
        address=pool,
        depth=depth,
        verifier=verifier,
        hasher=hasher,
        token=token,
        decimals=decimals,
        deploy_block=start_block,
    )
    s.pools.add(info)
    if not s.options.json:
        summary(
            s.console,
            "Pool deployed",
            [
                ("pool", pool),
                ("denomination", f"{info.amount} {currency}"),
                ("hash", hash_name),
                ("tree depth", depth),
                ("verifier", verifier),
                ("hasher", hasher),
                ("token", token or "-"),
                ("chain", f"{chain_id} ({s.network})"),
            ],
        )
        transactions(s.console, s.txs.entries)
        s.console.print("Next: [bold]mixer deposit[/bold]")
    s.result(
        {
            "pool": pool,
            "verifier": verifier,
            "hasher": hasher,
            "token": token,
            "hash": hash_name,
            "denomination": info.amount,
            "currency": currency,
            "depth": depth,
            "chainId": chain_id,
        }
    )
