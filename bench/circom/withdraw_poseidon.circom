pragma circom 2.0.0;
include "node_modules/circomlib/circuits/poseidon.circom";
include "bench/circom/withdraw.circom";

template HashPair() {
    signal input left;
    signal input right;
    signal output out;
    component h = Poseidon(2);
    h.inputs[0] <== left;
    h.inputs[1] <== right;
    out <== h.out;
}

template HashOne() {
    signal input in;
    signal output out;
    component h = Poseidon(1);
    h.inputs[0] <== in;
    out <== h.out;
}

component main {public [root, nullifierHash, extDataHash]} = Withdraw(20);
