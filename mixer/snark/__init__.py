"""Groth16 over BN254: the circuit DSL, R1CS, QAP, prover, verifier and snarkjs formats."""
