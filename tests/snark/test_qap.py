"""The QAP: snarkjs's layout, and the polynomial identity a Groth16 key relies on, at a random tau."""

from __future__ import annotations

import random

import pytest

from mixer.fastint import mpz
from mixer.field import R
from mixer.snark.ntt import ntt
from mixer.snark.qap import (
    Matrix,
    c_coefficients,
    domain_size,
    evaluations,
    from_r1cs,
    h_evaluations,
    lagrange_at,
    wire_polynomials_at,
)
from mixer.snark.r1cs import R1CS
from tests.support.snark_circuits import CUBIC_INPUTS, cubic


def test_domain_has_room_for_constraints_and_public_binding_rows() -> None:
    r1cs = cubic().compile()
    assert r1cs.n_constraints + r1cs.n_public + 1 == 9
    assert domain_size(r1cs) == 16
    smaller = R1CS(r1cs.n_wires, r1cs.n_public, 0, r1cs.constraints[:-1])
    assert domain_size(smaller) == 8


def test_public_wires_are_bound_by_extra_a_rows_after_the_constraints() -> None:
    r1cs = cubic().compile()
    qap = from_r1cs(r1cs)
    extra = [c for c in qap.a if c[0] >= r1cs.n_constraints]
    assert extra == [(r1cs.n_constraints + i, i, 1) for i in range(r1cs.n_public + 1)]
    assert all(row < r1cs.n_constraints for row, _, _ in qap.b)


def test_a_matrix_holds_its_entries_in_order_as_columns() -> None:
    entries = [(3, 1, 7), (0, 2, R - 1), (3, 0, 1)]
    matrix = Matrix.of(entries)
    assert list(matrix) == entries and len(matrix) == 3
    assert matrix == Matrix([3, 0, 3], [1, 2, 0], [7, R - 1, 1])
    assert matrix != Matrix.of(entries[::-1])
    with pytest.raises(ValueError, match="one value per entry"):
        Matrix([0, 1], [0], [1, 1])


def test_evaluations_are_each_rows_sum_of_value_times_witness() -> None:
    rng = random.Random(3)
    size, wires = 16, 9
    entries = [(rng.randrange(size), rng.randrange(wires), rng.randrange(R)) for _ in range(60)]
    witness = [rng.randrange(R) for _ in range(wires)]
    expected = [sum(v * witness[w] for r, w, v in entries if r == row) % R for row in range(size)]
    assert evaluations(Matrix.of(entries), witness, size) == expected
    assert evaluations(Matrix.of(entries), [mpz(x) for x in witness], size) == expected


def test_lagrange_values_interpolate_any_polynomial_of_lower_degree() -> None:
    rng = random.Random(7)
    for size in (2, 8, 32):
        coefficients = [rng.randrange(R) for _ in range(size)]
        values = ntt(coefficients)
        tau = rng.randrange(R)
        direct = sum(c * pow(tau, i, R) for i, c in enumerate(coefficients)) % R
        assert sum(v * lj for v, lj in zip(values, lagrange_at(tau, size), strict=True)) % R == direct


def test_h_evaluations_satisfy_the_qap_identity_at_a_random_point() -> None:
    """A(tau) B(tau) - C(tau) = sum_i h_i L_{2i+1}(tau) over the double domain: the equation
    that makes the key's H points (L_{2i+1}(tau) / delta) produce a valid proof."""
    r1cs = cubic().compile()
    witness = cubic(CUBIC_INPUTS).witness()
    qap = from_r1cs(r1cs)
    n = qap.domain_size
    tau = random.Random(11).randrange(R)
    u, v, w = wire_polynomials_at(qap, c_coefficients(r1cs), lagrange_at(tau, n))

    def at_tau(polys: list[int]) -> int:
        return sum(p * x for p, x in zip(polys, witness, strict=True)) % R

    lhs = (at_tau(u) * at_tau(v) - at_tau(w)) % R
    double = lagrange_at(tau, 2 * n)
    h = h_evaluations(qap, witness)
    assert lhs == sum(hi * double[2 * i + 1] for i, hi in enumerate(h)) % R
    assert any(h)
