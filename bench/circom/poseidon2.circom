pragma circom 2.0.0;
// Peer for bench/circuit.py: circomlib's Poseidon(2) alone.
include "node_modules/circomlib/circuits/poseidon.circom";

component main = Poseidon(2);
