"""Real Groth16 proofs from snarkjs for contract tests, on a toy circuit with the withdrawal
circuit's public-input shape (root, nullifierHash, extDataHash).

The toy constrains every public input (root*nullifierHash*extDataHash) so Groth16 binds all
three, and any values can be proven: the contract tests exercise what the pool checks
around the proof, while the verifier math is snarkjs's, an independent implementation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import cached_artifact, node_tool, run_node
from snarkjs_cli import ptau, run

TOY = """pragma circom 2.0.0;
template Toy() {
    signal input root;
    signal input nullifierHash;
    signal input extDataHash;
    signal a;
    signal b;
    a <== root * nullifierHash;
    b <== a * extDataHash;
}
component main {public [root, nullifierHash, extDataHash]} = Toy();
"""

PROVE_JS = """
const snarkjs = require('snarkjs');
const [dir, inputs] = process.argv.slice(-2);
(async () => {
  const out = [];
  for (const inp of JSON.parse(inputs)) {
    out.push(await snarkjs.groth16.fullProve(inp, dir + '/toy_js/toy.wasm', dir + '/toy.zkey'));
  }
  console.log(JSON.stringify(out));
  process.exit(0);
})();
"""


def _build(dest: Path) -> None:
    dest.mkdir(parents=True)
    (dest / "toy.circom").write_text(TOY)
    snarkjs = node_tool("snarkjs")
    run([node_tool("circom2"), "toy.circom", "--r1cs", "--wasm", "--O2", "-o", "."], dest)
    run([snarkjs, "groth16", "setup", "toy.r1cs", ptau(), "toy.zkey"], dest)
    run([snarkjs, "zkey", "export", "verificationkey", "toy.zkey", "vk.json"], dest)


def toy_dir() -> Path:
    return cached_artifact("toy-groth16-v2", _build)


def verification_key() -> dict[str, Any]:
    return dict(json.loads((toy_dir() / "vk.json").read_text()))


_proofs: dict[tuple[int, int, int], dict[str, Any]] = {}


def prove(*public: tuple[int, int, int]) -> list[dict[str, Any]]:
    """snarkjs proofs for each (root, nullifierHash, extDataHash), memoized for the session."""
    todo = [p for p in dict.fromkeys(public) if p not in _proofs]
    if todo:
        inputs = [{"root": str(a), "nullifierHash": str(b), "extDataHash": str(c)} for a, b, c in todo]
        results = json.loads(run_node(PROVE_JS, str(toy_dir()), json.dumps(inputs)))
        for key, res in zip(todo, results, strict=True):
            assert [int(x) for x in res["publicSignals"]] == list(key)
            _proofs[key] = res["proof"]
    return [_proofs[p] for p in public]
