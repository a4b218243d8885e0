"""How things look on the terminal: amounts, short hashes, summary tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table


def units(amount: int, decimals: int = 18) -> str:
    """`amount` smallest units as a plain decimal in whole units (1500000000000000000 -> 1.5)."""
    text = format(Decimal(amount).scaleb(-decimals).normalize(), "f")
    return text


def short(value: str, keep: int = 6) -> str:
    """0x1234…abcd: enough of a hash or address to recognise it."""
    if len(value) <= 2 + 2 * keep:
        return value
    return f"{value[: 2 + keep]}…{value[-keep:]}"


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


def transactions(console: Console, entries: Sequence[dict[str, Any]]) -> None:
    if entries:
        console.print(
            table(
                "Transactions",
                ("step", "tx hash", "gas used", "block"),
                ((e["step"], e["hash"], f"{e['gasUsed']:,}", e["block"]) for e in entries),
            )
        )
