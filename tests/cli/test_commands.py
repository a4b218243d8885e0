"""The `mixer` command through typer's runner, on the embedded chain in a temporary home."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from mixer.backup import read_backup
from mixer.chain import backend, embedded
from mixer.chain.artifacts import load
from mixer.chain.client import ContractReverted
from mixer.chain.reverts import REVERTS
from mixer.hashes import get_hasher
from mixer.note import Note
from mixer.sealed import KdfParams
from mixer.wallet import Wallet
from tests.support.cli_helpers import DEPTH, PASSWORD, env, new_home, one_error_line, run, run_json, spawn
from wallet_cli.app import app
from wallet_cli.errors import user_message
from wallet_cli.main import hoist_global_options


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return new_home(tmp_path)


@pytest.fixture
def deployed(home: Path) -> Iterator[tuple[Path, dict[str, object]]]:
    yield home, run_json(home, "deploy", "--depth", str(DEPTH))


@pytest.fixture(scope="module")
def bare_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a deployed pool and no wallet, for the checks that change nothing."""
    home = new_home(tmp_path_factory.mktemp("bare"))
    run_json(home, "deploy", "--depth", str(DEPTH))
    return home


def _pool_contract(home: Path, address: str):  # type: ignore[no-untyped-def]
    w3 = embedded.open_embedded(home / "chain")
    return w3, w3.eth.contract(address=address, abi=load("ETHPool").abi)


def test_deploy_reports_addresses_of_contracts_on_chain_and_remembers_the_pool(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, out = deployed
    assert {tx["step"] for tx in out["transactions"]} == {"deploy hasher", "deploy verifier", "deploy pool"}  # type: ignore[attr-defined]
    assert all(tx["gasUsed"] > 0 and len(tx["hash"]) == 66 for tx in out["transactions"])  # type: ignore[attr-defined]
    w3, pool = _pool_contract(home, str(out["pool"]))
    try:
        assert pool.functions.hasher().call() == out["hasher"]
        assert pool.functions.verifier().call() == out["verifier"]
        assert pool.functions.levels().call() == DEPTH
        assert pool.functions.denomination().call() == 10**17
    finally:
        backend.close(w3)
    pools = json.loads((home / "pools.json").read_text())["pools"]
    assert [p["address"] for p in pools] == [out["pool"]]


def test_deposits_from_two_accounts_are_on_chain_and_in_the_wallet(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, dep = deployed
    first = run_json(home, "deposit")
    second = run_json(home, "--account", "3", "deposit")
    assert (first["leafIndex"], second["leafIndex"]) == (0, 1)
    assert [len(first["warnings"]), len(second["warnings"])] == [1, 1]  # a crowd of 1, then of 2
    assert "the pool has only 2 deposits: a withdrawal hides among at most 2" in second["warnings"][0]
    assert first["from"] != second["from"]
    notes = [Note.parse(str(d["note"])) for d in (first, second)]
    assert all(n.pool.address == dep["pool"] for n in notes)
    w3, pool = _pool_contract(home, str(dep["pool"]))
    try:
        for note, out in zip(notes, (first, second), strict=True):
            commitment = get_hasher("poseidon").commitment(note.nullifier, note.secret)
            assert pool.functions.commitments(commitment.to_bytes(32, "big")).call()
            assert out["commitment"] == "0x" + commitment.to_bytes(32, "big").hex()
            receipt = w3.eth.get_transaction_receipt(out["transactions"][0]["hash"])  # type: ignore[index]
            assert receipt["gasUsed"] == out["transactions"][0]["gasUsed"]  # type: ignore[index]
        assert w3.eth.get_balance(dep["pool"]) == 2 * 10**17
    finally:
        backend.close(w3)
    listed = run_json(home, "notes", "list")["notes"]
    assert [(n["leafIndex"], n["state"]) for n in listed] == [
        (0, "deposited, unspent"),
        (1, "deposited, unspent"),
    ]
    shown = run_json(home, "notes", "show", "2")
    assert shown["note"] == second["note"]
    assert second["note"] not in (home / "notes.sealed").read_text()


def test_status_counts_the_anonymity_set_and_warns_when_it_is_small(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, dep = deployed
    deposited = run(home, "deposit").stdout
    assert "warning: the pool has only 1 deposits" in deposited
    status = run_json(home, "status")
    (pool,) = status["pools"]
    assert pool["deposits"] == 1 and pool["smallAnonymitySet"] is True
    w3, contract = _pool_contract(home, str(dep["pool"]))
    try:
        assert pool["lastRoot"] == "0x" + contract.functions.getLastRoot().call().hex()
    finally:
        backend.close(w3)
    assert [n["state"] for n in status["notes"]] == ["deposited, unspent"]
    human = run(home, "status")
    assert "warning" in human.stdout and "only 1 deposits" in human.stdout


def test_backup_restores_into_a_new_home_and_never_overwrites(
    deployed: tuple[Path, dict[str, object]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    home, _ = deployed
    note = run_json(home, "deposit")["note"]
    backup = tmp_path_factory.mktemp("b") / "notes.backup"
    assert run_json(home, "notes", "backup", str(backup))["notes"] == 1
    before = backup.read_bytes()
    again = run(home, "notes", "backup", str(backup), ok=False)
    assert again.exit_code == 1
    assert one_error_line(again.stderr) == f"error: {backup} already exists: pass --force to replace it"
    assert backup.read_bytes() == before
    nowhere = backup.parent / "missing" / "notes.backup"
    lost = run(home, "notes", "backup", str(nowhere), ok=False)
    assert (
        one_error_line(lost.stderr)
        == f"error: cannot write {nowhere}: folder {nowhere.parent} does not exist"
    )
    run_json(home, "notes", "backup", str(backup), "--force")  # a new salt: other bytes, same notes
    assert backup.read_bytes() != before and read_backup(backup, PASSWORD)[0].note.to_string() == note

    other = tmp_path_factory.mktemp("other")
    wrong = run(other, "notes", "restore", str(backup), environ=env(MIXER_PASSWORD="nope"), ok=False)
    assert "wrong password" in one_error_line(wrong.stderr)
    assert not (other / "notes.sealed").exists()
    assert run_json(other, "notes", "restore", str(backup))["added"] == 1
    assert run_json(other, "notes", "restore", str(backup))["added"] == 0
    assert run_json(other, "notes", "show", "1")["note"] == note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("deposit", "--note", "tornado-eth-0.1-1-0xabc"), "Tornado Cash note"),
        (("deposit", "--note", "hello"), "not a mixer note"),
        (("--rpc-url", "http://127.0.0.1:9", "status"), "node at http://127.0.0.1:9: connection refused"),
        (("--rpc-url", "http://no-such-host.invalid:8545", "status"), ".invalid:8545: host not found"),
        (("--account", "42", "deposit"), "only 10 unlocked accounts"),
        (("deploy", "--hash", "sha256"), "--hash must be one of"),
        (("deploy", "--depth", "4"), "no key for circuit withdraw-poseidon-4"),
        (
            ("deploy", "--depth", str(DEPTH), "--denomination", "0"),
            "--denomination must be a positive amount",
        ),
        (("deploy", "--depth", str(DEPTH), "--denomination", "1e-19"), "more than 18 decimal places"),
        (("notes", "show", "1"), "no wallet"),
        (("--json", "demo"), "without --json"),
    ],
)
def test_user_errors_print_one_line_and_exit_1(bare_pool: Path, args: tuple[str, ...], message: str) -> None:
    home = bare_pool
    result = run(home, *args, ok=False)
    assert result.exit_code == 1
    assert message in one_error_line(result.stderr)


def test_with_json_a_failure_is_still_one_json_object_on_stdout(bare_pool: Path) -> None:
    cases = [
        (("notes", "show", "1"), 1, "no wallet"),  # a user error
        (("deploy", "--bogus"), 2, "No such option: --bogus"),  # a usage error of a command
        (("--bogus", "status"), 2, "No such option: --bogus"),  # ... and of the global options
        ((), 2, "Missing command"),
    ]
    for args, code, message in cases:
        result = run(bare_pool, "--json", *args, ok=False)
        assert result.exit_code == code, args
        assert json.loads(result.stdout) == {"ok": False, "error": one_error_line(result.stderr)[7:]}
        assert message in result.stdout, args
    # a real process: stdout holds nothing but the object, the status is non-zero
    proc = spawn(bare_pool, "deposit", "--note", "hello", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"ok": False, "error": one_error_line(proc.stderr)[7:]}
    assert "not a mixer note" in proc.stdout


def test_a_mistyped_note_is_rejected_before_anything_is_sent(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, _ = deployed
    note = str(run_json(home, "deposit")["note"])
    typo = note[:-20] + ("0" if note[-20] != "0" else "1") + note[-19:]
    result = run(home, "deposit", "--note", typo, ok=False)
    assert "checksum mismatch" in one_error_line(result.stderr)
    assert run_json(home, "status")["pools"][0]["deposits"] == 1


def test_wrong_password_is_one_line_and_the_wallet_is_unchanged(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, _ = deployed
    run_json(home, "deposit")
    before = (home / "notes.sealed").read_bytes()
    result = run(home, "deposit", environ=env(MIXER_PASSWORD="not it"), ok=False)
    assert "wrong password" in one_error_line(result.stderr)
    assert (home / "notes.sealed").read_bytes() == before
    assert PASSWORD  # the right one still opens it
    assert len(run_json(home, "notes", "list")["notes"]) == 1


def test_insufficient_funds_is_caught_before_the_note_is_saved(
    deployed: tuple[Path, dict[str, object]],
) -> None:
    home, _ = deployed
    broke = "0x" + "5a" * 32  # an account the embedded chain never funded
    result = run(home, "--private-key", broke, "deposit", ok=False)
    line = one_error_line(result.stderr)  # the deposit's own sentence, not the generic one
    assert "has 0 ETH; a deposit needs 0.1 ETH plus up to" in line, line
    assert not (home / "notes.sealed").exists()


def test_a_note_of_another_pool_is_refused(deployed: tuple[Path, dict[str, object]]) -> None:
    home, _ = deployed
    note = Note.parse(str(run_json(home, "deposit")["note"]))
    other = run_json(home, "deploy", "--depth", str(DEPTH), "--denomination", "1")
    forged = Note(
        type(note.pool)(note.pool.hash, note.pool.currency, "0.1", note.pool.chain_id, str(other["pool"])),
        note.nullifier + 1,
        note.secret,
    )
    result = run(home, "deposit", "--note", forged.to_string(), ok=False)
    assert "another pool" in one_error_line(result.stderr)
    foreign = Note(type(note.pool)(note.pool.hash, note.pool.currency, "0.1", 1, note.pool.address), 5, 6)
    result = run(home, "deposit", "--note", foreign.to_string(), ok=False)
    assert "this note is for chain 1," in one_error_line(result.stderr)


def test_status_survives_a_chain_that_lost_the_pool(deployed: tuple[Path, dict[str, object]]) -> None:
    home, _ = deployed
    run_json(home, "deposit")
    shutil.rmtree(home / "chain")  # the embedded chain starts afresh: same chain id, no pool
    status = run_json(home, "status")
    assert status["pools"] == []
    assert [n["state"] for n in status["notes"]] == ["pool not found on this chain"]
    result = run(home, "deposit", ok=False)
    assert "no pool known on chain" in one_error_line(result.stderr)


def test_global_options_may_follow_the_command() -> None:
    assert hoist_global_options(["deposit", "--account", "1", "--json"]) == [
        "--account",
        "1",
        "--json",
        "deposit",
    ]
    assert hoist_global_options(["withdraw", "N", "--to", "0xA", "--rpc-url=http://x", "--debug"]) == [
        "--rpc-url=http://x",
        "--debug",
        "withdraw",
        "N",
        "--to",
        "0xA",
    ]
    assert hoist_global_options(["notes", "show", "--", "--json"]) == ["notes", "show", "--", "--json"]


def test_every_named_revert_reads_as_a_sentence_and_bugs_are_not_user_errors() -> None:
    abi_errors = {
        item["name"]
        for pool in ("ETHPool", "ERC20Pool")
        for item in load(pool).abi
        if item["type"] == "error"
    }
    assert abi_errors - {"InvalidTreeDepth", "Reentrancy"} <= set(REVERTS)
    assert user_message(ContractReverted("EmptyRootSlot")) == REVERTS["EmptyRootSlot"]
    assert "unknown root" in REVERTS["EmptyRootSlot"] and "unknown root" in REVERTS["RootIndexOutOfRange"]
    assert user_message(ContractReverted("SomethingNew")) == "contract reverted: SomethingNew"
    assert user_message(KeyError("bug")) is None and user_message(AssertionError()) is None


def test_a_busy_embedded_chain_is_one_clear_line(deployed: tuple[Path, dict[str, object]]) -> None:
    home, _ = deployed
    w3 = embedded.open_embedded(home / "chain")  # another command holds the chain
    try:
        result = run(home, "status", ok=False)
    finally:
        backend.close(w3)
    assert "already open" in one_error_line(result.stderr)
    assert run_json(home, "status")["pools"]  # and it works once that command is done


def test_a_backup_can_have_its_own_password(
    deployed: tuple[Path, dict[str, object]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    home, _ = deployed
    note = run_json(home, "deposit")["note"]
    backup = tmp_path_factory.mktemp("b") / "notes.backup"
    run_json(home, "notes", "backup", str(backup), environ=env(MIXER_BACKUP_PASSWORD="for the backup"))
    assert read_backup(backup, "for the backup")[0].note.to_string() == note
    other = tmp_path_factory.mktemp("other")
    plain = run(other, "notes", "restore", str(backup), ok=False)  # the wallet password does not open it
    assert "wrong password" in one_error_line(plain.stderr)
    both = env(MIXER_PASSWORD="new wallet", MIXER_BACKUP_PASSWORD="for the backup")
    assert run_json(other, "notes", "restore", str(backup), environ=both)["added"] == 1
    assert Wallet.open(other, "new wallet").records()[0].note.to_string() == note


def test_a_node_that_never_answers_is_timed_out_and_a_broken_pipe_is_no_chain_error() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        w3 = backend.rpc_web3(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        with pytest.raises(requests.exceptions.Timeout) as err:
            w3.eth.chain_id  # noqa: B018
    assert backend.unreachable_reason(err.value) == "timed out"
    assert user_message(err.value) == "cannot reach the chain: timed out"
    assert user_message(BrokenPipeError(32, "Broken pipe")) is None  # nothing to do with a chain


def test_help_names_every_argument_in_capitals_with_the_files_extension() -> None:
    expected = {
        "snark export-r1cs": "CIRCUIT OUT.r1cs",
        "snark witness": "CIRCUIT INPUT.json OUT.wtns",
        "snark setup": "CIRCUIT OUT_KEY",
        "snark export-vk": "KEY OUT.json",
        "snark prove": "CIRCUIT KEY INPUT.json PROOF.json PUBLIC.json",
        "snark verify": "VK.json PUBLIC.json PROOF.json",
        "notes show": "NUMBER",
        "notes backup": "FILE",
        "notes restore": "FILE",
        "withdraw": "NOTE",
        "compliance": "NOTE",
    }
    for command, arguments in expected.items():
        result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
        # typer writes a required argument as {NAME} in the usage lines (and nowhere else)
        shown = " ".join(re.findall(r"\{([^}]*)\}", result.stdout))
        assert shown == arguments, result.stdout


_COUNT_SCRYPT = """
import atexit, sys, threading
from mixer import sealed
real = sealed.scrypt
runs = []
def counted(*args, **kwargs):
    runs.append(threading.current_thread().name)
    return real(*args, **kwargs)
sealed.scrypt = counted
atexit.register(lambda: print("scrypt ran in", runs, file=sys.stderr))
sys.argv[0] = "mixer"
from wallet_cli.main import main
main()
"""


@pytest.mark.parametrize("how", ["--home DIR", "--home=DIR", "MIXER_HOME", "after the command"])
def test_the_wallet_key_is_derived_once_while_the_command_loads(tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    Wallet.create(home, PASSWORD, kdf=KdfParams(n=2**10))
    given = {
        "--home DIR": (["--home", str(home), "notes", "list"], {}),
        "--home=DIR": ([f"--home={home}", "notes", "list"], {}),
        "MIXER_HOME": (["notes", "list"], {"MIXER_HOME": str(home)}),
        "after the command": (["notes", "list", "--home", str(home)], {}),
    }
    args, extra = given[how]
    done = subprocess.run(
        [sys.executable, "-c", _COUNT_SCRYPT, "--json", *args],
        env=env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["notes"] == []
    # one scrypt, in the thread started before the command's libraries were imported
    assert done.stderr.strip().splitlines()[-1] == "scrypt ran in ['scrypt']"
