"""The project's one Groth16 proof type: what the prover makes, the verifier checks, snarkjs
files hold (`snarkjs`) and a withdrawal record carries (`mixer.chain.record`)."""

from __future__ import annotations

from dataclasses import dataclass

from mixer.bn254 import G1, G2


@dataclass(frozen=True)
class Proof:
    """Groth16 proof (A in G1, B in G2, C in G1), affine; G2 coordinates as (c0, c1).

    The points are not checked here: a proof read from a file or a record may hold any
    coordinates, and only `groth16.verify` decides whether it is acceptable.
    """

    a: G1
    b: G2
    c: G1
    defect: str | None = None
    """Set by `snarkjs.proof_from_snarkjs` when the file's numbers encode no affine point (a
    coordinate >= 2^256, z other than 0 or 1; that point is then None): `verify` rejects the proof."""
