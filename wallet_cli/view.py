"""How things look on the terminal: amounts (and reading them back), short hashes, tables,
note states, and progress (steps, block sync, spinners).

Light (rich and the standard library): the `mixer snark ...` commands use it too, and it
loads no chain library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from wallet_cli.options import UserError
from wallet_cli.output import TxEntry

if TYPE_CHECKING:
    from mixer.backup import NoteRecord


def console(*, stderr: bool) -> Console:
    """A console for people; on stderr when stdout is reserved for a JSON result."""
    return Console(stderr=stderr, highlight=False)


def units(amount: int, decimals: int = 18) -> str:
    """`amount` smallest units as a plain decimal in whole units (1500000000000000000 -> 1.5)."""
    return format(Decimal(amount).scaleb(-decimals).normalize(), "f")


def amount(value: int, decimals: int, currency: str) -> str:
    """`value` smallest units in whole units and as the exact integer the proof binds:
    "0.01 eth (10000000000000000 wei)"."""
    smallest = "wei" if currency == "eth" else "smallest units"
    return f"{units(value, decimals)} {currency} ({value} {smallest})"


def parse_units(text: str, decimals: int, option: str, *, positive: bool = False) -> int:
    """The inverse of `units`: `text` whole units ("0.01") as a count of the smallest unit,
    refusing what is not a plain non-negative (or, with `positive`, positive) amount."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UserError(f"{option} {text!r} is not a number") from None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        kind = "a positive amount" if positive else "zero or positive"
        raise UserError(f"{option} must be {kind}, got {text!r}")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise UserError(f"{option} {text} has more than {decimals} decimal places")
    return int(scaled)


def short(value: str, keep: int = 6) -> str:
    """0x1234…abcd: enough of a hash or address to recognise it."""
    if len(value) <= 2 + 2 * keep:
        return value
    return f"{value[: 2 + keep]}…{value[-keep:]}"


def note_state(record: NoteRecord, *, synced: bool) -> str:
    """A note's state, in the one vocabulary of `notes list` and `status`: "spent",
    "deposited, unspent", or not deposited. `synced` says whether the record was just
    refreshed from the chain (`status`); otherwise it is the wallet's last knowledge
    (`notes list`), where a deposit sent by a process that then died is not seen yet."""
    if record.spent:
        return "spent"
    if record.leaf_index is not None or record.deposit_tx is not None:
        return "deposited, unspent"
    if synced:
        return "not deposited (send it with `mixer deposit --note`)"
    return "saved, deposit not seen"


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*(str(c) for c in row))
    return t


def summary(console: Console, title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    """A two-column key/value table, the summary printed after each command."""
    t = Table(title=title, title_justify="left", show_header=False)
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    for key, value in pairs:
        t.add_row(key, str(value))
    console.print(t)


def transactions(console: Console, entries: Sequence[TxEntry]) -> None:
    if entries:
        console.print(
            table(
                "Transactions",
                ("step", "tx hash", "gas used", "block"),
                ((e.step, e.hash, f"{e.gas_used:,}", e.block) for e in entries),
            )
        )


def print_warnings(console: Console, warnings: Sequence[str]) -> None:
    """One yellow `warning: ...` line each (privacy warnings of deposit and withdraw)."""
    for warning in warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}.")


def steps_bar(console: Console, title: str, steps: Sequence[str]) -> tuple[Progress, Callable[[str], None]]:
    """A progress bar over named steps (setup, proving) and the callback that advances it.

    It redraws at each step rather than from a refresh thread: the prover forks its workers
    only from a single-threaded process (a fork beside a thread that holds a lock can hang),
    so a thread here would push it onto the slower forkserver path.
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
    )
    task = bar.add_task(title, total=len(steps))

    def on_step(name: str) -> None:
        done = steps.index(name) if name in steps else 0
        bar.update(task, completed=done, description=f"{title}: {name}")
        bar.refresh()

    return bar, on_step


@contextmanager
def sync_bar(console: Console, title: str) -> Iterator[Callable[[int, int], None]]:
    """A bar over blocks while the block runs; yields `progress(synced_block, target_block)`."""
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def progress(done: int, target: int) -> None:
            bar.update(task, completed=done, total=target, description=f"Syncing deposits: block {done}")

        yield progress


@contextmanager
def spinner(console: Console, text: str) -> Iterator[None]:
    """A spinner with `text` while the block runs (transactions being mined)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True) as bar:
        bar.add_task(text)
        yield
