"""Both directions with snarkjs (an independent Groth16 implementation): our files, keys and
proofs are accepted by snarkjs, and snarkjs's keys and proofs by us."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from circuits import registry
from mixer.snark import groth16, iden3
from mixer.snark.files import load_key
from mixer.snark.groth16 import DevSetupWarning
from mixer.snark.snarkjs import (
    proof_from_snarkjs,
    proof_to_snarkjs,
    public_from_snarkjs,
    public_to_snarkjs,
    vk_from_snarkjs,
    vk_to_snarkjs,
)
from tests.support.snark_circuits import CUBIC_INPUTS, cubic, withdraw_example
from tests.support.snarkjs_cli import ptau, snarkjs

PUBLIC = [CUBIC_INPUTS["x"], CUBIC_INPUTS["y"], CUBIC_INPUTS["z"]]


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


def snarkjs_verifies(folder: Path, vk: dict[str, Any], public: list[int], proof: dict[str, Any]) -> bool:
    write_json(folder / "vk.json", vk)
    write_json(folder / "public.json", public_to_snarkjs(public))
    write_json(folder / "proof.json", proof)
    proc = snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=folder)
    accepted = proc.returncode == 0 and "OK!" in proc.stdout
    rejected = proc.returncode != 0 and "Invalid proof" in proc.stdout + proc.stderr
    assert accepted or rejected, f"snarkjs gave no verdict:\n{proc.stdout}\n{proc.stderr}"
    return accepted


def ok(proc: Any) -> None:
    assert proc.returncode == 0, f"snarkjs failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def ceremony(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our .r1cs and .wtns, and a snarkjs phase-2 key for them with one real contribution."""
    folder = tmp_path_factory.mktemp("ceremony")
    (folder / "cubic.r1cs").write_bytes(iden3.write_r1cs(cubic().compile()))
    (folder / "cubic.wtns").write_bytes(iden3.write_wtns(cubic(CUBIC_INPUTS).witness()))
    ok(snarkjs("groth16", "setup", "cubic.r1cs", ptau(), "cubic_0.zkey", cwd=folder))
    ok(snarkjs("zkey", "contribute", "cubic_0.zkey", "cubic.zkey", "-e=interop test", cwd=folder))
    ok(snarkjs("zkey", "export", "verificationkey", "cubic.zkey", "vk.json", cwd=folder))
    return folder


@pytest.mark.parametrize("name", ["withdraw-poseidon-1", "withdraw-mimcsponge-1"])
def test_snarkjs_wtns_check_accepts_our_r1cs_and_wtns(name: str, tmp_path: Path) -> None:
    inputs = withdraw_example(name.split("-")[1], 1)
    (tmp_path / "c.r1cs").write_bytes(iden3.write_r1cs(registry.compile(name)))
    (tmp_path / "c.wtns").write_bytes(iden3.write_wtns(registry.witness(name, inputs)))
    proc = snarkjs("wtns", "check", "c.r1cs", "c.wtns", cwd=tmp_path)
    assert proc.returncode == 0 and "WITNESS IS CORRECT" in proc.stdout, proc.stdout + proc.stderr


def test_snarkjs_wtns_check_rejects_a_wrong_witness(tmp_path: Path) -> None:
    witness = cubic(CUBIC_INPUTS).witness()
    witness[-1] += 1
    (tmp_path / "c.r1cs").write_bytes(iden3.write_r1cs(cubic().compile()))
    (tmp_path / "c.wtns").write_bytes(iden3.write_wtns(witness))
    proc = snarkjs("wtns", "check", "c.r1cs", "c.wtns", cwd=tmp_path)
    assert "WITNESS IS CORRECT" not in proc.stdout


def test_snarkjs_verifies_our_proof_with_our_dev_key(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevSetupWarning)
        pk = groth16.setup(cubic().compile(), seed=11)
    proof = groth16.prove(pk, cubic(CUBIC_INPUTS).witness())
    vk = vk_to_snarkjs(pk.vk)
    assert snarkjs_verifies(tmp_path, vk, PUBLIC, proof_to_snarkjs(proof))
    assert not snarkjs_verifies(tmp_path, vk, [PUBLIC[0] + 1, *PUBLIC[1:]], proof_to_snarkjs(proof))


def test_our_verifier_accepts_snarkjs_proof_from_snarkjs_key(ceremony: Path) -> None:
    ok(
        snarkjs(
            "groth16", "prove", "cubic.zkey", "cubic.wtns", "sj_proof.json", "sj_public.json", cwd=ceremony
        )
    )
    public = public_from_snarkjs(json.loads((ceremony / "sj_public.json").read_text()))
    assert public == PUBLIC
    proof = proof_from_snarkjs(json.loads((ceremony / "sj_proof.json").read_text()))
    vk = vk_from_snarkjs(json.loads((ceremony / "vk.json").read_text()))
    assert groth16.verify(vk, public, proof)
    assert not groth16.verify(vk, [public[0], public[1] + 1, public[2]], proof)


def test_zkey_import_gives_the_verifying_key_snarkjs_exports(ceremony: Path) -> None:
    pk = load_key(ceremony / "cubic.zkey")
    assert pk.vk == vk_from_snarkjs(json.loads((ceremony / "vk.json").read_text()))
    assert pk.circuit_digest is None
    pk.check_circuit(cubic().compile())


def test_snarkjs_verifies_our_proof_made_with_snarkjs_zkey(ceremony: Path) -> None:
    pk = load_key(ceremony / "cubic.zkey")
    proof = groth16.prove(pk, cubic(CUBIC_INPUTS).witness())
    vk = json.loads((ceremony / "vk.json").read_text())
    assert snarkjs_verifies(ceremony, vk, PUBLIC, proof_to_snarkjs(proof))
    assert groth16.verify(pk.vk, PUBLIC, proof)


def test_zkey_written_by_us_reads_back_unchanged(ceremony: Path) -> None:
    pk = load_key(ceremony / "cubic.zkey")
    again = iden3.read_zkey(iden3.write_zkey(pk))
    assert again.vk == pk.vk and again.qap == pk.qap
    assert (again.beta1, again.delta1) == (pk.beta1, pk.delta1)
    assert (again.a_points, again.b1_points, again.b2_points) == (pk.a_points, pk.b1_points, pk.b2_points)
    assert (again.c_points, again.h_points) == (pk.c_points, pk.h_points)


def test_snarkjs_proves_with_our_dev_key_and_contributes_to_it(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevSetupWarning)
        pk = groth16.setup(cubic().compile(), seed=12)
    (tmp_path / "ours.zkey").write_bytes(iden3.write_zkey(pk))
    (tmp_path / "cubic.wtns").write_bytes(iden3.write_wtns(cubic(CUBIC_INPUTS).witness()))
    ok(snarkjs("groth16", "prove", "ours.zkey", "cubic.wtns", "p.json", "pub.json", cwd=tmp_path))
    proof = proof_from_snarkjs(json.loads((tmp_path / "p.json").read_text()))
    assert groth16.verify(pk.vk, PUBLIC, proof)

    ok(snarkjs("zkey", "contribute", "ours.zkey", "next.zkey", "-e=phase 2 on our key", cwd=tmp_path))
    contributed = load_key(tmp_path / "next.zkey")
    assert contributed.vk.delta2 != pk.vk.delta2 and contributed.vk.alpha1 == pk.vk.alpha1
    proof = groth16.prove(contributed, cubic(CUBIC_INPUTS).witness())
    assert groth16.verify(contributed.vk, PUBLIC, proof)
    assert not groth16.verify(pk.vk, PUBLIC, proof)
