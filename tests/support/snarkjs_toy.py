"""Real Groth16 proofs from snarkjs for contract tests, on a toy circuit with the withdrawal
circuit's public-input shape (root, nullifierHash, extDataHash).

The toy constrains every public input (root*nullifierHash*extDataHash) so Groth16 binds all
three, and any values can be proven: the contract tests exercise what the pool checks
around the proof, while the verifier math is snarkjs's, an independent implementation.
"""

from __future__ import annotations

import atexit
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.snarkjs_cli import ptau, run
from tests.support.tools import ROOT, cached_artifact, node_tool

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
// One long-lived worker: a JSON list of inputs per stdin line -> a JSON list of results per line.
const snarkjs = require('snarkjs');
const readline = require('readline');
const dir = process.argv[process.argv.length - 1];
const lines = readline.createInterface({input: process.stdin});
(async () => {
  for await (const line of lines) {
    const out = [];
    for (const inp of JSON.parse(line)) {
      out.push(await snarkjs.groth16.fullProve(inp, dir + '/toy_js/toy.wasm', dir + '/toy.zkey'));
    }
    process.stdout.write(JSON.stringify(out) + '\\n');
  }
  process.exit(0);
})();
"""


def _build(dest: Path) -> None:
    dest.mkdir(parents=True)
    (dest / "toy.circom").write_text(TOY)
    snarkjs = node_tool("snarkjs")
    run([node_tool("circom2"), "toy.circom", "--r1cs", "--wasm", "--O2", "-o", "."], dest)
    run([snarkjs, "groth16", "setup", "toy.r1cs", ptau(), "toy_0000.zkey"], dest)
    run([snarkjs, "zkey", "contribute", "toy_0000.zkey", "toy.zkey", "-e=toy contributor"], dest)
    for zkey, vk in (("toy.zkey", "vk.json"), ("toy_0000.zkey", "vk_0000.json")):
        run([snarkjs, "zkey", "export", "verificationkey", zkey, vk], dest)


def toy_dir() -> Path:
    """`toy.zkey` and `vk.json` after one phase-2 contribution; `toy_0000.zkey` and
    `vk_0000.json` straight from `snarkjs groth16 setup` (delta == gamma: forgeable)."""
    return cached_artifact("toy-groth16-v3", _build)


def verification_key() -> dict[str, Any]:
    return dict(json.loads((toy_dir() / "vk.json").read_text()))


_proofs: dict[tuple[int, int, int], dict[str, Any]] = {}
_worker: list[subprocess.Popen[str]] = []


def _stop_worker() -> None:
    for proc in _worker:
        proc.terminate()
        proc.wait(timeout=10)


def _prover() -> subprocess.Popen[str]:
    """The node worker, started once per test process: node and snarkjs load once (~0.6 s)
    instead of once per call."""
    if not _worker or _worker[0].poll() is not None:
        node_tool("snarkjs")
        directory = str(toy_dir())
        _worker[:] = [
            subprocess.Popen(
                ["node", "-e", PROVE_JS, "--", directory],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        ]
    return _worker[0]


atexit.register(_stop_worker)


def prove(*public: tuple[int, int, int]) -> list[dict[str, Any]]:
    """snarkjs proofs for each (root, nullifierHash, extDataHash), memoized for the session."""
    todo = [p for p in dict.fromkeys(public) if p not in _proofs]
    if todo:
        inputs = [{"root": str(a), "nullifierHash": str(b), "extDataHash": str(c)} for a, b, c in todo]
        proc = _prover()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(inputs) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the snarkjs prover exited ({proc.wait()})")
        for key, res in zip(todo, json.loads(line), strict=True):
            assert [int(x) for x in res["publicSignals"]] == list(key)
            _proofs[key] = res["proof"]
    return [_proofs[p] for p in public]
