"""Reading a pool's history for the wallet: the synced deposit tree (with a progress bar)
and the withdrawal that spent a nullifier."""

from __future__ import annotations

from dataclasses import dataclass

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from web3 import Web3

from mixer.chain.artifacts import load
from mixer.chain.sync import SyncedPool, sync_deposits
from mixer.wallet import PoolInfo
from wallet_cli.session import Session

MIN_ANONYMITY_SET = 10
"""Below this many deposits a withdrawal hides in a crowd too small to matter: we warn."""


def synced(s: Session, info: PoolInfo) -> SyncedPool:
    """The pool's deposits and tree, synced from the cache in the home (root-checked)."""
    cache_dir = s.home / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=s.console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"Syncing deposits of {info.address}", total=None)

        def progress(done: int, target: int) -> None:
            bar.update(task, completed=done, total=target, description=f"Syncing deposits: block {done}")

        return sync_deposits(
            s.w3,
            info.address,
            hasher=info.hash,
            cache_dir=cache_dir,
            start_block=info.deploy_block,
            progress=progress,
        )


@dataclass(frozen=True)
class WithdrawalEvent:
    tx_hash: str
    block: int
    to: str
    relayer: str
    fee: int


def find_withdrawal(w3: Web3, info: PoolInfo, nullifier_hash: int) -> WithdrawalEvent | None:
    """The Withdrawal event that spent `nullifier_hash` (not an indexed topic: scan the pool's)."""
    contract = w3.eth.contract(address=info.address, abi=load("ETHPool").abi)  # type: ignore[call-overload]
    wanted = nullifier_hash.to_bytes(32, "big")
    for log in contract.events.Withdrawal().get_logs(from_block=info.deploy_block):
        args = log["args"]
        if bytes(args["nullifierHash"]) == wanted:
            return WithdrawalEvent(
                tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                block=int(log["blockNumber"]),
                to=str(args["to"]),
                relayer=str(args["relayer"]),
                fee=int(args["fee"]),
            )
    return None
