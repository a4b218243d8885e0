"""The generated hasher contracts and the pool's tree, on the EVM, against circomlibjs.

circomlibjs is the independent reference: its constants file drives a pure-Python model of
the optimized permutation, and its hash functions give the expected outputs on-chain.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest
from web3 import Web3

from mixer.chain.artifacts import load
from mixer.chain.client import Sender
from mixer.chain.embedded import embedded_web3
from mixer.chain.pool import PoolClient, deploy_contract, deploy_pool
from mixer.field import R, random_element
from mixer.hashes.poseidon_opt import optimize, plain_permute
from tests.support.chain_nodes import anvil
from tests.support.tools import NODE_MODULES, run_node

ZERO_VALUE = 21663839004416932945382355908790599225266501822907911457504978515578255421292
REFERENCE_JS = """
const [kind, pairs] = process.argv.slice(-2);
import('circomlibjs').then(async (lib) => {
  const h = kind === 'poseidon' ? await lib.buildPoseidon() : await lib.buildMimcSponge();
  const f = kind === 'poseidon' ? (a, b) => h([a, b]) : (a, b) => h.multiHash([a, b]);
  const out = JSON.parse(pairs).map(([a, b]) => h.F.toString(f(BigInt(a), BigInt(b))));
  console.log(JSON.stringify(out));
  process.exit(0);
});
"""


REFERENCE_TREE_JS = """
const [kind, depth, leaves, zero] = process.argv.slice(-4);
import('circomlibjs').then(async (lib) => {
  const h = kind === 'poseidon' ? await lib.buildPoseidon() : await lib.buildMimcSponge();
  const f = kind === 'poseidon' ? (a, b) => h([a, b]) : (a, b) => h.multiHash([a, b]);
  const zeros = [BigInt(zero)];
  for (let i = 0; i < Number(depth); i++) zeros.push(h.F.toObject(f(zeros[i], zeros[i])));
  let level = JSON.parse(leaves).map(BigInt);
  while (level.length < 2 ** Number(depth)) level.push(BigInt(zero));
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(h.F.toObject(f(level[i], level[i + 1])));
    level = up;
  }
  console.log(JSON.stringify({zeros: zeros.map(String), root: String(level[0])}));
  process.exit(0);
});
"""


def reference_tree(kind: str, depth: int, leaves: list[int]) -> tuple[list[int], int]:
    """circomlibjs's zeros[0..depth] and root for `leaves` in a depth-`depth` tree, one node run."""
    out = json.loads(
        run_node(REFERENCE_TREE_JS, kind, str(depth), json.dumps([str(x) for x in leaves]), str(ZERO_VALUE))
    )
    return [int(z) for z in out["zeros"]], int(out["root"])


def reference(kind: str, pairs: list[tuple[int, int]]) -> list[int]:
    text = run_node(REFERENCE_JS, kind, json.dumps([[str(a), str(b)] for a, b in pairs]))
    return [int(x) for x in json.loads(text)]


class CircomlibPoseidon:
    """circomlibjs's own constants for width t (the peer's data, not ours)."""

    def __init__(self, t: int) -> None:
        data = json.loads((NODE_MODULES / "circomlibjs/src/poseidon_constants.json").read_text())
        self.t, self.n_full = t, 8
        self.n_partial = [56, 57, 56, 60, 60, 63, 64, 63][t - 2]
        self.round_constants = [int(x, 16) for x in data["C"][t - 2]]
        self.mds = [[int(x, 16) for x in row] for row in data["M"][t - 2]]


@pytest.fixture(scope="module", params=["py-evm", "anvil"])
def chain(request: pytest.FixtureRequest) -> Iterator[Web3]:
    if request.param == "py-evm":
        yield embedded_web3()
    else:
        with anvil() as w3:
            yield w3


def sample_pairs(seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    pairs = [(0, 0), (R - 1, R - 1), (1, 2)]
    pairs += [(rng.randrange(R), rng.randrange(R)) for _ in range(5)]
    return pairs


@pytest.mark.parametrize("t", [2, 3, 4])
def test_optimized_poseidon_equals_plain_permutation(t: int) -> None:
    spec = CircomlibPoseidon(t)
    opt = optimize(spec)
    rng = random.Random(t)
    for _ in range(5):
        state = [rng.randrange(R) for _ in range(t)]
        assert opt.permute(state) == plain_permute(spec, state)


def test_plain_permutation_matches_circomlibjs() -> None:
    pairs = sample_pairs(7)
    expected = reference("poseidon", pairs)
    assert [plain_permute(CircomlibPoseidon(3), [0, a, b])[0] for a, b in pairs] == expected


@pytest.mark.parametrize(("kind", "contract"), [("poseidon", "PoseidonHasher"), ("mimcsponge", "MiMCHasher")])
def test_hasher_contract_matches_circomlibjs(chain: Web3, kind: str, contract: str) -> None:
    sender = Sender(chain, chain.eth.accounts[0])
    hasher = chain.eth.contract(address=deploy_contract(sender, contract).address, abi=load(contract).abi)
    pairs = sample_pairs(len(kind))
    expected = reference(kind, pairs)
    assert [hasher.functions.hash(a, b).call() for a, b in pairs] == expected
    # inputs above r are hashed as their residues (no wrap-around surprises)
    big = [(2**256 - 1, R + 5)]
    assert hasher.functions.hash(*big[0]).call() == reference(kind, [(big[0][0] % R, 5)])[0]


@pytest.mark.parametrize("kind", ["poseidon", "mimcsponge"])
def test_pool_tree_matches_reference_tree(chain: Web3, kind: str) -> None:
    sender = Sender(chain, chain.eth.accounts[0])
    depth = 3
    addresses = deploy_pool(sender, hasher=kind, verifying_key=[1] * 22, denomination=1, levels=depth)
    pool = PoolClient(sender, addresses.pool)
    leaves = [random_element() for _ in range(3)]
    zeros, root = reference_tree(kind, depth, leaves)
    assert zeros[0] == ZERO_VALUE
    assert [pool.contract.functions.zeros(i).call() for i in range(depth)] == zeros[:depth]
    assert pool.last_root() == zeros[depth]
    for leaf in leaves:
        pool.deposit(leaf, value=1)
    assert pool.last_root() == root
    assert pool.root_at(len(leaves)) == root and pool.next_index() == len(leaves)
