"""`mixer setup --zkey`: a key from a snarkjs phase-2 ceremony, used by a pool end to end."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from tests.support.cli_helpers import env, run, run_json
from tests.support.snarkjs_cli import run as run_tool
from tests.support.snarkjs_cli import snarkjs
from tests.support.tools import cached_artifact, node_tool

CIRCUIT = "withdraw-poseidon-1"
"""698 constraints: the smallest withdrawal circuit, inside a 2^10 powers of tau."""


def _ptau_1024(dest: Path) -> None:
    dest.mkdir(parents=True)
    tool = node_tool("snarkjs")
    run_tool([tool, "powersoftau", "new", "bn128", "10", "pot0.ptau"], dest)
    run_tool([tool, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "-e=mixer cli tests"], dest)
    run_tool([tool, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"], dest)


def test_a_ceremony_zkey_is_imported_and_proves_withdrawals_on_chain(tmp_path: Path) -> None:
    ptau = cached_artifact("ptau-bn128-10-v1", _ptau_1024) / "pot.ptau"
    home, work = tmp_path / "home", tmp_path / "ceremony"
    work.mkdir()
    environ = env(MIXER_TREE_DEPTH="1")
    run(home, "snark", "export-r1cs", CIRCUIT, str(work / "c.r1cs"), environ=environ)
    for args in (
        ("groth16", "setup", "c.r1cs", ptau, "c0.zkey"),
        ("zkey", "contribute", "c0.zkey", "c1.zkey", "-e=first contributor"),
        ("zkey", "contribute", "c1.zkey", "c2.zkey", "-e=second contributor"),
        ("zkey", "export", "verificationkey", "c2.zkey", "vk.json"),
    ):
        proc = snarkjs(*args, cwd=work)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    installed = run_json(home, "setup", "--zkey", str(work / "c2.zkey"), environ=environ)
    assert installed["circuit"] == CIRCUIT and installed["dev"] is False
    ours = json.loads(Path(str(installed["verifyingKey"])).read_text())
    theirs = json.loads((work / "vk.json").read_text())
    for field in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC", "nPublic"):
        assert ours[field] == theirs[field], field

    run_json(home, "deploy", environ=environ)
    note = str(run_json(home, "deposit", environ=environ)["note"])
    fresh = Account.create().address
    assert run_json(home, "withdraw", note, "--to", fresh, environ=environ)["received"] == 10**17
