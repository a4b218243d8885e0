"""`mixer snark ...`: the Groth16 engine's files and steps, mirroring the snarkjs workflow.

An auditor can export our R1CS and witnesses and check them with `snarkjs wtns check`,
run a ceremony with snarkjs on the exported `.r1cs`, prove with the resulting `.zkey`, and
verify our proofs with `snarkjs groth16 verify` (and snarkjs's proofs with `verify` here).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from circuits import registry
from mixer import jsonsafe
from mixer.atomic import write_file
from mixer.home import prover_cache_dir
from mixer.processes import beside
from mixer.snark import (
    CircuitError,
    KeyMismatchError,
    SnarkFormatError,
    groth16,
    iden3,
    load_key,
    proof_from_snarkjs,
    proof_to_snarkjs,
    public_from_snarkjs,
    public_to_snarkjs,
    vk_from_snarkjs,
    vk_to_snarkjs,
)
from mixer.snark.cache import ProverCache, load_checked_key
from mixer.snark.keyfile import encode
from wallet_cli.options import Options, UserError, default_home
from wallet_cli.output import fail, result
from wallet_cli.view import console, steps_bar

app = typer.Typer(
    help="Groth16 files and steps, interoperable with snarkjs: export, witness, setup, prove, verify.",
    no_args_is_help=True,
)

EXIT_INVALID: Final = 1
EXIT_UNUSABLE: Final = 2
_console = console(stderr=True)
"""What people read goes to stderr, leaving stdout to the files' contents or the JSON result."""

CircuitArg = Annotated[
    str, typer.Argument(metavar="CIRCUIT", help="Built-in circuit, e.g. withdraw-poseidon-20.")
]
KeyArg = Annotated[Path, typer.Argument(metavar="KEY", help="Our proving key file or a snarkjs .zkey.")]


@contextmanager
def _user_errors() -> Iterator[None]:
    """The errors a user's files or arguments can cause, as one-line UserErrors."""
    try:
        yield
    except (SnarkFormatError, KeyMismatchError, CircuitError, registry.UnknownCircuitError) as exc:
        raise UserError(str(exc)) from None
    except groth16.WitnessError as exc:
        raise UserError(f"unusable witness: {exc}") from None
    except OSError as exc:
        raise UserError(f"{exc.filename or 'file'}: {exc.strerror or exc}") from None


def _read_json(path: Path, what: str) -> Any:
    try:
        return jsonsafe.loads(path.read_bytes(), what=f"{what} file {path}")
    except FileNotFoundError:
        raise UserError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise UserError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None
    except jsonsafe.UntrustedJSONError as exc:
        raise UserError(str(exc)) from None


def _write(path: Path, data: bytes) -> None:
    """Crash-safe, replacing an existing file (as snarkjs does)."""
    try:
        write_file(path, data, overwrite=True)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _check_folders(*paths: Path) -> None:
    """Fail before a long computation, not after it, when an output cannot be written."""
    for path in paths:
        if not path.absolute().parent.is_dir():
            raise UserError(f"cannot write {path}: folder {path.parent} does not exist")


def _write_json(path: Path, value: Any) -> None:
    _write(path, (json.dumps(value, indent=1) + "\n").encode())


def _read_inputs(path: Path) -> dict[str, Any]:
    inputs = _read_json(path, "input")
    if not isinstance(inputs, dict):
        raise UserError(f"input file must hold a JSON object of signal names: {path}")
    return inputs


def _json_mode(ctx: typer.Context) -> bool:
    return isinstance(ctx.obj, Options) and ctx.obj.json


def _prover_cache(ctx: typer.Context) -> ProverCache:
    """The home's prover cache (docs/snark.md): compiled circuits, keys already checked."""
    return ProverCache(prover_cache_dir(ctx.obj.home if isinstance(ctx.obj, Options) else default_home()))


def _show_notes(cache: ProverCache | None) -> None:
    for note in cache.notes if cache is not None else ():
        _console.print(f"note: {note}", markup=False)


def _done(ctx: typer.Context, text: str, data: dict[str, Any]) -> None:
    """Tell a person what was done (stderr) and, with --json, a script (one object on stdout)."""
    _console.print(text)
    result(data, json_output=_json_mode(ctx))


def register(root: typer.Typer) -> typer.Typer:
    root.add_typer(app, name="snark", help="Groth16 files and steps, interoperable with snarkjs.")
    return root


@app.command("export-r1cs")
def export_r1cs(
    ctx: typer.Context,
    circuit: CircuitArg,
    out: Annotated[Path, typer.Argument(metavar="OUT.r1cs", help="Output .r1cs file.")],
) -> None:
    """Write CIRCUIT's constraint system as an iden3 .r1cs file (readable by snarkjs)."""
    with _user_errors():  # compiled now, not read from the prover cache: a ceremony starts here
        r1cs = registry.compile(circuit)
        _write(out, iden3.write_r1cs(r1cs))
    _done(
        ctx,
        f"{circuit}: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires, {r1cs.n_public} public inputs"
        f"\ncircuit digest {r1cs.digest()}\nwrote {out}",
        {
            "circuit": circuit,
            "constraints": r1cs.n_constraints,
            "wires": r1cs.n_wires,
            "publicInputs": r1cs.n_public,
            "digest": r1cs.digest(),
            "file": str(out),
        },
    )


@app.command()
def witness(
    ctx: typer.Context,
    circuit: CircuitArg,
    input_json: Annotated[
        Path, typer.Argument(metavar="INPUT.json", help="Signal names to decimal strings.")
    ],
    out: Annotated[Path, typer.Argument(metavar="OUT.wtns", help="Output .wtns file.")],
) -> None:
    """Compute CIRCUIT's witness for INPUT.json and write it as an iden3 .wtns file."""
    inputs = _read_inputs(input_json)
    with _user_errors():
        values = registry.witness(circuit, inputs)
        _write(out, iden3.write_wtns(values))
    _done(
        ctx,
        f"{circuit}: {len(values)} wire values; wrote {out}",
        {"circuit": circuit, "wires": len(values), "file": str(out)},
    )


@app.command()
def setup(
    ctx: typer.Context,
    circuit: CircuitArg,
    out_key: Annotated[Path, typer.Argument(metavar="OUT_KEY", help="Output proving key file.")],
    dev: Annotated[
        bool, typer.Option("--dev", help="Acknowledge: a single-party key, for development only.")
    ] = False,
    seed: Annotated[int | None, typer.Option(help="Make the key reproducible (tests only).")] = None,
) -> None:
    """Make a single-party DEVELOPMENT proving key for CIRCUIT (requires --dev)."""
    if not dev:
        raise UserError(
            "only a single-party development setup is built in: pass --dev to acknowledge it; for real "
            "funds, run a snarkjs phase-2 ceremony on `mixer snark export-r1cs` output and use its .zkey"
        )
    _check_folders(out_key)
    with _user_errors():
        r1cs = registry.compile(circuit)
    _console.print(
        "[bold red]WARNING:[/] single-party development setup. Whoever runs it can forge proofs "
        "for this key; never use it to protect real funds."
    )

    bar, on_step = steps_bar(_console, f"setup {circuit}", groth16.SETUP_STEPS)
    with bar, warnings.catch_warnings():
        warnings.simplefilter("ignore", groth16.DevSetupWarning)  # said above, in the user's terms
        pk = groth16.setup(r1cs, seed=seed, on_step=on_step)
    _write(out_key, encode(pk))
    _done(
        ctx,
        f"wrote {out_key} (circuit digest {r1cs.digest()})",
        {"circuit": circuit, "key": str(out_key), "digest": r1cs.digest(), "development": True},
    )


@app.command("export-vk")
def export_vk(
    ctx: typer.Context,
    key: KeyArg,
    out: Annotated[Path, typer.Argument(metavar="OUT.json", help="verification_key.json to write.")],
) -> None:
    """Write KEY's verifying key in snarkjs's verification_key.json shape."""
    with _user_errors():
        pk = load_key(key)
    _write_json(out, vk_to_snarkjs(pk.vk))
    _done(
        ctx,
        f"wrote {out} ({pk.vk.n_public} public inputs)",
        {"file": str(out), "publicInputs": pk.vk.n_public},
    )


@app.command()
def prove(
    ctx: typer.Context,
    circuit: CircuitArg,
    key: KeyArg,
    input_json: Annotated[
        Path, typer.Argument(metavar="INPUT.json", help="Signal names to decimal strings.")
    ],
    proof_json: Annotated[Path, typer.Argument(metavar="PROOF.json", help="proof.json to write.")],
    public_json: Annotated[Path, typer.Argument(metavar="PUBLIC.json", help="public.json to write.")],
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Compile the circuit and check the whole key now, without the prover cache "
            "(<home>/prover-cache).",
        ),
    ] = False,
) -> None:
    """Prove CIRCUIT for INPUT.json with KEY; write snarkjs-shaped proof and public signals."""
    inputs = _read_inputs(input_json)
    _check_folders(proof_json, public_json)
    cache = None if no_cache else _prover_cache(ctx)
    with _user_errors():
        built = registry.load(circuit, cache=cache)
        with beside(partial(built.witness, inputs)) as witness:  # computed while the key loads
            loaded = load_checked_key(key, built, cache)  # checked against the circuit
            values = witness.result()
    _show_notes(cache)
    public = values[1 : loaded.vk.n_public + 1]

    bar, on_step = steps_bar(_console, f"prove {circuit}", groth16.PROVE_STEPS)
    with bar, _user_errors():
        proof = groth16.prove(loaded.pk, values, on_step=on_step)
    if not groth16.verify(loaded.vk, public, proof):  # the key file's own verifying key
        if loaded.entry is not None:
            raise UserError(
                f"the proof does not verify with the key file's verifying key: the prover cache entry "
                f"{loaded.entry} is wrong (delete {loaded.entry.parent}, or prove with --no-cache)"
            )
        raise UserError("the proof does not verify with the key's own verifying key: the key is inconsistent")
    _write_json(proof_json, proof_to_snarkjs(proof))
    _write_json(public_json, public_to_snarkjs(public))
    _done(
        ctx,
        f"wrote {proof_json} and {public_json}",
        {
            "circuit": circuit,
            "proof": str(proof_json),
            "public": str(public_json),
            "publicSignals": public_to_snarkjs(public),
        },
    )


@app.command()
def verify(
    ctx: typer.Context,
    vk_json: Annotated[
        Path, typer.Argument(metavar="VK.json", help="verification_key.json (snarkjs shape).")
    ],
    public_json: Annotated[Path, typer.Argument(metavar="PUBLIC.json", help="public.json (snarkjs shape).")],
    proof_json: Annotated[Path, typer.Argument(metavar="PROOF.json", help="proof.json (snarkjs shape).")],
) -> None:
    """Verify a Groth16 proof. Exit 0: valid; 1: invalid; 2: unusable input files."""
    json_output = _json_mode(ctx)
    try:
        vk = vk_from_snarkjs(_read_json(vk_json, "verification key"))
        public = public_from_snarkjs(_read_json(public_json, "public signals"))
        proof = proof_from_snarkjs(_read_json(proof_json, "proof"))
    except (UserError, SnarkFormatError) as exc:
        fail(str(exc), EXIT_UNUSABLE, json_output=json_output)
    if len(public) != vk.n_public:
        fail(
            f"the key expects {vk.n_public} public signals, got {len(public)}",
            EXIT_UNUSABLE,
            json_output=json_output,
        )
    valid = groth16.verify(vk, public, proof)
    if json_output:  # "ok" says the command did what was asked: an invalid proof is a "no"
        result({"valid": valid, **({} if valid else {"error": "invalid proof"})}, json_output=True, ok=valid)
    else:
        typer.echo("valid proof" if valid else "invalid proof")
    if not valid:
        raise typer.Exit(EXIT_INVALID)
