"""The shape of the code, checked from its source: no import cycles, the order that
docs/architecture.md states is the real import order, and the command line reaches the chain
only through `mixer.chain`'s public API.

Imports are read from the AST of every module of `mixer`, `circuits` and `wallet_cli`: every
`import` and `from ... import` statement, wherever it stands (inside functions, under
`if TYPE_CHECKING:`), so a lazy import cannot hide a cycle. `from a.b import c` is an edge
to the module `a.b.c` when there is one, else to `a.b`. Importing `a.b.c` also runs the
`__init__` of `a` and `a.b`; those implicit edges are not counted (a package that re-exports
its modules would otherwise be in a cycle with each of them), only the module named.

Three graphs are checked:

- modules: every module is a node;
- top-level packages: `mixer`, `circuits` and `wallet_cli` are the nodes (a module belongs
  to its top-level folder);
- units, the granularity docs/architecture.md uses: a subpackage of a top-level package
  (`mixer/snark/`, `mixer/chain/`, `circuits/gadgets/`, `wallet_cli/commands/`, ...) is
  one node with all its modules, and a module directly in a top-level folder
  (`mixer/note.py`, `wallet_cli/session.py`, a top-level `__init__.py`) is a node of its
  own. A subpackage cannot be a node together with the top-level package's own modules:
  `mixer/withdrawal.py` uses `mixer/chain/`, which uses `mixer/params.py`, and that is a
  layering, not a cycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("mixer", "circuits", "wallet_cli")

KNOWN_MODULE_CYCLES: frozenset[frozenset[str]] = frozenset()
"""Module cycles that are known and about to be removed (none: keep it so)."""


@cache
def modules() -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the three packages."""
    found: dict[str, Path] = {}
    for top in TOP_LEVEL:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _known(name: str) -> str | None:
    """`name` or its nearest enclosing module that is one of ours; None for other packages."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def imported_by(module: str) -> set[str]:
    """The modules of ours that `module` imports anywhere in its source."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            targets = [base + "." + alias.name for alias in node.names]
            targets = [t if t in modules() else base for t in targets]
        for target in targets:
            known = _known(target)
            if known is not None and known != module:
                found.add(known)
    return found


@cache
def module_graph() -> dict[str, frozenset[str]]:
    return {m: frozenset(imported_by(m)) for m in modules()}


def unit(module: str) -> str:
    """The node of `module` in the unit graph (see the module docstring)."""
    parts = module.split(".")
    if len(parts) >= 2 and (ROOT / parts[0] / parts[1]).is_dir():
        return ".".join(parts[:2])
    return module


def collapse(key: Callable[[str], str]) -> dict[str, set[str]]:
    """The module graph with every module replaced by `key(module)` (self-edges dropped)."""
    graph: dict[str, set[str]] = {}
    for module, targets in module_graph().items():
        node = key(module)
        graph.setdefault(node, set())
        graph[node] |= {key(t) for t in targets if key(t) != node}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_scan_sees_every_kind_of_import() -> None:
    graph = module_graph()
    assert "wallet_cli.app" in graph["wallet_cli.main"]  # imported inside main()
    assert "mixer.chain.backend" in graph["wallet_cli.errors"]  # inside user_message
    assert "mixer.backup" in graph["wallet_cli.view"]  # under TYPE_CHECKING
    assert {"mixer.snark.circuit", "mixer.params"} <= graph["circuits.withdraw"]  # from ... import
    assert "mixer.chain.backend" in graph["wallet_cli.session"]  # `from mixer.chain import backend`
    assert len(modules()) > 60


def test_no_import_cycle_among_modules() -> None:
    found = set(cycles({m: set(t) for m, t in module_graph().items()}))
    assert not found - KNOWN_MODULE_CYCLES, f"import cycles among modules: {[sorted(c) for c in found]}"
    gone = KNOWN_MODULE_CYCLES - found
    assert not gone, f"no longer cycles, remove them from KNOWN_MODULE_CYCLES: {[sorted(c) for c in gone]}"


def test_no_import_cycle_among_top_level_packages() -> None:
    graph = collapse(lambda m: m.partition(".")[0])
    assert not cycles(graph), graph
    # the order docs/architecture.md states: mixer <- circuits <- wallet_cli
    assert graph == {"mixer": set(), "circuits": {"mixer"}, "wallet_cli": {"mixer", "circuits"}}


def test_no_import_cycle_among_subpackages_and_modules() -> None:
    found = cycles(collapse(unit))
    assert not found, f"import cycles among packages: {[sorted(c) for c in found]}"


# -- docs/architecture.md states the real order --------------------------------------------------


def documented_order() -> list[set[str]]:
    """The units named in each row of the package table of docs/architecture.md, in order."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("## Packages in import order", 1)[1].split("\n## ", 1)[0]
    rows: list[set[str]] = []
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names = set()
        for path in re.findall(r"`([^`]+)`", first_cell):
            dotted = path.removesuffix("/").removesuffix(".py").replace("/", ".").removesuffix(".__init__")
            assert dotted in modules(), f"docs/architecture.md names {path}, which is not a module"
            names.add(unit(dotted))
        rows.append(names)
    return rows


def test_the_documented_package_order_is_the_import_order() -> None:
    """Each row of the table imports only from rows above it (or its own row)."""
    rows = documented_order()
    row_of = {name: i for i, names in enumerate(rows) for name in names}
    units = {unit(m) for m in modules()}
    assert units <= set(row_of), f"units missing from docs/architecture.md: {sorted(units - set(row_of))}"
    wrong = [
        f"{source} (row {row_of[source] + 1}) imports {target} (row {row_of[target] + 1})"
        for source, targets in collapse(unit).items()
        for target in targets
        if row_of[target] > row_of[source]
    ]
    assert not wrong, "docs/architecture.md's order is not the import order:\n" + "\n".join(wrong)


# -- the command line reaches the chain only through mixer.chain's public API --------------------


def cli_sources() -> Iterator[tuple[Path, str]]:
    for path in sorted((ROOT / "wallet_cli").rglob("*.py")):
        yield path, path.read_text()


def private_chain_uses(source: str) -> list[str]:
    """`_`-prefixed names imported from `mixer.chain` modules, or read as attributes of
    anything imported from them (a module, a class such as `Sender`)."""
    tree = ast.parse(source)
    bound: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mixer.chain"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"from {node.module} import {alias.name}")
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mixer.chain"):
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        found.append(f"import {alias.name}")
                    bound.add(alias.asname or alias.name.partition(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            root: ast.expr = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                found.append(ast.unparse(node))
    return found


def test_the_cli_sends_and_reads_only_through_mixer_chain() -> None:
    offending = [
        f"{path.relative_to(ROOT)}: {needle}"
        for path, source in cli_sources()
        for needle in ("contract.functions", ".functions.", ".functions(", "send_checked")
        if needle in source
    ]
    for path, source in cli_sources():
        offending += [f"{path.relative_to(ROOT)}: {use}" for use in private_chain_uses(source)]
    assert not offending, "wallet_cli reaches past mixer.chain's public API:\n" + "\n".join(offending)


def test_the_private_name_check_catches_what_it_should() -> None:
    assert private_chain_uses("from mixer.chain.client import _revert_data\n") == [
        "from mixer.chain.client import _revert_data"
    ]
    assert private_chain_uses("from mixer.chain.client import Sender\nSender._named(e, abi)\n") == [
        "Sender._named"
    ]
    assert private_chain_uses("import mixer.chain.backend\nmixer.chain.backend._lock(p)\n") == [
        "mixer.chain.backend._lock"
    ]
    assert private_chain_uses("from mixer.chain import backend as b\nb._SqliteStore\n") == ["b._SqliteStore"]
    assert private_chain_uses("from mixer.chain.client import Sender\nSender.send\nx._y\n") == []
