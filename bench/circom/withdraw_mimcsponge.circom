pragma circom 2.0.0;
include "node_modules/circomlib/circuits/mimcsponge.circom";
include "bench/circom/withdraw.circom";

template HashPair() {
    signal input left;
    signal input right;
    signal output out;
    component h = MiMCSponge(2, 220, 1);
    h.ins[0] <== left;
    h.ins[1] <== right;
    h.k <== 0;
    out <== h.outs[0];
}

template HashOne() {
    signal input in;
    signal output out;
    component h = MiMCSponge(1, 220, 1);
    h.ins[0] <== in;
    h.k <== 0;
    out <== h.outs[0];
}

component main {public [root, nullifierHash, extDataHash]} = Withdraw(20);
