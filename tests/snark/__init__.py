"""mixer.snark: the circuit DSL, QAP, NTT, Groth16, the public API, snarkjs interop, forgeable keys."""
