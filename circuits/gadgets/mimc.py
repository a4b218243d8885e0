"""MiMCSponge as circomlib's MiMCSponge(nInputs, 220, nOutputs): a Feistel permutation in a sponge.

Each Feistel round costs 3 constraints: t^2, t^4, and t^4 * t folded into the new left word.
The last round's right word of the final permutation is never read, so its round is
skipped: 3 constraints fewer per hash than circom, which keeps the unused output signal.
"""

from __future__ import annotations

from mixer import hashes
from mixer.snark.circuit import LC, Circuit


def mimc_feistel(c: Circuit, x_left: LC, x_right: LC, k: LC, *, need_right: bool = True) -> tuple[LC, LC]:
    """The 220-round MiMC Feistel permutation, equal to `mixer.hashes.mimc_feistel`.

    With `need_right=False` the returned right word is a placeholder constant 0 and its last
    round costs nothing; callers must then not use it.
    """
    constants = hashes.MIMC_ROUND_CONSTANTS  # derived on first use, not when circuits load
    n = len(constants)
    for i, rc in enumerate(constants):
        last = i == n - 1
        if last and not need_right:
            return x_left, LC.constant(0)
        t = x_left + k + rc
        t2 = c.mul(t, t)
        t4 = c.mul(t2, t2)
        mixed = _mul_add(c, t4, t, x_right)
        if last:
            x_right = mixed
        else:
            x_left, x_right = mixed, x_left
    return x_left, x_right


def _mul_add(c: Circuit, a: LC, b: LC, addend: LC) -> LC:
    """A new wire w with w = a * b + addend, in the single constraint a * b = w - addend.

    Making the sum the wire (as circom's xL[i] <== xR + t4 * t) keeps every linear
    combination at a few terms; returning `mul(a, b) + addend` instead would grow the words
    into combinations of all earlier rounds.
    """
    w = c.hint(lambda x, y, z: x * y + z, a, b, addend)
    c.constrain(a, b, w - addend)
    return w


def mimc_sponge(c: Circuit, *inputs: LC, k: LC | None = None, n_outputs: int = 1) -> list[LC]:
    """MiMCSponge(len(inputs), 220, n_outputs) with key k (default 0): absorb, then squeeze."""
    if not inputs or n_outputs < 1:
        raise ValueError("mimc_sponge needs at least one input and one output")
    key = LC.constant(0) if k is None else k
    n_perms = len(inputs) + n_outputs - 1
    x_left, x_right = LC.constant(0), LC.constant(0)
    outputs: list[LC] = []
    for p in range(n_perms):
        if p < len(inputs):
            x_left = x_left + inputs[p]
        x_left, x_right = mimc_feistel(c, x_left, x_right, key, need_right=p < n_perms - 1)
        if p >= len(inputs) - 1:
            outputs.append(x_left)
    return outputs
