"""Poseidon as circomlib computes it (x^5 S-box, full/partial rounds, same constants and MDS).

Cost: 3 constraints per S-box and nothing for the linear layers, so width t costs
3 * (t * n_full + n_partial) minus 3 for the first round's S-box on the capacity word,
which is a constant (0 plus a round constant) and therefore free. Poseidon(2): 240, equal to
circomlib's Poseidon(2) under circom --O2.
"""

from __future__ import annotations

from collections.abc import Sequence

from mixer.hashes import poseidon_params
from mixer.snark.circuit import LC, Circuit


def sbox(c: Circuit, x: LC) -> LC:
    """x^5 in three constraints (x^2, x^4, x^5); free when x is a constant."""
    x2 = c.mul(x, x)
    x4 = c.mul(x2, x2)
    return c.mul(x4, x)


def _mix(mds: Sequence[Sequence[int]], state: list[LC], rows: int) -> list[LC]:
    out = []
    for row in mds[:rows]:
        acc = LC.constant(0)
        for coeff, x in zip(row, state, strict=True):
            acc = acc + x * coeff
        out.append(acc)
    return out


def poseidon(c: Circuit, *inputs: LC) -> LC:
    """Poseidon(inputs) with capacity word 0, equal to `mixer.hashes.poseidon`."""
    params = poseidon_params(len(inputs))
    t, half, n_partial = params.t, params.n_full // 2, params.n_partial
    n_rounds = params.n_full + n_partial
    state = [LC.constant(0), *inputs]
    for rnd in range(n_rounds):
        state = [x + params.round_constants[rnd * t + i] for i, x in enumerate(state)]
        if half <= rnd < half + n_partial:
            state[0] = sbox(c, state[0])
        else:
            state = [sbox(c, x) for x in state]
        # Only word 0 of the last round is the output; the other rows would be dead LCs.
        state = _mix(params.mds, state, 1 if rnd == n_rounds - 1 else t)
    return state[0]
