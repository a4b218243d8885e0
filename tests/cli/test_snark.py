"""`mixer snark ...`: the snarkjs-style workflow end to end, with snarkjs checking our files."""

from __future__ import annotations

import copy
import functools
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mixer.field import R
from mixer.snark import groth16
from mixer.snark.snarkjs import vk_from_snarkjs
from tests.support.snark_circuits import withdraw_example
from tests.support.snarkjs_cli import ptau, snarkjs
from tests.support.snarkjs_toy import toy_dir
from wallet_cli.app import app

CIRCUIT = "withdraw-poseidon-1"


def mixer(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["snark", *map(str, args)])


def one_line_error(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("error:") and text in lines[-1], result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dev key, its verifying key, an input file and a proof, all made through the CLI."""
    d = tmp_path_factory.mktemp("snark-cli")
    (d / "input.json").write_text(json.dumps(withdraw_example("poseidon", 1, seed=3)))
    for args in (
        ("setup", CIRCUIT, d / "w.key", "--dev", "--seed", "9"),
        ("export-vk", d / "w.key", d / "vk.json"),
        ("prove", CIRCUIT, d / "w.key", d / "input.json", d / "proof.json", d / "public.json"),
    ):
        result = mixer(*args)
        assert result.exit_code == 0, result.output
    return d


def test_setup_prove_verify_round_trip(flow: Path) -> None:
    result = mixer("verify", flow / "vk.json", flow / "public.json", flow / "proof.json")
    assert result.exit_code == 0 and "valid proof" in result.output
    public = json.loads((flow / "public.json").read_text())
    inputs = json.loads((flow / "input.json").read_text())
    assert public == [inputs["root"], inputs["nullifierHash"], inputs["extDataHash"]]


def test_snarkjs_verifies_the_cli_proof(flow: Path) -> None:
    proc = snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=flow)
    assert proc.returncode == 0 and "OK!" in proc.stdout, proc.stdout + proc.stderr


def test_verify_exits_1_for_a_changed_public_input_or_alias(flow: Path, tmp_path: Path) -> None:
    public = json.loads((flow / "public.json").read_text())
    for changed in (str(int(public[2]) + 1), str(int(public[2]) + R)):
        (tmp_path / "public.json").write_text(json.dumps([public[0], public[1], changed]))
        result = mixer("verify", flow / "vk.json", tmp_path / "public.json", flow / "proof.json")
        assert result.exit_code == 1 and "invalid proof" in result.output


def tampered_proofs(proof: dict[str, Any]) -> list[dict[str, Any]]:
    """proof.json with each of its 8 coordinates bumped, each point the identity or off the
    curve, a coordinate >= 2^256 and a projective z other than 0 or 1 (all numbers that
    encode no acceptable point: an invalid proof, not an unusable file)."""
    paths = [("pi_a", i) for i in (0, 1)] + [("pi_b", i, j) for i in (0, 1) for j in (0, 1)]
    paths += [("pi_c", i) for i in (0, 1)]
    out = []
    for path in paths:
        changed = copy.deepcopy(proof)
        *outer, last = path
        holder = functools.reduce(lambda node, key: node[key], outer, changed)
        holder[last] = str(int(holder[last]) + 1)
        out.append(changed)
    identity_g1, identity_g2 = ["0", "1", "0"], [["0", "0"], ["1", "0"], ["0", "0"]]
    off_g1, off_g2 = ["1", "3", "1"], [["1", "2"], ["3", "4"], ["1", "0"]]
    for name, identity, off in (("pi_a", identity_g1, off_g1), ("pi_b", identity_g2, off_g2)):
        out += [{**proof, name: identity}, {**proof, name: off}]
    out += [{**proof, "pi_c": identity_g1}, {**proof, "pi_c": off_g1}]
    out.append({**proof, "pi_a": [str(2**256 + int(proof["pi_a"][0])), proof["pi_a"][1], "1"]})
    out.append({**proof, "pi_c": [*proof["pi_c"][:2], "2"]})
    out.append({**proof, "pi_b": [*proof["pi_b"][:2], ["1", "1"]]})
    return out


def test_verify_exits_1_for_each_tampered_proof(flow: Path, tmp_path: Path) -> None:
    proof = json.loads((flow / "proof.json").read_text())
    bad = tampered_proofs(proof)
    assert len(bad) == 8 + 6 + 3 and proof not in bad
    for changed in bad:
        (tmp_path / "proof.json").write_text(json.dumps(changed))
        result = mixer("verify", flow / "vk.json", flow / "public.json", tmp_path / "proof.json")
        assert result.exit_code == 1, (changed, result.output)
        assert result.output.strip() == "invalid proof" and "Traceback" not in result.output


def test_verify_exits_2_for_unusable_files(flow: Path, tmp_path: Path) -> None:
    (tmp_path / "garbage.json").write_text("{not json")
    proof = json.loads((flow / "proof.json").read_text())
    (tmp_path / "shape.json").write_text(json.dumps({**proof, "pi_a": ["x", "1", "1"]}))
    (tmp_path / "short.json").write_text(json.dumps(["1"]))
    (tmp_path / "huge.json").write_text("[" + "9" * 4301 + ', "1", "1"]')  # past Python's int-string limit
    vk = json.loads((flow / "vk.json").read_text())
    vk["vk_alpha_1"][1] = str(int(vk["vk_alpha_1"][1]) + 1)
    (tmp_path / "bad_vk.json").write_text(json.dumps(vk))
    cases = [
        (flow / "vk.json", flow / "public.json", tmp_path / "missing.json", "not found"),
        (flow / "vk.json", flow / "public.json", tmp_path / "garbage.json", "not valid JSON"),
        (flow / "vk.json", flow / "public.json", tmp_path / "shape.json", "pi_a"),
        (flow / "proof.json", flow / "public.json", flow / "proof.json", "verification key"),
        (flow / "vk.json", tmp_path / "short.json", flow / "proof.json", "expects 3 public signals"),
        (flow / "vk.json", tmp_path / "huge.json", flow / "proof.json", "number too large to read"),
        (tmp_path / "bad_vk.json", flow / "public.json", flow / "proof.json", "vk_alpha_1"),
    ]
    for vk, public, proof, text in cases:
        one_line_error(mixer("verify", vk, public, proof), 2, text)


def test_setup_requires_dev_flag(tmp_path: Path) -> None:
    one_line_error(mixer("setup", CIRCUIT, tmp_path / "k.key"), 1, "--dev")
    assert not (tmp_path / "k.key").exists()


def test_unwritable_or_unreadable_paths_are_one_line_errors(flow: Path, tmp_path: Path) -> None:
    one_line_error(mixer("setup", CIRCUIT, tmp_path / "no" / "k.key", "--dev"), 1, "does not exist")
    one_line_error(mixer("export-r1cs", CIRCUIT, tmp_path / "no" / "c.r1cs"), 1, "cannot write")
    one_line_error(mixer("export-vk", tmp_path / "missing.key", tmp_path / "vk.json"), 1, "missing.key")
    one_line_error(mixer("verify", tmp_path, flow / "public.json", flow / "proof.json"), 2, "cannot read")


def test_the_script_runs_snark_commands_without_loading_the_chain_libraries(flow: Path) -> None:
    """`mixer snark verify` as the script runs it: valid, and web3 / py-evm never imported
    (they cost over a second of start-up, and an auditor's check needs neither)."""
    script = (
        "import json, sys\n"
        "from wallet_cli.main import main\n"
        "sys.argv = ['mixer', '--json', 'snark', 'verify', *sys.argv[1:]]\n"
        "code = None\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "names = ('web3', 'eth_tester', 'eth_account', 'mixer.chain')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    files = [flow / "vk.json", flow / "public.json", flow / "proof.json"]
    proc = subprocess.run(
        [sys.executable, "-c", script, *map(str, files)], capture_output=True, text=True, check=False
    )
    assert json.loads(proc.stdout) == {"ok": True, "valid": True}, proc.stdout + proc.stderr
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}, proc.stderr


def test_prove_runs_beside_no_progress_thread(
    flow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress bar must not add a thread while proving: the prover forks its workers
    only from a single-threaded process, and falls back to the slower forkserver otherwise."""
    threads_during_prove: list[int] = []
    real_prove = groth16.prove

    def counting_prove(*args: Any, **kwargs: Any) -> Any:
        threads_during_prove.append(threading.active_count())
        return real_prove(*args, **kwargs)

    monkeypatch.setattr(groth16, "prove", counting_prove)
    before = threading.active_count()
    result = mixer(
        "prove", CIRCUIT, flow / "w.key", flow / "input.json", tmp_path / "p.json", tmp_path / "q.json"
    )
    assert result.exit_code == 0, result.output
    assert threads_during_prove == [before]
    assert json.loads((tmp_path / "q.json").read_text()) == json.loads((flow / "public.json").read_text())


def test_prove_refuses_a_key_made_for_another_circuit(flow: Path, tmp_path: Path) -> None:
    (tmp_path / "input.json").write_text(json.dumps(withdraw_example("poseidon", 2)))
    result = mixer(
        "prove",
        "withdraw-poseidon-2",
        flow / "w.key",
        tmp_path / "input.json",
        tmp_path / "p.json",
        tmp_path / "q.json",
    )
    one_line_error(result, 1, "another circuit")
    assert not (tmp_path / "p.json").exists()


def test_prove_reports_inputs_that_violate_the_circuit(flow: Path, tmp_path: Path) -> None:
    inputs = json.loads((flow / "input.json").read_text())
    inputs["root"] = str(int(inputs["root"]) ^ 1)
    (tmp_path / "input.json").write_text(json.dumps(inputs))
    result = mixer(
        "prove", CIRCUIT, flow / "w.key", tmp_path / "input.json", tmp_path / "p.json", tmp_path / "q.json"
    )
    one_line_error(result, 1, "not satisfied")


def test_unknown_circuit_is_one_line_error(tmp_path: Path) -> None:
    one_line_error(mixer("export-r1cs", "withdraw-sha256-3", tmp_path / "x.r1cs"), 1, "unknown circuit")


def test_exported_r1cs_and_witness_pass_snarkjs_wtns_check(flow: Path, tmp_path: Path) -> None:
    assert mixer("export-r1cs", CIRCUIT, tmp_path / "c.r1cs").exit_code == 0
    assert mixer("witness", CIRCUIT, flow / "input.json", tmp_path / "c.wtns").exit_code == 0
    proc = snarkjs("wtns", "check", "c.r1cs", "c.wtns", cwd=tmp_path)
    assert proc.returncode == 0 and "WITNESS IS CORRECT" in proc.stdout, proc.stdout + proc.stderr


def test_export_vk_from_a_snarkjs_zkey_matches_snarkjs_export(tmp_path: Path) -> None:
    toy = toy_dir()
    assert mixer("export-vk", toy / "toy.zkey", tmp_path / "vk.json").exit_code == 0
    ours = vk_from_snarkjs(json.loads((tmp_path / "vk.json").read_text()))
    assert ours == vk_from_snarkjs(json.loads((toy / "vk.json").read_text()))


def test_auditor_workflow_with_a_snarkjs_ceremony_key(flow: Path, tmp_path: Path) -> None:
    """docs/snark.md's ceremony path: export the R1CS, phase 2 in snarkjs, prove with the .zkey
    here, verify with snarkjs and here; a .zkey for another circuit is refused."""
    assert mixer("export-r1cs", CIRCUIT, tmp_path / "w.r1cs").exit_code == 0
    for args in (
        ("groth16", "setup", "w.r1cs", ptau(10), "w_0.zkey"),
        ("zkey", "contribute", "w_0.zkey", "w.zkey", "-e=auditor test"),
    ):
        proc = snarkjs(*args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    d = tmp_path
    for args in (
        ("export-vk", d / "w.zkey", d / "vk.json"),
        ("prove", CIRCUIT, d / "w.zkey", flow / "input.json", d / "proof.json", d / "public.json"),
        ("verify", d / "vk.json", d / "public.json", d / "proof.json"),
    ):
        result = mixer(*args)
        assert result.exit_code == 0, result.output
    proc = snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path)
    assert proc.returncode == 0 and "OK!" in proc.stdout, proc.stdout + proc.stderr

    (tmp_path / "in2.json").write_text(json.dumps(withdraw_example("mimcsponge", 1)))
    result = mixer(
        "prove", "withdraw-mimcsponge-1", d / "w.zkey", d / "in2.json", d / "p2.json", d / "q2.json"
    )
    one_line_error(result, 1, "another circuit")


def json_result(*args: str | Path) -> tuple[int, dict[str, object]]:
    """Exit code and the one JSON object on stdout of `mixer --json snark ...`."""
    result = CliRunner().invoke(app, ["--json", "snark", *map(str, args)])
    return result.exit_code, json.loads(result.stdout)


def test_with_json_every_step_prints_one_object(flow: Path, tmp_path: Path) -> None:
    code, out = json_result("export-r1cs", CIRCUIT, tmp_path / "c.r1cs")
    assert code == 0 and out["ok"] is True and out["file"] == str(tmp_path / "c.r1cs")
    assert (tmp_path / "c.r1cs").exists() and out["publicInputs"] == 3
    code, out = json_result(
        "prove", CIRCUIT, flow / "w.key", flow / "input.json", tmp_path / "p.json", tmp_path / "pub.json"
    )
    assert code == 0 and out["publicSignals"] == json.loads((tmp_path / "pub.json").read_text())
    assert json_result("verify", flow / "vk.json", tmp_path / "pub.json", tmp_path / "p.json") == (
        0,
        {"ok": True, "valid": True},
    )
    public = json.loads((tmp_path / "pub.json").read_text())
    (tmp_path / "pub.json").write_text(json.dumps([public[0], str(int(public[1]) + 1), public[2]]))
    code, out = json_result("verify", flow / "vk.json", tmp_path / "pub.json", tmp_path / "p.json")
    assert (code, out["ok"], out["valid"]) == (1, False, False)
    code, out = json_result("verify", flow / "vk.json", tmp_path / "missing.json", tmp_path / "p.json")
    assert code == 2 and out["ok"] is False and "not found" in str(out["error"])
