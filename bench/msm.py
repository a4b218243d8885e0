"""Multi-scalar multiplication and pairing check: ours vs snarkjs's engine (ffjavascript), same run.

    python -m bench.msm [--log-n 13] [--runs 3]

Cases: N random G1/G2 points with (a) uniformly random scalars and (b) a witness-like mix
(half the scalars are bits 0/1, as for Merkle path indices and boolean wires). The peer is
ffjavascript's wasm `G1.multiExpAffine` / `G2.multiExpAffine` (what `snarkjs groth16 prove`
runs), with its default thread pool, on the same scalars; ours runs in one process (the
prover spreads whole sums over processes, `mixer.snark.workers`), and in one process with a precomputed
table of the points (`mixer.bn254.fixed`, what the prover uses for a loaded key; the table
is built once, outside the timing). The peer's pairing check is `curve.pairingEq` on four
pairs, like a Groth16 verification. Each time is the best of --runs.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from mixer.bn254 import (
    G1_GEN,
    G2_GEN,
    g1_mul,
    g1_mul_many,
    g1_neg,
    g2_mul,
    g2_mul_many,
    msm_g1,
    msm_g2,
    pairing_check,
)
from mixer.bn254.fixed import fixed_bases_g1, fixed_bases_g2, msm_fixed_g1, msm_fixed_g2
from mixer.field import R

ROOT = Path(__file__).resolve().parent.parent

PEER = r"""
const {buildBn128} = require('ffjavascript');
const fs = require('fs');
(async () => {
  const [file, runs] = [process.argv[process.argv.length - 2], Number(process.argv[process.argv.length - 1])];
  const cases = JSON.parse(fs.readFileSync(file));
  const curve = await buildBn128();
  const out = {};
  for (const [gname, G] of [['g1', curve.G1], ['g2', curve.G2]]) {
    const n = cases.n;
    const sz = G.F.n8 * 2;
    const bases = new Uint8Array(n * sz);
    for (let i = 0; i < n; i++) {
      const p = G.timesFr(G.g, curve.Fr.e(BigInt(cases.logs[i])));
      G.toRprLEM(bases, i * sz, G.toAffine(p));
    }
    for (const [cname, scalars] of Object.entries(cases.scalars)) {
      const sc = new Uint8Array(n * 32);
      for (let i = 0; i < n; i++) {
        let k = BigInt(scalars[i]);
        for (let j = 0; j < 32; j++) { sc[i * 32 + j] = Number(k & 255n); k >>= 8n; }
      }
      let best = Infinity;
      for (let r = 0; r < runs; r++) {
        const t = process.hrtime.bigint();
        await G.multiExpAffine(bases, sc);
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
      }
      out[gname + ' ' + cname] = best;
    }
  }
  const g1 = curve.G1, g2 = curve.G2, Fr = curve.Fr;
  const [a, b, c, d] = [3n, 5n, 7n, 11n].map(x => Fr.e(x * 1000003n));
  const pairs = [
    g1.neg(g1.timesFr(g1.g, a)), g2.timesFr(g2.g, b),
    g1.timesFr(g1.g, c), g2.timesFr(g2.g, d),
    g1.g, g2.timesFr(g2.g, Fr.sub(Fr.sub(Fr.mul(a, b), Fr.mul(c, d)), Fr.one)),
    g1.g, g2.g,
  ];
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    await curve.pairingEq(...pairs);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  out['pairing_check 4 pairs'] = best;
  process.stdout.write(JSON.stringify(out));
  await curve.terminate();
})();
"""


def best_ms(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-n", type=int, default=13)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = 1 << args.log_n
    rng = random.Random(2024)
    logs = [rng.randrange(1, R) for _ in range(n)]
    scalars = {
        "random": [rng.randrange(R) for _ in range(n)],
        "witness-like": [rng.randrange(R) if i % 2 else rng.getrandbits(1) for i in range(n)],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(
            {
                "n": n,
                "logs": [str(x) for x in logs],
                "scalars": {k: [str(x) for x in v] for k, v in scalars.items()},
            },
            f,
        )
        f.flush()
        proc = subprocess.run(
            ["node", "-e", PEER, "--", f.name, str(args.runs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    peer = json.loads(proc.stdout)

    ours: dict[str, float] = {}
    g1_points = g1_mul_many(G1_GEN, logs)
    g2_points = g2_mul_many(G2_GEN, logs)
    g1_table, g2_table = fixed_bases_g1(g1_points), fixed_bases_g2(g2_points)
    with_table: dict[str, float] = {}
    for cname, ks in scalars.items():
        ours[f"g1 {cname}"] = best_ms(partial(msm_g1, g1_points, ks), args.runs)
        ours[f"g2 {cname}"] = best_ms(partial(msm_g2, g2_points, ks), args.runs)
        with_table[f"g1 {cname}"] = best_ms(partial(msm_fixed_g1, g1_table, ks), args.runs)
        with_table[f"g2 {cname}"] = best_ms(partial(msm_fixed_g2, g2_table, ks), args.runs)
    a, b, c, d = (x * 1000003 for x in (3, 5, 7, 11))
    pairs = [
        (g1_neg(g1_mul(G1_GEN, a)), g2_mul(G2_GEN, b)),
        (g1_mul(G1_GEN, c), g2_mul(G2_GEN, d)),
        (G1_GEN, g2_mul(G2_GEN, a * b - c * d - 1)),
        (G1_GEN, G2_GEN),
    ]
    assert pairing_check(pairs)
    ours["pairing_check 4 pairs"] = best_ms(lambda: pairing_check(pairs), args.runs)
    with_table["pairing_check 4 pairs"] = float("nan")

    print(f"N = 2^{args.log_n} = {n}, best of {args.runs}")
    print("ours: one process; table: one process with a precomputed table; ratio = ours / peer")
    print(f"{'case':<26}{'ours ms':>10}{'table ms':>10}{'peer ms':>10}{'ratio':>8}")
    for key in ours:
        row = f"{key:<26}{ours[key]:>10.1f}{with_table[key]:>10.1f}{peer[key]:>10.1f}"
        print(f"{row}{ours[key] / peer[key]:>8.1f}")


if __name__ == "__main__":
    main()
