pragma circom 2.0.0;
// Peer for bench/circuit.py: the statement of circuits/withdraw.py written the Tornado way
// with circomlib. HashPair/HashOne are defined by the including file (Poseidon or MiMCSponge).

template DualMux() {
    signal input in[2];
    signal input s;
    signal output out[2];

    s * (1 - s) === 0;
    out[0] <== (in[1] - in[0]) * s + in[0];
    out[1] <== (in[0] - in[1]) * s + in[1];
}

template Withdraw(levels) {
    signal input root;
    signal input nullifierHash;
    signal input extDataHash;
    signal input nullifier;
    signal input secret;
    signal input pathElements[levels];
    signal input pathIndices[levels];

    component commitment = HashPair();
    commitment.left <== nullifier;
    commitment.right <== secret;

    component nh = HashOne();
    nh.in <== nullifier;
    nh.out === nullifierHash;

    component selectors[levels];
    component hashers[levels];
    for (var i = 0; i < levels; i++) {
        selectors[i] = DualMux();
        selectors[i].in[0] <== i == 0 ? commitment.out : hashers[i - 1].out;
        selectors[i].in[1] <== pathElements[i];
        selectors[i].s <== pathIndices[i];
        hashers[i] = HashPair();
        hashers[i].left <== selectors[i].out[0];
        hashers[i].right <== selectors[i].out[1];
    }
    root === hashers[levels - 1].out;

    signal extDataSquare;
    extDataSquare <== extDataHash * extDataHash;
}
