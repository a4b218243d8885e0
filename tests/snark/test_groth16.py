"""Groth16 setup / prove / verify: valid proofs verify, and every tampering is rejected cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from circuits import registry
from mixer import fastint
from mixer.bn254 import (
    G1_GEN,
    G2,
    G2_GEN,
    P,
    g1_add,
    g1_is_on_curve,
    g1_mul,
    g1_neg,
    g2_in_subgroup,
    g2_is_on_curve,
    g2_mul,
    msm_g1,
    msm_g2,
)
from mixer.bn254.fields import f2, f2_add, f2_int, f2_mul, f2_sqr, f2_sqrt
from mixer.bn254.g2 import B2
from mixer.field import R
from mixer.hashes import mimc_sponge, poseidon
from mixer.processes import context, fork_is_safe
from mixer.snark import groth16, keyfile
from mixer.snark.errors import SnarkFormatError
from mixer.snark.files import load_key, save_key
from mixer.snark.groth16 import DevSetupWarning, WitnessError
from mixer.snark.keys import KeyMismatchError, ProvingKey
from mixer.snark.proof import Proof
from mixer.snark.r1cs import R1CS
from mixer.snark.snarkjs import proof_from_snarkjs, proof_to_snarkjs, vk_from_snarkjs, vk_to_snarkjs
from tests.support.snark_circuits import CUBIC_INPUTS, cubic, withdraw_example
from tests.support.tools import ROOT

PUBLIC = [CUBIC_INPUTS["x"], CUBIC_INPUTS["y"], CUBIC_INPUTS["z"]]


def quiet_setup(circuit_r1cs: object, seed: int) -> ProvingKey:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevSetupWarning)
        return groth16.setup(circuit_r1cs, seed=seed)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def key() -> ProvingKey:
    return quiet_setup(cubic().compile(), seed=1)


@pytest.fixture(scope="module")
def proof(key: ProvingKey) -> Proof:
    return groth16.prove(key, cubic(CUBIC_INPUTS).witness())


def test_valid_proof_verifies(key: ProvingKey, proof: Proof) -> None:
    assert groth16.verify(key.vk, PUBLIC, proof)


def test_proofs_are_randomized_and_all_verify(key: ProvingKey, proof: Proof) -> None:
    again = groth16.prove(key, cubic(CUBIC_INPUTS).witness())
    assert again != proof
    assert groth16.verify(key.vk, PUBLIC, again)


@pytest.mark.parametrize("workers", [1, 2, 3, 6])  # 6: more processes than sums to share
def test_proofs_from_forked_workers_verify(key: ProvingKey, workers: int) -> None:
    proof = groth16.prove(key, cubic(CUBIC_INPUTS).witness(), workers=workers)
    assert groth16.verify(key.vk, PUBLIC, proof)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_proofs_with_precomputed_tables_verify(key: ProvingKey, workers: int) -> None:
    tables = groth16.precompute(key, workers=workers)
    for _ in range(2):  # the helpers keep their tables from one proof to the next
        proof = groth16.prove(key, cubic(CUBIC_INPUTS).witness(), tables=tables)
        assert groth16.verify(key.vk, PUBLIC, proof)
    tables.close()


def test_closed_tables_are_refused(key: ProvingKey) -> None:
    tables = groth16.precompute(key, workers=2)
    tables.close()
    with pytest.raises(RuntimeError, match="closed"):
        groth16.prove(key, cubic(CUBIC_INPUTS).witness(), tables=tables)


def test_proof_with_tables_survives_a_dead_helper(key: ProvingKey) -> None:
    tables = groth16.precompute(key, workers=2)
    for helper in tables.held._helpers:
        for process in helper._processes.values():  # type: ignore[union-attr]
            process.kill()
            process.join()
    proof = groth16.prove(key, cubic(CUBIC_INPUTS).witness(), tables=tables)
    assert groth16.verify(key.vk, PUBLIC, proof)
    tables.close()


@pytest.fixture
def another_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A second Python thread (as a progress bar's refresh thread), and os.fork failing:
    beside a thread, no worker may be forked (a lock that thread holds would be copied
    held into the child: see mixer.snark.workers)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()

    def no_fork() -> int:
        raise AssertionError("forked while another thread runs")

    monkeypatch.setattr(os, "fork", no_fork)
    yield
    stop.set()
    thread.join()


def test_fork_is_chosen_only_without_other_threads(another_thread: None) -> None:
    assert not fork_is_safe()
    assert context().get_start_method() == "forkserver"


def test_proofs_beside_another_thread_come_from_unforked_workers(
    key: ProvingKey, another_thread: None
) -> None:
    witness = cubic(CUBIC_INPUTS).witness()
    assert groth16.verify(key.vk, PUBLIC, groth16.prove(key, witness, workers=2))
    tables = groth16.precompute(key, workers=3)
    for helper in tables.held._helpers:
        for process in helper._processes.values():  # type: ignore[union-attr]
            assert process.pid is not None and _parent_pid(process.pid) != os.getpid()
    assert groth16.verify(key.vk, PUBLIC, groth16.prove(key, witness, tables=tables))
    tables.close()


def _parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_tables_of_another_key_are_refused(key: ProvingKey) -> None:
    other = quiet_setup(cubic().compile(), seed=2)
    with pytest.raises(KeyMismatchError, match="another proving key"):
        groth16.prove(key, cubic(CUBIC_INPUTS).witness(), tables=groth16.precompute(other, workers=1))


def test_setup_warns_that_it_is_single_party() -> None:
    with pytest.warns(DevSetupWarning, match="forge"):
        groth16.setup(cubic().compile(), seed=5)


def test_seeded_setup_is_deterministic_and_seeds_differ(key: ProvingKey) -> None:
    r1cs = cubic().compile()
    assert quiet_setup(r1cs, seed=1).vk == key.vk
    other = quiet_setup(r1cs, seed=2)
    assert other.vk != key.vk
    assert quiet_setup(r1cs, seed=2).vk == other.vk


def test_proof_does_not_verify_under_another_key(key: ProvingKey, proof: Proof) -> None:
    other = quiet_setup(cubic().compile(), seed=3)
    assert not groth16.verify(other.vk, PUBLIC, proof)


def bump(p: tuple[int, int]) -> list[tuple[int, int]]:
    return [((p[0] + 1) % P, p[1]), (p[0], (p[1] + 1) % P)]


def tampered_coordinates(proof: Proof) -> list[Proof]:
    """The proof with each of its 8 coordinates changed by one."""
    assert proof.a is not None and proof.b is not None and proof.c is not None
    x, y = proof.b
    out = [replace(proof, a=p) for p in bump(proof.a)]
    out += [replace(proof, b=(c, y)) for c in bump(x)]
    out += [replace(proof, b=(x, c)) for c in bump(y)]
    out += [replace(proof, c=p) for p in bump(proof.c)]
    return out


def test_rejects_each_of_the_eight_coordinates_changed(key: ProvingKey, proof: Proof) -> None:
    bad = tampered_coordinates(proof)
    assert len(bad) == 8
    for p in bad:
        assert not groth16.verify(key.vk, PUBLIC, p)


def on_curve_tamperings(proof: Proof) -> list[Proof]:
    """Changes that keep every point a valid group element, so only the pairing equation
    can reject them."""
    assert proof.a is not None and proof.c is not None
    return [
        replace(proof, a=g1_neg(proof.a)),
        replace(proof, c=g1_neg(proof.c)),
        replace(proof, a=g1_add(proof.a, G1_GEN)),
        replace(proof, a=proof.c, c=proof.a),
        replace(proof, b=g2_mul(G2_GEN, 7)),
    ]


def test_rejects_tampering_that_stays_on_the_curve(key: ProvingKey, proof: Proof) -> None:
    for p in on_curve_tamperings(proof):
        assert p.a is not None and p.b is not None and p.c is not None
        assert g1_is_on_curve(p.a) and g1_is_on_curve(p.c)
        assert g2_is_on_curve(p.b) and g2_in_subgroup(p.b)
        assert not groth16.verify(key.vk, PUBLIC, p)


def test_rejects_each_public_input_changed(key: ProvingKey, proof: Proof) -> None:
    for i in range(len(PUBLIC)):
        public = list(PUBLIC)
        public[i] = (public[i] + 1) % R
        assert not groth16.verify(key.vk, public, proof)


def test_rejects_public_input_plus_r_alias(key: ProvingKey, proof: Proof) -> None:
    for i in range(len(PUBLIC)):
        public = list(PUBLIC)
        public[i] += R
        assert not groth16.verify(key.vk, public, proof)


def test_rejects_wrong_number_of_public_inputs(key: ProvingKey, proof: Proof) -> None:
    assert not groth16.verify(key.vk, PUBLIC[:-1], proof)
    assert not groth16.verify(key.vk, [*PUBLIC, 0], proof)


def test_rejects_identity_points(key: ProvingKey, proof: Proof) -> None:
    for p in (replace(proof, a=None), replace(proof, b=None), replace(proof, c=None)):
        assert not groth16.verify(key.vk, PUBLIC, p)


def test_rejects_points_off_the_curve_and_non_canonical_coordinates(key: ProvingKey, proof: Proof) -> None:
    assert proof.a is not None
    off = [replace(proof, a=(1, 3)), replace(proof, c=(0, 0)), replace(proof, b=((1, 2), (3, 4)))]
    off.append(replace(proof, a=(proof.a[0] + P, proof.a[1])))
    for p in off:
        assert not groth16.verify(key.vk, PUBLIC, p)


def twist_point_outside_g2() -> G2:
    """A point on the twist curve that is not in the order-r subgroup (small-subgroup attack)."""
    for x0 in range(1, 100):
        x = f2(x0, 1)
        y = f2_sqrt(f2_add(f2_mul(f2_sqr(x), x), B2))
        if y is not None:
            point = (f2_int(x), f2_int(y))
            if not g2_in_subgroup(point):
                return point
    raise AssertionError("no such point found")


def test_proof_numbers_that_encode_no_point_parse_as_an_invalid_proof(key: ProvingKey, proof: Proof) -> None:
    good = proof_to_snarkjs(proof)
    bad = [
        {**good, "pi_a": [str(2**256), good["pi_a"][1], "1"]},
        {**good, "pi_a": ["9" * 5000, good["pi_a"][1], "1"]},  # not even converted
        {**good, "pi_c": [*good["pi_c"][:2], "2"]},  # snarkjs would read a Jacobian point
        {**good, "pi_b": [*good["pi_b"][:2], ["1", "1"]]},
    ]
    for data in bad:
        parsed = proof_from_snarkjs(data)
        assert parsed.defect is not None
        assert not groth16.verify(key.vk, PUBLIC, parsed)
    assert proof_from_snarkjs(good) == proof and groth16.verify(key.vk, PUBLIC, proof_from_snarkjs(good))
    vk = vk_to_snarkjs(key.vk)
    with pytest.raises(SnarkFormatError, match="affine"):  # a key is held to more: unusable
        vk_from_snarkjs({**vk, "vk_alpha_1": [*vk["vk_alpha_1"][:2], "2"]})


def test_rejects_b_on_the_twist_but_outside_the_subgroup(key: ProvingKey, proof: Proof) -> None:
    bad_b = twist_point_outside_g2()
    assert g2_is_on_curve(bad_b)
    assert not groth16.verify(key.vk, PUBLIC, replace(proof, b=bad_b))


def test_rejects_malformed_values_without_raising(key: ProvingKey, proof: Proof) -> None:
    weird: list[object] = [
        replace(proof, a=("1", "2")),  # type: ignore[arg-type]
        replace(proof, b=(1, 2)),  # type: ignore[arg-type]
        replace(proof, c=(True, 2)),  # type: ignore[arg-type]
        "not a proof",
    ]
    for p in weird:
        assert not groth16.verify(key.vk, PUBLIC, p)  # type: ignore[arg-type]
    assert not groth16.verify(key.vk, [PUBLIC[0], "9", PUBLIC[2]], proof)  # type: ignore[list-item]
    assert not groth16.verify(key.vk, [-1, *PUBLIC[1:]], proof)
    assert not groth16.verify(key.vk, None, proof)  # type: ignore[arg-type]


def test_rejects_a_forgery_from_points_with_known_logs(key: ProvingKey) -> None:
    """Anyone can make group elements; without the toxic waste they do not satisfy the equation."""
    forged = Proof(a=g1_mul(G1_GEN, 5), b=G2_GEN, c=g1_add(G1_GEN, G1_GEN))
    assert not groth16.verify(key.vk, PUBLIC, forged)


def test_prove_rejects_malformed_witness(key: ProvingKey) -> None:
    witness = cubic(CUBIC_INPUTS).witness()
    with pytest.raises(WitnessError, match="wires"):
        groth16.prove(key, witness[:-1])
    with pytest.raises(WitnessError, match="constant 1"):
        groth16.prove(key, [2, *witness[1:]])
    with pytest.raises(WitnessError, match="canonical"):
        groth16.prove(key, [*witness[:-1], R])


def test_key_file_round_trips(key: ProvingKey, proof: Proof, tmp_path: Path) -> None:
    path = tmp_path / "cubic.key"
    save_key(key, path)
    loaded = load_key(path)
    assert loaded.vk == key.vk
    assert loaded.circuit_digest == key.circuit_digest == cubic().compile().digest()
    assert loaded.qap == key.qap
    assert (loaded.a_points, loaded.b2_points, loaded.h_points) == (key.a_points, key.b2_points, key.h_points)
    assert groth16.verify(loaded.vk, PUBLIC, groth16.prove(loaded, cubic(CUBIC_INPUTS).witness()))


def test_key_file_rejects_corruption_truncation_and_other_versions(key: ProvingKey, tmp_path: Path) -> None:
    data = keyfile.encode(key)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 1
    version = bytearray(data)
    version[11] = 9
    for bad, message in (
        (bytes(flipped), "checksum"),
        (data[:-100], "checksum"),
        (bytes(version), "version"),
        (b"garbage", "not a mixer proving key"),
    ):
        (tmp_path / "bad.key").write_bytes(bad)
        with pytest.raises(SnarkFormatError, match=message):
            load_key(tmp_path / "bad.key")


def test_key_for_another_circuit_is_refused(key: ProvingKey) -> None:
    key.check_circuit(cubic().compile())
    with pytest.raises(KeyMismatchError, match="another circuit"):
        key.check_circuit(registry.compile("withdraw-poseidon-1"))


def test_prove_refuses_a_key_for_another_circuit(key: ProvingKey) -> None:
    witness = cubic(CUBIC_INPUTS).witness()
    other = registry.compile("withdraw-poseidon-1")
    assert groth16.verify(key.vk, PUBLIC, groth16.prove(key, witness, r1cs=cubic().compile()))
    # Our key (matched by digest) and a .zkey-like key without one (matched by structure).
    for pk in (key, replace(key, circuit_digest=None)):
        with pytest.raises(KeyMismatchError, match="another circuit"):
            groth16.prove(pk, witness, r1cs=other)
    with pytest.raises(KeyMismatchError, match="constraints differ"):
        groth16.prove(replace(key, circuit_digest=None), witness, r1cs=_cubic_variant())


def _cubic_variant() -> R1CS:
    """The cubic circuit's shape (same wires and public inputs) with other constraints."""
    r1cs = cubic().compile()
    first, (a, b, c), *rest = r1cs.constraints
    assert a != b
    return replace(r1cs, constraints=(first, (b, a, c), *rest))  # s^2 * s = s * s^2: A and B swapped


def test_withdrawal_circuit_proves_and_verifies() -> None:
    name = "withdraw-poseidon-1"
    inputs = withdraw_example("poseidon", 1)
    pk = quiet_setup(registry.compile(name), seed=7)
    public = registry.public_signals(name, inputs)
    proof = groth16.prove(pk, registry.witness(name, inputs))
    assert groth16.verify(pk.vk, public, proof)
    assert not groth16.verify(pk.vk, [public[0], public[1], (public[2] + 1) % R], proof)


def engine_results() -> dict[str, object]:
    """Hashes, MSMs and a seeded key with a proof: what must not depend on gmpy2."""
    scalars = [pow(7, i, R) * 1000003 % R for i in range(24)]
    points1 = [g1_mul(G1_GEN, 3**i) for i in range(24)]
    points2 = [g2_mul(G2_GEN, 5**i) for i in range(10)]
    pk = quiet_setup(cubic().compile(), seed=1)
    proof = groth16.prove(pk, cubic(CUBIC_INPUTS).witness())
    results = {
        "gmpy2": fastint.HAVE_GMPY2,
        "poseidon": [poseidon(*range(1, n + 1)) for n in (1, 2, 5)],
        "mimc": mimc_sponge(1, 2, key=3),
        "msm_g1": msm_g1(points1, scalars),
        "msm_g2": msm_g2(points2, scalars[:10]),
        "vk": vk_to_snarkjs(pk.vk),
        "proof": proof_to_snarkjs(proof),
        "verifies": groth16.verify(pk.vk, PUBLIC, proof),
    }
    return dict(json.loads(json.dumps(results)))


WITHOUT_GMPY2 = """
import json, sys
sys.modules["gmpy2"] = None  # `import gmpy2` now raises ImportError
sys.path.insert(0, sys.argv[1])  # the repository root
from tests.snark import test_groth16
print(json.dumps(test_groth16.engine_results()))
"""


def test_results_are_the_same_without_gmpy2(key: ProvingKey) -> None:
    command = [sys.executable, "-c", WITHOUT_GMPY2, str(ROOT)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    plain, fast = json.loads(proc.stdout), engine_results()
    assert (plain.pop("gmpy2"), fast.pop("gmpy2")) == (False, True)
    plain_proof, fast_proof = plain.pop("proof"), fast.pop("proof")
    assert plain == fast and plain["verifies"] is True
    # The same seeded key on both sides, so each side's (randomised) proof verifies on the other.
    assert groth16.verify(key.vk, PUBLIC, proof_from_snarkjs(plain_proof))
    assert plain_proof != fast_proof
