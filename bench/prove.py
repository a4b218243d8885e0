"""Groth16 prove/verify for the depth-20 Poseidon withdrawal, ours vs snarkjs, same key, same run.

    python -m bench.prove [--runs N] [--circuit withdraw-poseidon-20]

Both provers use the same snarkjs `.zkey` (a phase-2 key with one contribution, made with
`snarkjs groth16 setup` on our exported `.r1cs`) and the same inputs. The peer is
`snarkjs groth16 prove` on our `.wtns`, timed as a whole process (node start, `.zkey`
parse, proof: what a user runs). Ours is timed two ways, interleaved with the peer:
- in-process after loading the key (witness + proof), with the key's precomputed tables
  (`groth16.precompute`, a prover that keeps its key loaded) and without them;
- as a whole process, like the peer: `mixer snark prove CIRCUIT KEY INPUT.json PROOF.json
  PUBLIC.json` (interpreter start, imports, the key from the prover cache, witness, proof,
  and the CLI's own check of the proof it writes). This is the like-for-like row; the
  cache (in .cache/bench/home) is filled by one untimed run first, whose time is printed.
  The same with `--no-cache` (compile the circuit, parse and check the whole `.zkey`) is
  timed too, as what a first run or `--no-cache` costs.
Every proof is verified by both verifiers (ours in-process and as `mixer snark verify`,
and `snarkjs groth16 verify`). The targets (prove ratio <= 1 in-process and as a whole
process, verify <= 0.3 s) are printed as met / NOT met and never fail the run; a proof
that does not verify does. The first run builds a 2^13 powers-of-tau file (~3-5 minutes,
cached by tests/support/snarkjs_cli.py, which the tests share).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from circuits import registry
from mixer.processes import default_workers
from mixer.snark import groth16, iden3
from mixer.snark.files import load_key
from mixer.snark.proof import Proof
from mixer.snark.snarkjs import (
    proof_from_snarkjs,
    proof_to_snarkjs,
    public_from_snarkjs,
    public_to_snarkjs,
    vk_from_snarkjs,
)

# test helpers: a note in a real tree; the snarkjs runner and powers of tau the tests use
from tests.support.snark_circuits import withdraw_example
from tests.support.snarkjs_cli import CommandFailed, ptau, run
from tests.support.snarkjs_cli import snarkjs as snarkjs_process
from tests.support.tools import node_tool

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
CACHE = ROOT / ".cache" / "bench"
MIXER = ROOT / ".venv" / "bin" / "mixer"
PROVE_TARGET = 1.0
"""Ours / snarkjs prove time, median wall of the interleaved runs."""
VERIFY_TARGET = 0.3
"""Seconds for one verification (the slowest over the proofs checked)."""

Runs = list[tuple[float, float]]
"""(wall, CPU) seconds of each run."""


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


def snarkjs(*args: str | Path) -> None:
    """Run snarkjs in the cache folder; CommandFailed (with its output) if it fails."""
    run([node_tool("snarkjs"), *args], CACHE)


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


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


def prove_rows(label: str, runs: Runs, peer: Runs) -> tuple[str, list[float]]:
    """Printed lines for one of our provers against snarkjs, and its median wall and CPU ratios."""
    lines = [f"  {label}:"]
    ratios = []
    for what, index in (("wall", 0), ("CPU ", 1)):
        o = statistics.median(t[index] for t in runs)
        p = statistics.median(t[index] for t in peer)
        best = min(t[index] for t in runs) / min(t[index] for t in peer)
        ratios.append(o / p)
        ratio = f"ratio {o / p:.2f} (best-of {best:.2f})"
        lines.append(f"    {what} median: {o:.2f} s, snarkjs {p:.2f} s -> {ratio}")
    return "\n".join(lines), ratios


def cli_verify(vk: Path, public: Path, proof: Path) -> bool:
    """`mixer snark verify` as a user runs it: exit 0 valid, 1 invalid, 2 unusable files."""
    proc = subprocess.run(
        [str(MIXER), "snark", "verify", str(vk), str(public), str(proof)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise CommandFailed(f"mixer snark verify {proof.name} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode == 0


def bench(args: argparse.Namespace) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    if not MIXER.exists():
        sys.exit(f"{MIXER} not found: install the project into .venv first (pip install -e .)")
    key_path = zkey(args.circuit)
    vk_path = key_path.with_suffix(".vk.json")
    spec = registry.parse(args.circuit)
    inputs = withdraw_example(spec.hash_name, spec.depth)

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

    public = registry.public_signals(args.circuit, inputs)
    (CACHE / "wtns.wtns").write_bytes(iden3.write_wtns(registry.witness(args.circuit, inputs)))
    (CACHE / "input.json").write_text(json.dumps(inputs))
    (CACHE / "public.json").write_text(json.dumps(public_to_snarkjs(public)))
    home = CACHE / "home"
    cli_prove = [MIXER, "--home", home, "snark", "prove", args.circuit, key_path.name, "input.json"]
    if home.exists():
        shutil.rmtree(home)
    no_cache = ["--no-cache"]
    _, first_seconds, _ = timed(lambda: run([*cli_prove, "cli_proof.json", "cli_public.json"], CACHE))

    def peer_prove() -> None:
        snarkjs("groth16", "prove", key_path.name, "wtns.wtns", "sj_proof.json", "sj_public.json")

    # Interleaved with snarkjs, so both see the same machine load. Two phases: the tables'
    # helpers give this process a manager thread, and beside a thread the prover starts its
    # workers from the forkserver instead of forking (mixer/snark/workers.py), so the runs
    # without tables (the CLI's case) go first, before any table exists.
    ours: Runs = []
    plain: Runs = []
    cli: Runs = []
    cli_no_cache: Runs = []
    peer: Runs = []
    peer_beside_tables: Runs = []
    proofs: dict[str, Proof] = {}
    for _ in range(args.runs):
        proofs["ours, in-process, no tables"], wall, cpu = timed(
            lambda: groth16.prove(pk, registry.witness(args.circuit, inputs))
        )
        plain.append((wall, cpu))
        _, wall, cpu = timed(lambda: run([*cli_prove, "cli_proof.json", "cli_public.json"], CACHE))
        cli.append((wall, cpu))
        _, wall, cpu = timed(peer_prove)
        peer.append((wall, cpu))
        _, wall, cpu = timed(lambda: run([*cli_prove, "nc_proof.json", "nc_public.json", *no_cache], CACHE))
        cli_no_cache.append((wall, cpu))
    tables, tables_seconds, _ = timed(lambda: groth16.precompute(pk))
    for _ in range(args.runs):
        proofs["ours, in-process, tables"], wall, cpu = timed(
            lambda: groth16.prove(pk, registry.witness(args.circuit, inputs), tables=tables)
        )
        ours.append((wall, cpu))
        _, wall, cpu = timed(peer_prove)
        peer_beside_tables.append((wall, cpu))

    for name in ("cli_public.json", "nc_public.json", "sj_public.json"):
        if public_from_snarkjs(json.loads((CACHE / name).read_text())) != public:
            sys.exit(f"{name} holds other public signals than the inputs'")
    proofs["ours, whole process"] = proof_from_snarkjs(json.loads((CACHE / "cli_proof.json").read_text()))
    proofs["ours, --no-cache"] = proof_from_snarkjs(json.loads((CACHE / "nc_proof.json").read_text()))
    proofs["snarkjs"] = proof_from_snarkjs(json.loads((CACHE / "sj_proof.json").read_text()))

    # Every proof by every verifier: (ok, seconds) per verifier.
    vk = vk_from_snarkjs(json.loads(vk_path.read_text()))
    checks: dict[str, list[tuple[bool, float]]] = {}
    for label, proof in proofs.items():
        proof_path = CACHE / "checked_proof.json"
        proof_path.write_text(json.dumps(proof_to_snarkjs(proof)))
        in_process, in_process_s, _ = timed(partial(groth16.verify, vk, public, proof))
        process, process_s, _ = timed(partial(cli_verify, vk_path, CACHE / "public.json", proof_path))
        verify_args = ("groth16", "verify", vk_path.name, "public.json", proof_path.name)
        peer_run, peer_s, _ = timed(partial(snarkjs_process, *verify_args, cwd=CACHE))
        peer_ok = peer_run.returncode == 0 and "OK!" in peer_run.stdout
        checks[label] = [(in_process, in_process_s), (process, process_s), (peer_ok, peer_s)]

    r1cs = registry.compile(args.circuit)
    size = f"{r1cs.n_constraints} constraints, {r1cs.n_wires} wires, domain {pk.qap.domain_size}"
    print(f"\n{args.circuit}: {size}; load average {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"key load (.zkey parse + checks): {load_seconds:.2f} s")
    print(f"first `mixer snark prove` (fills the prover cache): {first_seconds:.2f} s wall")
    print(
        f"precomputed tables (once per loaded key): {tables_seconds:.2f} s in {default_workers()} processes, "
        f"{one_process_seconds:.2f} s in one (+{tables_mb:.0f} MB)"
    )
    print(f"prove, {args.runs} interleaved runs; ratio = our time / snarkjs's (below 1: ours is faster).")
    print("snarkjs: the whole `groth16 prove` process, from our .wtns. Ours in-process: witness + proof")
    print(f"with {default_workers()} workers, key already loaded. Ours whole process: `mixer snark prove`")
    print("from input.json (start, imports, key from the prover cache, witness, proof, its own verify,")
    print("files); with --no-cache: compiling the circuit, parsing and checking the .zkey instead.")
    rows = (
        ("ours in-process, with tables", ours, peer_beside_tables),
        ("ours in-process, without tables", plain, peer),
        ("ours whole process (mixer snark prove)", cli, peer),
        ("ours whole process, --no-cache", cli_no_cache, peer),
    )
    prove_ratios = []
    for label, runs, peer_runs in rows:
        text, (wall_ratio, cpu_ratio) = prove_rows(label, runs, peer_runs)
        print(text)
        prove_ratios.append((label, wall_ratio, cpu_ratio))
    print("our profile, one process, with tables:")
    for name, seconds in profile:
        print(f"  {name:14s} {seconds:.3f} s")
    print(f"  {'total':14s} {sum(s for _, s in profile):.3f} s")
    verifiers = ("ours in-process", "mixer snark verify", "snarkjs verify")
    print("verify: seconds and result of each proof under each verifier")
    print(f"  {'proof':30}" + "".join(f"{v:>22}" for v in verifiers))
    for label, row in checks.items():
        cells = "".join(f"{f'{s:.3f} s ' + ('ok' if ok else 'FAILED'):>22}" for ok, s in row)
        print(f"  {label:30}{cells}")
    targets = f"prove ratio <= {PROVE_TARGET:g}, verify <= {VERIFY_TARGET:g} s"
    print(f"targets (checked, never failing the run): {targets}")
    for label, wall_ratio, cpu_ratio in prove_ratios:
        met = verdict(wall_ratio, PROVE_TARGET)
        print(f"  prove, {label}: median wall ratio {wall_ratio:.2f} -> {met} (CPU ratio {cpu_ratio:.2f})")
    for column, verifier in enumerate(verifiers[:2]):
        slowest = max(row[column][1] for row in checks.values())
        print(f"  verify, {verifier} (slowest proof): {slowest:.3f} s -> {verdict(slowest, VERIFY_TARGET)}")
    failed = [
        f"{label} by {verifier}"
        for label, row in checks.items()
        for verifier, (ok, _) in zip(verifiers, row, strict=True)
        if not ok
    ]
    if failed:
        sys.exit(f"proofs that did not verify: {', '.join(failed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--circuit", default="withdraw-poseidon-20")
    try:
        bench(parser.parse_args())
    except CommandFailed as exc:  # a tool's failure: its own output says why
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
