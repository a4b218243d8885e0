"""Poseidon(2) throughput and a 2^16-leaf depth-20 tree build, ours vs circomlibjs, same run.

    python -m bench.hashes [leaves]

The peer is circomlibjs (`buildPoseidon`, its fastest Poseidon, wasm-backed field) running
the same work in node: N hashes of fresh pairs, then a level-by-level build of the same
tree (2^16 leaves, depth 20, Tornado zero leaf). Both roots are compared, so the bench also
fails loudly if the two sides ever disagree. Both ratios are time ratios, ours / peer, for
the same work (above 1: ours is slower). Target (printed as met / NOT met, never failing
the run): the tree build within 3x of circomlibjs's time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from mixer.field import R
from mixer.hashes import poseidon
from mixer.merkle import MerkleTree

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 20
N_HASHES = 20_000
TREE_TARGET = 3.0
"""Our tree-build time / circomlibjs's."""

PEER = """
const [nHashes, nLeaves, depth, zero] = process.argv.slice(-4).map(BigInt);
import('circomlibjs').then(async (lib) => {
  const p = await lib.buildPoseidon();
  const F = p.F;
  let t = process.hrtime.bigint();
  for (let i = 0n; i < nHashes; i++) p([i, i + 1n]);
  const hashSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  let level = [];
  for (let i = 1n; i <= nLeaves; i++) level.push(F.e(i));
  let z = F.e(zero);
  for (let d = 0n; d < depth; d++) {
    if (level.length % 2) level.push(z);
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(p([level[i], level[i + 1]]));
    level = up;
    z = p([z, z]);
  }
  const treeSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(JSON.stringify({hashSeconds, treeSeconds, root: F.toString(level[0])}));
  process.exit(0);
});
"""


def ours(n_leaves: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    for i in range(N_HASHES):
        poseidon(i, i + 1)
    hash_seconds = time.perf_counter() - start
    start = time.perf_counter()
    tree = MerkleTree(DEPTH, "poseidon")
    tree.insert_many(range(1, n_leaves + 1))
    return hash_seconds, time.perf_counter() - start, tree.root


def peer(n_leaves: int) -> tuple[float, float, int]:
    zero = MerkleTree(1).zeros[0]
    out = subprocess.run(
        ["node", "-e", PEER, "--", str(N_HASHES), str(n_leaves), str(DEPTH), str(zero)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    return data["hashSeconds"], data["treeSeconds"], int(data["root"])


def main() -> None:
    n_leaves = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 16
    assert n_leaves < R
    our_hash, our_tree, our_root = ours(n_leaves)
    peer_hash, peer_tree, peer_root = peer(n_leaves)
    if our_root != peer_root:
        raise SystemExit(f"roots differ: ours {our_root}, circomlibjs {peer_root}")
    tree_ratio = our_tree / peer_tree
    print(f"{'':40} {'ours':>10} {'circomlibjs':>12} {'time ours/peer':>15}")
    print(
        f"{f'Poseidon(2), {N_HASHES} hashes (s)':40} {our_hash:10.2f} {peer_hash:12.2f}"
        f" {our_hash / peer_hash:14.2f}x"
    )
    print(f"{'  = hashes per second':40} {N_HASHES / our_hash:10.0f} {N_HASHES / peer_hash:12.0f}")
    print(
        f"{f'tree build, {n_leaves} leaves, depth {DEPTH} (s)':40} {our_tree:10.2f} {peer_tree:12.2f}"
        f" {tree_ratio:14.2f}x"
    )
    print("time ours/peer: our seconds / circomlibjs's for the same work (above 1: ours is slower)")
    verdict = "met" if tree_ratio <= TREE_TARGET else "NOT met"
    print(f"target: tree build within {TREE_TARGET:g}x of circomlibjs's time: {tree_ratio:.2f}x -> {verdict}")


if __name__ == "__main__":
    main()
