"""Constraint counts of our circuits next to the same statements written in circom with circomlib.

    python -m bench.circuit [depth]

The peer circuits are in bench/circom/ and are compiled in the same run with the npm
`circom2` package (circom 2, `--O2`, wasm). Target: no more constraints than circom's
(printed as met / NOT met, never failing the run).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from circuits import registry
from circuits.gadgets.poseidon import poseidon
from mixer.snark.circuit import Circuit

ROOT = Path(__file__).resolve().parent.parent
CIRCOM = ROOT / "node_modules" / ".bin" / "circom2"


def circom_constraints(source: str, depth: int) -> tuple[int, float]:
    """(constraints, seconds) for a peer circuit; its depth is rewritten to `depth`."""
    text = (ROOT / "bench" / "circom" / source).read_text().replace("Withdraw(20)", f"Withdraw({depth})")
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        # circom2 (wasm) resolves includes relative to its working directory: keep cwd = ROOT.
        main = Path(tmp) / source
        main.write_text(text)
        start = time.perf_counter()
        out = subprocess.run(
            [str(CIRCOM), str(main.relative_to(ROOT)), "--r1cs", "--O2", "-l", ".", "-o", tmp],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seconds = time.perf_counter() - start
    counts = [int(n) for n in re.findall(r"(?:non-linear|linear) constraints: (\d+)", out)]
    return sum(counts), seconds


def ours_poseidon2() -> int:
    c = Circuit()
    poseidon(c, c.private_input("a"), c.private_input("b"))
    return len(c.compile().constraints)


def main() -> None:
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"{'statement':34} {'ours':>8} {'circom':>8} {'ratio':>7}   compile ours / circom")
    ours, (theirs, _) = ours_poseidon2(), circom_constraints("poseidon2.circom", depth)
    print(f"{'Poseidon(2) alone':34} {ours:8} {theirs:8} {ours / theirs:7.3f}")
    worst = ours / theirs
    for hash_name in ("poseidon", "mimcsponge"):
        name = f"withdraw-{hash_name}-{depth}"
        start = time.perf_counter()
        ours = len(registry.compile(name).constraints)
        ours_t = time.perf_counter() - start
        theirs, theirs_t = circom_constraints(f"withdraw_{hash_name}.circom", depth)
        print(f"{name:34} {ours:8} {theirs:8} {ours / theirs:7.3f}   {ours_t:.2f} s / {theirs_t:.2f} s")
        worst = max(worst, ours / theirs)
    print("ratio: our constraints / circom's (above 1: ours has more)")
    verdict = "met" if worst <= 1 else "NOT met"
    print(f"target: no more constraints than circom's (every ratio <= 1): {verdict}")


if __name__ == "__main__":
    main()
