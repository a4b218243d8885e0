"""Poseidon, bit-identical to circomlib / circomlibjs `poseidon(inputs)`.

The state is [0, inputs...]; the output is state[0] after the permutation.

Speed matters here (a wallet rebuilds the whole deposit tree), so each width is compiled
once into straight-line Python from its optimized constants (`poseidon_opt`: hoisted
constants and sparse partial rounds, exactly equal to the plain permutation), with the
state and constants as `mixer.fastint` integers (gmpy2's when installed). That removes
the loop and indexing overhead that dominates a naive evaluation: about 50 us per 2-input
hash against ~230 us for a tidy loop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from mixer.fastint import mpz
from mixer.field import R, is_element
from mixer.hashes.grain import MAX_INPUTS, poseidon_params
from mixer.hashes.poseidon_opt import OptimizedPoseidon, optimize

Permutation = Callable[..., int]


def poseidon(*inputs: int) -> int:
    """circomlib Poseidon of 1..16 field elements (each in [0, r))."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1..{MAX_INPUTS} inputs, got {len(inputs)}")
    for x in inputs:
        if isinstance(x, bool) or not isinstance(x, int) or not is_element(x):
            raise ValueError(f"Poseidon inputs must be field elements in [0, r), got {x!r}")
    return compiled(len(inputs))(*inputs)


@cache
def compiled(n_inputs: int) -> Permutation:
    """The unchecked hash function for `n_inputs` inputs (callers guarantee inputs < r)."""
    return _compile(optimize(poseidon_params(n_inputs)))


def _compile(p: OptimizedPoseidon) -> Permutation:
    t = p.t
    names: dict[str, object] = {"r": mpz(R)}

    def const(value: int) -> str:
        name = f"k{len(names)}"
        names[name] = mpz(value)
        return name

    def sbox(dst: str, src: str, c: int) -> str:
        # x^5 as two squarings and a product, each reduced: cheaper than powmod for 254 bits.
        return f"    {dst} = {src} + {const(c)}; y = {dst} * {dst} % r; {dst} = y * y * {dst} % r"

    def mix(matrix: tuple[tuple[int, ...], ...], rows: int) -> list[str]:
        return [
            f"    s{i} = (" + " + ".join(f"{const(m)} * x{j}" for j, m in enumerate(matrix[i])) + ") % r"
            for i in range(rows)
        ]

    args = [f"a{i}" for i in range(1, t)]
    lines = [f"def permutation({', '.join(args)}):", "    s0 = ZERO"]
    lines += [f"    s{i} = mpz(a{i})" for i in range(1, t)]
    n_rounds = 2 * p.half
    for rnd in range(p.half):
        lines += [sbox(f"x{i}", f"s{i}", p.full_constants[rnd][i]) for i in range(t)]
        lines += mix(p.pre_partial_matrix if rnd == p.half - 1 else p.mds, t)
    for c, step in zip(p.partial_constants, p.sparse, strict=True):
        lines.append(sbox("x", "s0", c))
        rest = " + ".join(f"{const(v)} * s{j}" for j, v in enumerate(step.v, start=1))
        lines.append(f"    s0 = ({const(step.a)} * x + {rest}) % r")
        lines += [f"    s{j} = ({const(w)} * x + s{j}) % r" for j, w in enumerate(step.w, start=1)]
    for rnd in range(p.half, n_rounds):
        lines += [sbox(f"x{i}", f"s{i}", p.full_constants[rnd][i]) for i in range(t)]
        # Only state[0] is the output, so the last round computes one row of the matrix.
        lines += mix(p.mds, 1 if rnd == n_rounds - 1 else t)
    lines.append("    return int(s0)")
    namespace: dict[str, object] = {**names, "mpz": mpz, "ZERO": mpz(0)}
    exec(compile("\n".join(lines), f"<poseidon t={t}>", "exec"), namespace)
    permutation = namespace["permutation"]
    assert callable(permutation)
    return permutation
