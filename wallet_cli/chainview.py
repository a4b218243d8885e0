"""Reading a pool's history for the wallet: the synced deposit tree, with a progress bar."""

from __future__ import annotations

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from mixer.chain.sync import SyncedPool, sync_deposits
from mixer.wallet import PoolInfo
from wallet_cli.session import Session


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
