"""Groth16 prove/verify for the depth-20 Poseidon withdrawal, ours vs snarkjs, same key, same run.

    python bench/prove.py [--runs N] [--circuit withdraw-poseidon-20]

Both provers use the same snarkjs `.zkey` (a phase-2 key with one contribution, made with
`snarkjs groth16 setup` on our exported `.r1cs`) and the same witness (our `.wtns`). The
peer is `snarkjs groth16 prove` timed as a whole process (what a user runs); ours is timed
in-process after loading the key, plus the witness computation, twice: with the key's
precomputed tables (`groth16.precompute`, a prover that keeps its key loaded) and without
(what the one-shot CLI does). Each side's proof is verified by both verifiers. The first
run builds a 2^13 powers-of-tau file (~3-5 minutes, cached under .cache/bench).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from circuits import registry
from mixer.snark import groth16, iden3
from mixer.snark.groth16 import Proof
from mixer.snark.keys import VerifyingKey, load_key
from mixer.snark.multiexp import default_workers
from mixer.snark.proof import public_from_snarkjs, public_to_snarkjs

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
CACHE = ROOT / ".cache" / "bench"
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"
sys.path.insert(0, str(ROOT / "tests"))
from snark_circuits import withdraw_example  # noqa: E402  (test helper: a note in a real tree)


def live_children_cpu() -> float:
    """CPU time of this process's children that are still running (the tables' helpers)."""
    ticks = 0
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        if fields[1] == me:  # ppid; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """CPU time of this process, of its waited-for children (forked workers, node) and of
    its live ones."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + live_children_cpu()


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """work()'s result, wall seconds and CPU seconds (all processes): on a shared machine the
    wall time depends on the load, the CPU time much less."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def snarkjs(*args: str | Path, cwd: Path = CACHE) -> None:
    """Run snarkjs; exit with its output if it fails."""
    proc = subprocess.run(
        [str(SNARKJS), *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"snarkjs {' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}")


def ptau(power: int) -> Path:
    path = CACHE / f"pot{power}.ptau"
    if not path.exists():
        print(f"making a 2^{power} powers of tau (once; a few minutes)...", flush=True)
        snarkjs("powersoftau", "new", "bn128", str(power), f"pot{power}_0.ptau")
        snarkjs("powersoftau", "contribute", f"pot{power}_0.ptau", f"pot{power}_1.ptau", "-e=bench")
        snarkjs("powersoftau", "prepare", "phase2", f"pot{power}_1.ptau", f"pot{power}_partial.ptau")
        (CACHE / f"pot{power}_partial.ptau").rename(path)  # an interrupted run leaves no bad cache
    return path


def zkey(circuit: str) -> Path:
    r1cs = registry.compile(circuit)
    stem = f"{circuit}-{r1cs.digest()[:12]}"
    path = CACHE / f"{stem}.zkey"
    if not path.exists():
        (CACHE / f"{stem}.r1cs").write_bytes(iden3.write_r1cs(r1cs))
        rows = r1cs.n_constraints + r1cs.n_public + 1
        power = (rows - 1).bit_length()  # a prepared 2^k ptau serves domains up to 2^k
        print(f"snarkjs groth16 setup for {circuit} ({r1cs.n_constraints} constraints)...", flush=True)
        snarkjs("groth16", "setup", f"{stem}.r1cs", ptau(power), f"{stem}_0.zkey")
        snarkjs("zkey", "contribute", f"{stem}_0.zkey", f"{stem}_partial.zkey", "-e=bench")
        snarkjs("zkey", "export", "verificationkey", f"{stem}_partial.zkey", f"{stem}.vk.json")
        (CACHE / f"{stem}_partial.zkey").rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--circuit", default="withdraw-poseidon-20")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    key_path = zkey(args.circuit)
    vk_json = json.loads(key_path.with_suffix(".vk.json").read_text())
    hash_name, depth = registry.parse(args.circuit).hash_name, registry.parse(args.circuit).depth
    inputs = withdraw_example(hash_name, depth)

    start = time.perf_counter()
    pk = load_key(key_path)
    load_seconds = time.perf_counter() - start
    pk.check_circuit(registry.compile(args.circuit))

    # The one-process profile first, with in-process tables (dropped before the timed runs).
    marks: list[tuple[str, float]] = []

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    one_process, one_process_seconds, _ = timed(lambda: groth16.precompute(pk, workers=1))
    tables_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    mark("witness")
    groth16.prove(pk, registry.witness(args.circuit, inputs), on_step=mark, tables=one_process)
    mark("end")
    profile = [(name, t1 - t0) for (name, t0), (_, t1) in itertools.pairwise(marks)]
    del one_process
    tables, tables_seconds, _ = timed(lambda: groth16.precompute(pk))

    public = registry.public_signals(args.circuit, inputs)
    # Interleaved, so all see the same machine load.
    ours: list[tuple[float, float]] = []
    plain: list[tuple[float, float]] = []
    peer: list[tuple[float, float]] = []
    proof: Proof | None = None
    (CACHE / "wtns.wtns").write_bytes(iden3.write_wtns(registry.witness(args.circuit, inputs)))
    for _ in range(args.runs):
        proof, wall, cpu = timed(
            lambda: groth16.prove(pk, registry.witness(args.circuit, inputs), tables=tables)
        )
        ours.append((wall, cpu))
        proof_plain, wall, cpu = timed(lambda: groth16.prove(pk, registry.witness(args.circuit, inputs)))
        plain.append((wall, cpu))
        assert groth16.verify(pk.vk, public, proof_plain)
        _, wall, cpu = timed(
            lambda: snarkjs("groth16", "prove", key_path.name, "wtns.wtns", "sj_proof.json", "sj_public.json")
        )
        peer.append((wall, cpu))

    assert proof is not None
    assert public_from_snarkjs(json.loads((CACHE / "sj_public.json").read_text())) == public

    vk = VerifyingKey.from_snarkjs(vk_json)
    ours_ok, our_verify, _ = timed(lambda: groth16.verify(vk, public, proof))
    peer_proof = Proof.from_snarkjs(json.loads((CACHE / "sj_proof.json").read_text()))
    peer_ok_ours = groth16.verify(vk, public, peer_proof)
    (CACHE / "our_proof.json").write_text(json.dumps(proof.to_snarkjs()))
    (CACHE / "public.json").write_text(json.dumps(public_to_snarkjs(public)))
    _, peer_verify, _ = timed(
        lambda: snarkjs(
            "groth16", "verify", key_path.with_suffix(".vk.json").name, "public.json", "our_proof.json"
        )
    )

    r1cs = registry.compile(args.circuit)
    size = f"{r1cs.n_constraints} constraints, {r1cs.n_wires} wires, domain {pk.qap.domain_size}"
    print(f"\n{args.circuit}: {size}; load average {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"key load (.zkey parse + checks): {load_seconds:.2f} s")
    print(
        f"precomputed tables (once per loaded key): {tables_seconds:.2f} s in {default_workers()} processes, "
        f"{one_process_seconds:.2f} s in one (+{tables_mb:.0f} MB)"
    )
    print(f"prove, {args.runs} interleaved runs (ours: witness + proof with {default_workers()} workers; ")
    print("snarkjs: the whole `groth16 prove` process):")
    for label, runs in (("ours", ours), ("ours without tables", plain)):
        print(f"  {label}:")
        for what, index in (("wall", 0), ("CPU ", 1)):
            o = statistics.median(t[index] for t in runs)
            p = statistics.median(t[index] for t in peer)
            best = min(t[index] for t in runs) / min(t[index] for t in peer)
            ratios = f"ratio {o / p:.2f} (best-of ratio {best:.2f})"
            print(f"    {what} median: {o:.2f} s, snarkjs {p:.2f} s -> {ratios}")
    print("our profile, one process, with tables:")
    for name, seconds in profile:
        print(f"  {name:14s} {seconds:.3f} s")
    print(f"  {'total':14s} {sum(s for _, s in profile):.3f} s")
    print(f"verify: ours {our_verify:.3f} s in-process, snarkjs {peer_verify:.2f} s (process)")
    print(
        f"cross-checks: our verifier on our proof {ours_ok}, on snarkjs's proof {peer_ok_ours}, "
        f"snarkjs verify on our proof ok"
    )
    if not (ours_ok and peer_ok_ours):
        sys.exit("a proof did not verify")


if __name__ == "__main__":
    main()
