"""R1CS -> QAP in exactly snarkjs's layout, so one prover serves our keys and snarkjs `.zkey`s.

snarkjs (zkey_new.js, groth16_prove.js) fixes these choices, and a key made with other
choices would give invalid proofs:
- the domain has size 2^k >= n_constraints + n_public + 1;
- after the real constraints come n_public + 1 rows binding the public wires (and the
  constant wire): row n_constraints + i has A = 1 * wire_i, B = C = 0. They make the
  A-polynomials of the public wires linearly independent, which Groth16's soundness needs;
- only A and B are stored; the prover takes C's evaluations as A * B pointwise, valid
  whenever the witness satisfies the constraints;
- H is never divided by the vanishing polynomial: the prover evaluates A*B - C on the
  coset of odd powers of the 2n-th root of unity, where x^n - 1 is a constant, and the
  key's H points are the 2n-domain Lagrange bases L_{2i+1}(tau) / delta.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import mul
from typing import Any

from mixer.field import R, batch_inverse
from mixer.snark.ntt import coset_evaluations_mpz, log2_exact, root_of_unity, to_mpz
from mixer.snark.r1cs import R1CS

Coefficient = tuple[int, int, int]
"""(row, wire, value): matrix entry value * wire in constraint row `row`."""


class Matrix:
    """A sparse matrix's entries, iterated as (row, wire, value) and held as three columns.

    Columns, because a prover only ever takes the whole matrix times a witness
    (`evaluations`), which maps over columns at C speed, and because a cached key's
    columns decode without building a tuple per entry (~190k at depth 20)."""

    __slots__ = ("rows", "values", "wires")

    def __init__(self, rows: Sequence[int], wires: Sequence[int], values: Sequence[int]) -> None:
        if not len(rows) == len(wires) == len(values):
            raise ValueError("a matrix's columns must have one value per entry")
        self.rows = rows
        self.wires = wires
        self.values = values

    @classmethod
    def of(cls, entries: Iterable[Coefficient]) -> Matrix:
        """The matrix of these (row, wire, value) entries, in their order."""
        listed = list(entries)
        return cls([e[0] for e in listed], [e[1] for e in listed], [e[2] for e in listed])

    def __iter__(self) -> Iterator[Coefficient]:
        return zip(self.rows, self.wires, self.values, strict=True)

    def __len__(self) -> int:
        return len(self.rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matrix) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable columns: equal, not hashable

    def __repr__(self) -> str:
        return f"Matrix({len(self)} entries)"


@dataclass(frozen=True)
class QAP:
    """The A and B matrices over the evaluation domain, as a proving key stores them."""

    domain_size: int
    n_vars: int
    n_public: int
    a: Matrix
    b: Matrix


def domain_size(r1cs: R1CS) -> int:
    """Smallest power of two holding the constraints and the public-binding rows."""
    rows = r1cs.n_constraints + r1cs.n_public + 1
    return 1 << max(rows - 1, 1).bit_length()


def from_r1cs(r1cs: R1CS) -> QAP:
    """The A (with the public-binding rows) and B coefficients in snarkjs's order."""
    a: list[Coefficient] = []
    b: list[Coefficient] = []
    for row, (ta, tb, _) in enumerate(r1cs.constraints):
        a.extend((row, wire, value) for wire, value in sorted(ta.items()))
        b.extend((row, wire, value) for wire, value in sorted(tb.items()))
    a.extend((r1cs.n_constraints + wire, wire, 1) for wire in range(r1cs.n_public + 1))
    return QAP(domain_size(r1cs), r1cs.n_wires, r1cs.n_public, Matrix.of(a), Matrix.of(b))


def c_coefficients(r1cs: R1CS) -> list[Coefficient]:
    """The C matrix (setup needs it; provers do not)."""
    return [
        (row, wire, value)
        for row, (_, _, tc) in enumerate(r1cs.constraints)
        for wire, value in sorted(tc.items())
    ]


def evaluations(matrix: Matrix, witness: Sequence[Any], size: int) -> list[Any]:
    """Each row's linear combination under `witness`: a polynomial's values on the domain
    (in `witness`'s representation; the products are formed column-wise, at C speed)."""
    out = [0] * size
    terms = map(mul, matrix.values, map(witness.__getitem__, matrix.wires))
    for row, term in zip(matrix.rows, terms, strict=True):
        out[row] += term
    return [v % R for v in out]


def h_evaluations(qap: QAP, witness: Sequence[int]) -> list[int]:
    """A*B - C on snarkjs's coset: the scalars of the H-point multi-exponentiation."""
    n = qap.domain_size
    w = to_mpz(witness)
    a = evaluations(qap.a, w, n)
    b = evaluations(qap.b, w, n)
    c = [x * y % R for x, y in zip(a, b, strict=True)]
    a_odd = coset_evaluations_mpz(a)
    b_odd = coset_evaluations_mpz(b)
    c_odd = coset_evaluations_mpz(c)
    return [int((x * y - z) % R) for x, y, z in zip(a_odd, b_odd, c_odd, strict=True)]


def lagrange_at(tau: int, size: int) -> list[int]:
    """L_0(tau) .. L_{n-1}(tau) for the size-n domain: L_j(x) = w^j (x^n - 1) / (n (x - w^j))."""
    w = root_of_unity(log2_exact(size))
    powers = [1] * size
    for j in range(1, size):
        powers[j] = powers[j - 1] * w % R
    z_over_n = (pow(tau, size, R) - 1) * pow(size, -1, R) % R
    if z_over_n == 0:
        raise ValueError("tau lies in the evaluation domain")
    inverses = batch_inverse([(tau - p) % R for p in powers])
    return [z_over_n * p % R * inv % R for p, inv in zip(powers, inverses, strict=True)]


def wire_polynomials_at(
    qap: QAP, c: Iterable[Coefficient], lagrange: Sequence[int]
) -> tuple[list[int], list[int], list[int]]:
    """u_i(tau), v_i(tau), w_i(tau) for every wire i, from the domain's Lagrange values."""
    out = []
    for coefficients in (qap.a, qap.b, c):
        acc = [0] * qap.n_vars
        for row, wire, value in coefficients:
            acc[wire] += value * lagrange[row]
        out.append([x % R for x in acc])
    return out[0], out[1], out[2]
