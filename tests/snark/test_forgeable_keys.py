"""Verifying keys that let anyone forge withdrawals, and their refusal wherever a key enters.

Each test first shows that the attack is real (a proof made with no witness, or moved from
someone else's proof, passes our raw `verify` against the degenerate key), then that every
way in (snarkjs verification key JSON, snarkjs `.zkey`, our key file, the CLI) refuses it.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mixer.bn254 import G1, G1_GEN, G2_GEN, g1_add, g1_mul, g1_neg, g2_add, g2_mul
from mixer.field import R
from mixer.snark import groth16
from mixer.snark.files import load_key, save_key
from mixer.snark.keys import ForgeableKeyError, VerifyingKey
from mixer.snark.proof import Proof
from mixer.snark.snarkjs import (
    g1_from_snarkjs,
    g2_from_snarkjs,
    proof_to_snarkjs,
    public_to_snarkjs,
    vk_from_snarkjs,
    vk_to_snarkjs,
)
from tests.support.cli_helpers import env, one_error_line, run
from tests.support.snark_circuits import cubic
from tests.support.snarkjs_toy import toy_dir

PUBLIC = (11, 22, 33)
OTHER = (44, 55, 66)
NO_PHASE_2 = "this key has had no phase-2 contribution (delta == gamma): anyone could forge proofs for it"

LOGS: dict[str, Any] = {"alpha": 5, "beta": 7, "gamma": 11, "delta": 13, "ic": (17, 19, 23, 29)}
"""Discrete logs of a key's points; the forgeries below use only the points."""


def key_from_logs(**changes: Any) -> VerifyingKey:
    logs = {**LOGS, **changes}
    return VerifyingKey(
        alpha1=g1_mul(G1_GEN, logs["alpha"] % R),
        beta2=g2_mul(G2_GEN, logs["beta"] % R),
        gamma2=g2_mul(G2_GEN, logs["gamma"] % R),
        delta2=g2_mul(G2_GEN, logs["delta"] % R),
        ic=tuple(g1_mul(G1_GEN, k % R) for k in logs["ic"]),
    )


def vk_x(vk: VerifyingKey, public: Sequence[int]) -> G1:
    acc = vk.ic[0]
    for x, point in zip(public, vk.ic[1:], strict=True):
        acc = g1_add(acc, g1_mul(point, x))
    return acc


def unchecked_snarkjs_key(data: dict[str, Any]) -> VerifyingKey:
    """The key's points as they are, without the validation an import does."""
    return VerifyingKey(
        alpha1=g1_from_snarkjs(data["vk_alpha_1"], "alpha"),
        beta2=g2_from_snarkjs(data["vk_beta_2"], "beta"),
        gamma2=g2_from_snarkjs(data["vk_gamma_2"], "gamma"),
        delta2=g2_from_snarkjs(data["vk_delta_2"], "delta"),
        ic=tuple(g1_from_snarkjs(p, "IC") for p in data["IC"]),
    )


def _sum_forgery(vk: VerifyingKey, a: G1) -> Proof:
    """A = C = a, B = gamma + delta: the check becomes e(a, gamma) = e(alpha, beta) e(vk_x, gamma)."""
    return Proof(a=a, b=g2_add(vk.gamma2, vk.delta2), c=a)


Forgery = Callable[[VerifyingKey, Sequence[int]], Proof]
FORGERIES: dict[str, tuple[dict[str, Any], Forgery, str]] = {
    "delta_is_gamma": (
        {"delta": LOGS["gamma"]},
        lambda vk, x: Proof(a=vk.alpha1, b=vk.beta2, c=g1_neg(vk_x(vk, x))),
        NO_PHASE_2,
    ),
    "delta_is_minus_gamma": (
        {"delta": -LOGS["gamma"]},
        lambda vk, x: Proof(a=vk.alpha1, b=vk.beta2, c=vk_x(vk, x)),
        "gamma == +-delta",
    ),
    "beta_is_gamma": (
        {"beta": LOGS["gamma"]},
        lambda vk, x: _sum_forgery(vk, g1_add(vk_x(vk, x), vk.alpha1)),
        "beta == +-gamma",
    ),
    "beta_is_minus_gamma": (
        {"beta": -LOGS["gamma"]},
        lambda vk, x: _sum_forgery(vk, g1_add(vk_x(vk, x), g1_neg(vk.alpha1))),
        "beta == +-gamma",
    ),
    "beta_is_delta": (
        {"beta": LOGS["delta"]},
        lambda vk, x: Proof(a=vk_x(vk, x), b=vk.gamma2, c=g1_neg(vk.alpha1)),
        "beta == +-delta",
    ),
    "beta_is_minus_delta": (
        {"beta": -LOGS["delta"]},
        lambda vk, x: Proof(a=vk_x(vk, x), b=vk.gamma2, c=vk.alpha1),
        "beta == +-delta",
    ),
    "alpha_is_identity": (
        {"alpha": 0},
        lambda vk, x: _sum_forgery(vk, vk_x(vk, x)),
        "alpha is the point at infinity",
    ),
    "beta_is_identity": (
        {"beta": 0},
        lambda vk, x: _sum_forgery(vk, vk_x(vk, x)),
        "beta is the point at infinity",
    ),
    "gamma_is_identity": (
        {"gamma": 0},
        lambda vk, x: Proof(a=vk.alpha1, b=g2_add(vk.beta2, vk.delta2), c=vk.alpha1),
        "gamma is the point at infinity",
    ),
}


@pytest.mark.parametrize("case", list(FORGERIES))
def test_forgery_without_a_witness_passes_a_degenerate_key_which_every_import_refuses(case: str) -> None:
    changes, forge, message = FORGERIES[case]
    vk = key_from_logs(**changes)
    for public in (PUBLIC, OTHER):
        assert groth16.verify(vk, public, forge(vk, public))
    sound = key_from_logs()
    assert not groth16.verify(sound, PUBLIC, forge(sound, PUBLIC))
    with pytest.raises(ForgeableKeyError, match=re.escape(message)):
        vk_from_snarkjs(vk_to_snarkjs(vk))


def honest_proof(public: Sequence[int], **changes: Any) -> Proof:
    """A valid proof for `public`, made with the key's logs (as a withdrawal on chain would be)."""
    logs = {**LOGS, **changes}
    x_log = logs["ic"][0] + sum(x * k for x, k in zip(public, logs["ic"][1:], strict=True))
    r, s = 101, 103
    c = (r * s - logs["alpha"] * logs["beta"] - x_log * logs["gamma"]) * pow(logs["delta"], -1, R) % R
    return Proof(a=g1_mul(G1_GEN, r), b=g2_mul(G2_GEN, s), c=g1_mul(G1_GEN, c))


RELATED_INPUTS: dict[str, tuple[tuple[int, ...], tuple[int, ...], str]] = {
    "ic_equal": ((17, 19, 23, 23), (11, 22 + 5, 33 - 5), "IC[2] == +-IC[3]"),
    "ic_opposite": ((17, 19, 23, -23), (11, 22 + 5, 33 + 5), "IC[2] == +-IC[3]"),
    "ic_identity": ((17, 19, 23, 0), (11, 22, 99), "IC[3] is the point at infinity"),
}


@pytest.mark.parametrize("case", list(RELATED_INPUTS))
def test_one_valid_proof_passes_for_other_inputs_under_a_key_that_every_import_refuses(case: str) -> None:
    """With the nullifier hash and extDataHash traded against each other, one withdrawal
    seen on chain gives a proof for a fresh nullifier hash and the attacker's own payment."""
    ic, moved, message = RELATED_INPUTS[case]
    vk, proof = key_from_logs(ic=ic), honest_proof(PUBLIC, ic=ic)
    assert groth16.verify(vk, PUBLIC, proof) and groth16.verify(vk, moved, proof)
    sound, sound_proof = key_from_logs(), honest_proof(PUBLIC)
    assert groth16.verify(sound, PUBLIC, sound_proof) and not groth16.verify(sound, moved, sound_proof)
    with pytest.raises(ForgeableKeyError, match=re.escape(message)):
        vk_from_snarkjs(vk_to_snarkjs(vk))


def test_a_key_whose_delta_is_the_identity_is_refused() -> None:
    with pytest.raises(ForgeableKeyError, match="delta is the point at infinity"):
        vk_from_snarkjs(vk_to_snarkjs(key_from_logs(delta=0)))


def test_an_uncontributed_snarkjs_zkey_lets_anyone_forge_and_is_refused() -> None:
    """`snarkjs groth16 setup` writes delta == gamma: A = alpha, B = beta, C = -vk_x passes
    for any public inputs, until one phase-2 contribution changes delta."""
    toy = toy_dir()
    raw = json.loads((toy / "vk_0000.json").read_text())
    vk = unchecked_snarkjs_key(raw)
    for public in (PUBLIC, OTHER):
        assert groth16.verify(vk, public, Proof(a=vk.alpha1, b=vk.beta2, c=g1_neg(vk_x(vk, public))))
    contributed = load_key(toy / "toy.zkey").vk
    forged = Proof(a=contributed.alpha1, b=contributed.beta2, c=g1_neg(vk_x(contributed, PUBLIC)))
    assert not groth16.verify(contributed, PUBLIC, forged)
    with pytest.raises(ForgeableKeyError, match=re.escape(NO_PHASE_2)):
        vk_from_snarkjs(raw)
    with pytest.raises(ForgeableKeyError, match=re.escape(NO_PHASE_2)):
        load_key(toy / "toy_0000.zkey")


def test_our_key_file_with_delta_equal_to_gamma_is_refused(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", groth16.DevSetupWarning)
        pk = groth16.setup(cubic().compile(), seed=5)
    save_key(replace(pk, vk=replace(pk.vk, delta2=pk.vk.gamma2)), tmp_path / "k.key")
    with pytest.raises(ForgeableKeyError, match=re.escape(NO_PHASE_2)):
        load_key(tmp_path / "k.key")


def test_the_cli_refuses_an_uncontributed_zkey_everywhere(tmp_path: Path) -> None:
    """`mixer setup --zkey`, `mixer snark export-vk`/`verify` and `mixer deploy` (which reads
    the home's verification key JSON) all refuse it, with the reason, and no traceback."""
    toy, home, environ = toy_dir(), tmp_path / "home", env(MIXER_TREE_DEPTH="1")
    setup = run(home, "setup", "--zkey", str(toy / "toy_0000.zkey"), environ=environ, ok=False)
    assert setup.exit_code == 1 and NO_PHASE_2 in one_error_line(setup.stderr)
    assert not (home / "keys").exists()

    export = run(home, "snark", "export-vk", str(toy / "toy_0000.zkey"), str(tmp_path / "vk.json"), ok=False)
    assert export.exit_code == 1 and NO_PHASE_2 in one_error_line(export.stderr)
    assert not (tmp_path / "vk.json").exists()

    vk = unchecked_snarkjs_key(json.loads((toy / "vk_0000.json").read_text()))
    forged = Proof(a=vk.alpha1, b=vk.beta2, c=g1_neg(vk_x(vk, PUBLIC)))
    (tmp_path / "proof.json").write_text(json.dumps(proof_to_snarkjs(forged)))
    (tmp_path / "public.json").write_text(json.dumps(public_to_snarkjs(PUBLIC)))
    files = [str(toy / "vk_0000.json"), str(tmp_path / "public.json"), str(tmp_path / "proof.json")]
    verify = run(home, "snark", "verify", *files, ok=False)
    assert verify.exit_code == 2 and NO_PHASE_2 in one_error_line(verify.stderr)  # 2: unusable input

    (home / "keys").mkdir(parents=True)
    (home / "keys" / "withdraw-poseidon-1.vkey.json").write_text((toy / "vk_0000.json").read_text())
    deploy = run(home, "deploy", environ=environ, ok=False)
    assert deploy.exit_code == 1 and NO_PHASE_2 in one_error_line(deploy.stderr)
