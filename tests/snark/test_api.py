"""`mixer.snark`'s public API: every name resolves, type checkers see the same names, and
importing one submodule does not load the prover."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mixer.snark as snark


def test_every_public_name_is_its_module_s_own() -> None:
    for name in snark.__all__:
        module = snark._HOME_OF[name]
        assert getattr(snark, name) is getattr(sys.modules[module], name), name


def test_type_checkers_see_the_names_loaded_at_run_time() -> None:
    tree = ast.parse(Path(snark.__file__).read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    seen = {
        (node.module, alias.name)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name
    }
    assert seen == {(module, name) for name, module in snark._HOME_OF.items()}


def test_a_submodule_alone_does_not_load_the_prover() -> None:
    script = (
        "import sys, mixer.snark.circuit, mixer.snark.proof\n"
        "print(sorted(m for m in ('mixer.snark.groth16', 'mixer.snark.workers', 'mixer.snark.iden3') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
