"""The one result contract of every command, for scripts: with `--json`, exactly one JSON
object on stdout, `{"ok": true, ...}` on success (with the `transactions` sent, if any) or
`{"ok": false, "error": ...}` on failure, plus one `error: ...` line on stderr.

Light (standard library and typer only): the `mixer snark ...` commands use it too.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import typer


class Sent(Protocol):
    """A mined transaction as `mixer.chain` reports it (`mixer.chain.client.Transaction`)."""

    @property
    def step(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def gas_used(self) -> int: ...
    @property
    def block(self) -> int: ...


@dataclass(frozen=True)
class TxEntry:
    """One transaction a command sent, as its summary table and JSON result show it."""

    step: str
    hash: str
    gas_used: int
    block: int

    @classmethod
    def of(cls, tx: Sent) -> TxEntry:
        return cls(tx.step, tx.hash, tx.gas_used, tx.block)

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "hash": self.hash, "gasUsed": self.gas_used, "block": self.block}


@dataclass
class TxLog:
    """The transactions a command sent, in order."""

    entries: list[TxEntry] = field(default_factory=list)

    def add(self, *sent: Sent) -> None:
        self.entries += [TxEntry.of(tx) for tx in sent]


def result(
    data: Mapping[str, Any], *, json_output: bool, transactions: Iterable[TxEntry] = (), ok: bool = True
) -> None:
    """With --json: print `data` (plus the transactions sent) as one JSON object with
    `"ok": true`; without, nothing (people were shown tables already). `ok` is false only
    for a command that ran but answers "no" (`snark verify` of an invalid proof)."""
    if json_output:
        payload = {"ok": ok, **data}
        sent = [tx.to_json() for tx in transactions]
        if sent:
            payload.setdefault("transactions", sent)
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def fail(message: str, code: int, *, json_output: bool, internal: bool = False) -> NoReturn:
    """Report a failed command: one `error: ...` line on stderr and, with --json, the one
    JSON object on stdout that scripts read (`{"ok": false, "error": ...}`); exit `code`."""
    if json_output:
        typer.echo(json.dumps({"ok": False, "error": message, **({"internal": True} if internal else {})}))
    typer.echo(f"{'internal error' if internal else 'error'}: {message}", err=True)
    raise typer.Exit(code)
