"""The relayer service measured: admission throughput, end-to-end latency, gas per record.

    python -m bench.relayer

A real `mixer relayer serve` process on 127.0.0.1 against anvil, a Poseidon pool of depth 6
(64 leaves: room for 8 + 32 + 1 withdrawals) with a development key. For N = 8 and N = 32
records (proved beforehand, each bound to the relayer, its fee and a fresh recipient):

- admission: N records posted by 8 concurrent clients through the HTTP API, each checked
  (chain reads, our Groth16 verifier) before it is queued: records/s;
- latency: from each post to its job being `confirmed` (the relayer sends when N are queued:
  `--batch-size N`);
- gas per record of the batch the relayer actually sent (first-time recipients, registered
  by the same transaction), next to a lone withdrawal of one record to a first-time recipient.

Targets (issue 11): >= 20 records/s admitted on a 2-core machine; gas per record in batches
of 8 no more than half of a lone withdrawal's.
"""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from mixer.params import ZERO_ADDRESS
from tests.support import cli_helpers
from tests.support.chain_nodes import anvil
from tests.support.relayer_env import DENOMINATION, FEE, PoolEnv, fresh, fund, make_pool, relayer_process

DEPTH = 6
SIZES = (8, 32)
ADMISSION_TARGET = 20.0
CLIENTS = 8


def run(pool: PoolEnv, home: Path, url: str, n: int) -> dict[str, Any]:
    notes, pool.notes[:] = pool.notes[:n], pool.notes[n:]
    recipients = [fresh() for _ in notes]
    bodies = [pool.body(pool.record(note, r), r) for note, r in zip(notes, recipients, strict=True)]
    args = ("--fee", "0.01", "--batch-size", str(n), "--max-wait", "600", "--rate-limit", "10000")
    with relayer_process(home, url, pool.relayer_key, *args, log=home / f"relayer-{n}.log") as server:
        posted: dict[str, float] = {}

        def post(body: dict[str, Any]) -> str:
            answer = server.post(body)
            assert answer.status_code == 202, answer.text
            job = str(answer.json()["id"])
            posted[job] = time.monotonic()
            return job

        start = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as clients:
            ids = list(clients.map(post, bodies))
        admitted = time.monotonic() - start
        confirmed: dict[str, float] = {}
        while len(confirmed) < n:
            for job in ids:
                if job not in confirmed:
                    state = server.job(job)
                    assert state["status"] != "failed", state
                    if state["status"] == "confirmed":
                        confirmed[job] = time.monotonic()
            time.sleep(0.05)
        mined = [e for e in server.events() if e["event"] == "mined"]
    latencies = [confirmed[j] - posted[j] for j in ids]
    assert [pool.balance(r) for r in recipients] == [DENOMINATION - FEE] * n
    return {
        "n": n,
        "admission_rate": n / admitted,
        "latency_mean": statistics.mean(latencies),
        "latency_max": max(latencies),
        "transactions": len(mined),
        "gas_per_record": sum(e["gasUsed"] for e in mined) / n,
    }


def lone_withdrawal_gas(pool: PoolEnv) -> int:
    note = pool.notes.pop(0)
    recipient = fresh()
    record = pool.record(note, recipient, relayer=ZERO_ADDRESS, fee=0)
    return pool.client(2).withdraw([record], new_recipients=[recipient], gas=1_500_000).gas_used


def main() -> None:
    cli_helpers.DEPTH = DEPTH  # the dev key of a depth-6 tree, made once per machine
    with TemporaryDirectory() as tmp, anvil() as w3:
        home = cli_helpers.new_home(Path(tmp) / "relayer")
        print(f"Preparing a depth-{DEPTH} pool with {sum(SIZES) + 1} deposits ...", file=sys.stderr)
        pool = make_pool(w3, Path(tmp), deposits=sum(SIZES) + 1, home=home)
        fund(w3, pool.relayer)
        url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        lone = lone_withdrawal_gas(pool)
        rows = [run(pool, home, url, n) for n in SIZES]
    print(f"\nRelayer on anvil, depth {DEPTH}, {CLIENTS} concurrent clients; lone withdrawal: {lone:,} gas\n")
    print("| N | admitted (records/s) | post -> confirmed, mean / max (s) | txs | gas per record | vs lone |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']} | {r['admission_rate']:.1f} | {r['latency_mean']:.2f} / {r['latency_max']:.2f} | "
            f"{r['transactions']} | {r['gas_per_record']:,.0f} | {r['gas_per_record'] / lone:.2f} |"
        )
    rate = min(r["admission_rate"] for r in rows)
    eight = next(r for r in rows if r["n"] == 8)["gas_per_record"]
    met = "met" if rate >= ADMISSION_TARGET else "NOT met"
    print(f"\nadmission >= {ADMISSION_TARGET:g}/s: {met} ({rate:.1f})")
    met = "met" if eight <= lone / 2 else "NOT met"
    print(f"batch of 8 <= half a lone withdrawal: {met} ({eight / lone:.2f})")


if __name__ == "__main__":
    main()
