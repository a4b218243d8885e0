"""A pool of N deposits on anvil, and what a user feels: `mixer status` cold and warm, and a
warm `withdraw --print-record`, each timed as a whole process with its peak memory.

    python -m bench.scale --deposits 100000 [--deposits 1000000 ...]

Filling a depth-20 Poseidon pool through `deposit` costs ~0.9M gas of on-chain hashing per
deposit: hours for a million. So the pool is deployed by `mixer deploy`, then filled the way
its own deposits would leave it, only faster: for a moment the pool's address runs
`PoolFiller` (anvil_setCode), which emits the Deposit events of N random commitments and
writes the tree state their insertion would leave (next index, root ring, filled subtrees,
computed off chain by `mixer.merkle`); then the pool's code is put back. The events come
1,000 per block, each block followed by 30 empty ones: the density of a pool whose
deposits fill every block, the worst a sync meets. One real `mixer deposit` follows, so the
pool's own code extends the filled state and the wallet has a note in it; `status` then
checks every event against the pool's root.

Targets (issue 12; wall seconds of one process): 100k deposits: cold status <= 12, warm
status <= 1.5, warm withdraw --print-record <= 4; 1M: cold <= 120, warm status <= 2, peak
memory <= 1 GiB. Printed as met / NOT met; they never fail the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import HTTPProvider, Web3

from mixer.chain.artifacts import load
from mixer.chain.sync import DEFAULT_RANGE
from mixer.field import R
from mixer.merkle import ROOT_HISTORY_SIZE, MerkleTree

ROOT = Path(__file__).resolve().parent.parent
MIXER = Path(sys.executable).parent / "mixer"
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
KEYS = ROOT / ".cache" / "bench" / "keys-withdraw-poseidon-20"
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
DEPTH = 20
PER_BLOCK = 1000
EMPTY_BLOCKS = 30
"""Mined after each block of PER_BLOCK deposits: ~32 deposits per block on average, as many
as 30M-gas blocks of nothing but ~900k-gas Poseidon deposits hold, the densest a real pool
can be (so a sync's 2000-block range holds up to ~65,000 deposits)."""
TARGETS = {100_000: {"cold": 12.0, "warm": 1.5, "withdraw": 4.0}, 1_000_000: {"cold": 120.0, "warm": 2.0}}
MEMORY_TARGET_MIB = 1024
# storage of MerkleTreeWithHistory (checked after writing: see `_check_state`)
SLOT_INDICES, SLOT_ROOTS, SLOT_FILLED = 0, 1, 1 + ROOT_HISTORY_SIZE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mixer(home: Path, url: str, *args: str) -> tuple[float, float, dict[str, Any]]:
    """Run `mixer --json ARGS` as a user does: (wall seconds, peak MiB, JSON result)."""
    env = {**os.environ, "MIXER_PASSWORD": "bench bench bench", "COLUMNS": "200"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(MIXER), "--home", str(home), "--rpc-url", url, "--json", *args],
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory, not all children's
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"mixer {' '.join(args)} failed ({proc.returncode}):\n{err.read().decode()}")
        return wall, usage.ru_maxrss / 1024, json.loads(out.read())


def _keys() -> Path:
    """A development key for withdraw-poseidon-20, made once per machine."""
    if not KEYS.exists():
        home = Path(tempfile.mkdtemp())
        print("making a depth-20 development key (once per machine)…", flush=True)
        subprocess.run(
            [str(MIXER), "--home", str(home), "setup", "--dev", "--depth", str(DEPTH)],
            check=True,
            env={**os.environ, "MIXER_PASSWORD": "x"},
        )
        KEYS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(home / "keys", KEYS)
    return KEYS


def _send(w3: Web3, call: Any) -> None:
    tx = call.transact({"from": w3.eth.accounts[0], "gas": 30_000_000})
    if w3.eth.wait_for_transaction_receipt(tx)["status"] != 1:
        raise SystemExit("a filler transaction failed")


def _tree_state(commitments: list[int]) -> dict[int, int]:
    """Storage slot -> value that inserting `commitments` one by one would leave."""
    n = len(commitments)
    tree = MerkleTree(DEPTH, "poseidon")
    tail = min(n, ROOT_HISTORY_SIZE - 1)
    tree.insert_many(commitments[: n - tail])
    state = {SLOT_ROOTS + (n - tail) % ROOT_HISTORY_SIZE: tree.root}
    for k in range(n - tail, n):
        tree.insert(commitments[k])
        state[SLOT_ROOTS + (k + 1) % ROOT_HISTORY_SIZE] = tree.root
    state[SLOT_INDICES] = n | (n % ROOT_HISTORY_SIZE) << 32
    for level in range(DEPTH):
        # filledSubtrees[level]: the left node the next insert at this level reads, i.e.
        # the last node of this level whose index is even
        count = (n + (1 << level) - 1) >> level
        last_even = count - 1 if (count - 1) % 2 == 0 else count - 2
        if last_even >= 0:
            state[SLOT_FILLED + level] = tree.node(level, last_even)
    return state


def fill(w3: Web3, pool: ChecksumAddress, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    commitments = [rng.randrange(1, R) for _ in range(n)]
    original = w3.eth.get_code(pool)
    filler_code = load("PoolFiller").deployed_bytecode
    w3.provider.make_request("anvil_setCode", [pool, filler_code])  # type: ignore[arg-type]
    filler = w3.eth.contract(address=pool, abi=load("PoolFiller").abi)
    start = time.perf_counter()
    for first in range(0, n, PER_BLOCK):
        chunk = [c.to_bytes(32, "big") for c in commitments[first : first + PER_BLOCK]]
        _send(w3, filler.functions.emitDeposits(chunk, first))
        w3.provider.make_request("anvil_mine", [hex(EMPTY_BLOCKS)])  # type: ignore[arg-type]
    emitted = time.perf_counter() - start
    state = _tree_state(commitments)
    _send(w3, filler.functions.store(list(state), list(state.values())))
    w3.provider.make_request("anvil_setCode", [pool, "0x" + bytes(original).hex()])  # type: ignore[arg-type]
    _check_state(w3, pool, n, state)
    # what n real deposits would have paid in (a sync checks the pool covers its deposits)
    denomination = w3.eth.contract(address=pool, abi=load("ETHPool").abi).functions.denomination().call()
    balance = w3.eth.get_balance(pool) + n * denomination
    w3.provider.make_request("anvil_setBalance", [pool, hex(balance)])  # type: ignore[arg-type]
    # as on a live chain, where a pool's deposits lie mostly in past whole ranges of the sync
    # grid (those a sync stores; the last, partial one is fetched again by every sync)
    w3.provider.make_request("anvil_mine", [hex(DEFAULT_RANGE)])  # type: ignore[arg-type]
    print(
        f"  filled {n:,} deposits: events {emitted:.1f} s, tree {time.perf_counter() - start - emitted:.1f} s"
    )


def _check_state(w3: Web3, pool: ChecksumAddress, n: int, state: dict[int, int]) -> None:
    contract = w3.eth.contract(address=pool, abi=load("ETHPool").abi)
    assert contract.functions.nextIndex().call() == n
    root = state[SLOT_ROOTS + n % ROOT_HISTORY_SIZE]
    assert int.from_bytes(contract.functions.getLastRoot().call(), "big") == root


def run(n: int) -> dict[str, float]:
    port = _free_port()
    anvil = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--silent", "--gas-limit", "100000000"],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp()) / "home"
    try:
        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 600}))
        for _ in range(100):
            try:
                w3.eth.block_number  # noqa: B018
                break
            except Exception:
                time.sleep(0.1)
        home.mkdir(mode=0o700)
        shutil.copytree(_keys(), home / "keys")
        pool = Web3.to_checksum_address(_mixer(home, url, "deploy", "--depth", str(DEPTH))[2]["pool"])
        fill(w3, pool, n)
        note = _mixer(home, url, "--private-key", ANVIL_KEY_0, "deposit")[2]["note"]
        shutil.rmtree(home / "cache", ignore_errors=True)
        cold, cold_mib, status = _mixer(home, url, "status")
        assert status["pools"][0]["deposits"] == n + 1
        warm, warm_mib, _ = _mixer(home, url, "status")
        fresh = Account.create().address
        withdraw, withdraw_mib, _ = _mixer(home, url, "withdraw", note, "--to", fresh, "--print-record")
        return {
            "cold": cold,
            "warm": warm,
            "withdraw": withdraw,
            "peak": max(cold_mib, warm_mib, withdraw_mib),
        }
    finally:
        anvil.send_signal(signal.SIGTERM)
        anvil.wait()
        shutil.rmtree(home.parent, ignore_errors=True)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deposits", type=int, action="append", help="pool size (repeatable)")
    args = parser.parse_args()
    for n in args.deposits or [100_000]:
        print(f"pool of {n:,} deposits (depth {DEPTH}, Poseidon), whole `mixer` processes on anvil:")
        got = run(n)
        targets = TARGETS.get(n, {})
        for name, label in (
            ("cold", "status, cold cache"),
            ("warm", "status, warm cache"),
            ("withdraw", "withdraw --print-record, warm"),
        ):
            target = targets.get(name)
            verdict = "" if target is None else f"  target <= {target} s: {_met(got[name] <= target)}"
            print(f"  {label:32} {got[name]:7.2f} s{verdict}")
        mem = got["peak"]
        verdict = f"target <= {MEMORY_TARGET_MIB}: {_met(mem <= MEMORY_TARGET_MIB)}"
        print(f"  {'peak memory (largest process)':32} {mem:7.0f} MiB  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
