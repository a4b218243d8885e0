"""Compile the pool contracts with the pinned npm solc and ship ABI + bytecode in the package.

    python contracts/build.py          # regenerate hashers, compile, write mixer/chain/artifacts/
    python contracts/build.py --check  # fail if the shipped artifacts differ from the sources

The hasher contracts are generated from `mixer.hashes` (the constants the off-chain code
uses), so both sides can never drift apart. solc is a development tool only: the
installed package reads the JSON artifacts and never needs node.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
GENERATED = CONTRACTS / "generated"
ARTIFACTS = ROOT / "mixer" / "chain" / "artifacts"
SOLC_VERSION = "0.8.37"
SETTINGS: dict[str, object] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "metadata": {"bytecodeHash": "none", "appendCBOR": False},
    "outputSelection": {
        "*": {
            "": ["ast"],
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.immutableReferences",
            ],
        }
    },
}
# The generated hashers are straight-line Yul that keeps p on the stack. The Yul optimizer
# would re-materialize p as a PUSH32 at each of ~400 uses and the constant optimizer would
# turn PUSH32s into CODECOPYs: both blow the 24 KiB code limit and cost gas, so both are off.
HASHER_SETTINGS: dict[str, object] = {
    **SETTINGS,
    "optimizer": {"enabled": True, "runs": 200, "details": {"yul": False, "constantOptimizer": False}},
}
# Contracts whose artifacts ship; everything else (interfaces, abstract bases) is source only.
SHIPPED = (
    "ETHPool",
    "ERC20Pool",
    "Groth16Verifier",
    "PoseidonHasher",
    "MiMCHasher",
    "TestToken",
    "AttackRecipient",
    "AlwaysTrueVerifier",
    "PoolFiller",
)
SOLC_JS = """
const solc = require('solc');
if (!solc.version().startsWith(process.env.SOLC_VERSION + '+')) {
  console.error('expected solc ' + process.env.SOLC_VERSION + ', found ' + solc.version()); process.exit(2);
}
let input = ''; process.stdin.on('data', d => input += d);
process.stdin.on('end', () => process.stdout.write(solc.compile(input)));
"""


def generated_sources() -> dict[str, str]:
    """Hasher sources from the live constants in mixer.hashes."""
    from mixer.codegen.hasher_contracts import mimc_contract, poseidon_contract
    from mixer.hashes import MIMC_ROUND_CONSTANTS, poseidon_params

    return {
        "PoseidonHasher.sol": poseidon_contract(poseidon_params(2)),
        "MiMCHasher.sol": mimc_contract(MIMC_ROUND_CONSTANTS),
    }


def compile_all(generated: dict[str, str]) -> dict[str, str]:
    """Artifact file name -> JSON text, for every shipped contract."""
    handwritten = {
        str(p.relative_to(CONTRACTS)): p.read_text()
        for p in sorted(CONTRACTS.rglob("*.sol"))
        if p.parent != GENERATED
    }
    hashers = {f"generated/{name}": text for name, text in generated.items()}
    hashers["IHasher.sol"] = handwritten["IHasher.sol"]
    found = _compile(handwritten, SETTINGS) | _compile(hashers, HASHER_SETTINGS)
    missing = set(SHIPPED) - set(found)
    if missing:
        raise SystemExit(f"solc output lacks {sorted(missing)}")
    return {f"{name}.json": json.dumps(found[name], indent=1, sort_keys=True) + "\n" for name in SHIPPED}


def _compile(sources: dict[str, str], settings: dict[str, object]) -> dict[str, dict[str, object]]:
    request = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": settings,
    }
    proc = subprocess.run(
        ["node", "-e", SOLC_JS],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SOLC_VERSION": SOLC_VERSION},
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"solc failed to start: {proc.stderr.strip()}")
    output = json.loads(proc.stdout)
    errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise SystemExit("\n".join(e["formattedMessage"] for e in errors))
    names = _immutable_names(output["sources"])
    found: dict[str, dict[str, object]] = {}
    for file_name, contracts in output["contracts"].items():
        for name, data in contracts.items():
            if name in SHIPPED:
                found[name] = {
                    "contractName": name,
                    "sourceName": file_name,
                    "compiler": {
                        "solc": SOLC_VERSION,
                        "settings": {k: settings[k] for k in ("optimizer", "evmVersion")},
                    },
                    "abi": data["abi"],
                    "bytecode": "0x" + data["evm"]["bytecode"]["object"],
                    "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                    "immutables": _immutables(data["evm"]["deployedBytecode"]["immutableReferences"], names),
                }
    return found


def _immutable_names(sources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """AST id -> name of every immutable state variable in the compiled sources."""
    names: dict[str, str] = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if node.get("nodeType") == "VariableDeclaration" and node.get("mutability") == "immutable":
                names[str(node["id"])] = str(node["name"])
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    for source in sources.values():
        visit(source["ast"])
    return names


def _immutables(references: dict[str, list[dict[str, int]]], names: dict[str, str]) -> dict[str, list[int]]:
    """Immutable name -> byte offsets of its 32-byte slots in the deployed code. The shipped
    deployedBytecode holds zeros there; the wallet masks them to recognise our code on chain
    and reads the values (a pool's verifier and hasher, a verifier's key) from them."""
    out: dict[str, list[int]] = {}
    for ast_id, slots in sorted(references.items()):
        if any(slot["length"] != 32 for slot in slots):
            raise SystemExit(f"immutable {names[ast_id]} has a slot that is not 32 bytes")
        out[names[ast_id]] = sorted(slot["start"] for slot in slots)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if shipped artifacts are stale")
    args = parser.parse_args(argv)
    generated = generated_sources()
    artifacts = compile_all(generated)
    expected = {GENERATED / k: v for k, v in generated.items()} | {
        ARTIFACTS / k: v for k, v in artifacts.items()
    }
    if args.check:
        stale = [
            str(p.relative_to(ROOT))
            for p, text in expected.items()
            if not p.exists() or p.read_text() != text
        ]
        if stale:
            print("stale build outputs (run python contracts/build.py):", *stale, sep="\n  ", file=sys.stderr)
            return 1
        print(f"{len(expected)} build outputs up to date")
        return 0
    GENERATED.mkdir(exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path, text in expected.items():
        path.write_text(text)
    for name in artifacts:
        size = (len(json.loads(artifacts[name])["deployedBytecode"]) - 2) // 2
        print(f"{name:28} {size:6} bytes deployed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
