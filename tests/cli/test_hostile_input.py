"""Hostile JSON and odd digits: one clear sentence and status 1, never a crash or a traceback."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mixer import jsonsafe
from mixer.backup import records_from_bytes
from mixer.sealed import MalformedError, SealedError, unseal
from mixer.wallet import PoolBook, WalletError
from tests.support.cli_helpers import new_home, one_error_line, run, run_script, spawn
from tests.support.fake_node import answering

DEEP = "[" * 1_000_000 + "]" * 1_000_000
HUGE_INT = '{"version": 1, "notes": [], "n": ' + "9" * 4301 + "}"


def test_should_not_crash_on_a_million_deep_json_document() -> None:
    for text in (DEEP, '{"a":' * 100_000 + "1" + "}" * 100_000):
        try:
            jsonsafe.loads(text, what="x")
        except jsonsafe.UntrustedJSONError as exc:
            assert "nested more than" in str(exc)
        else:
            raise AssertionError("a deep document was accepted")


def test_should_refuse_an_integer_of_more_than_4300_digits_with_a_sentence() -> None:
    try:
        jsonsafe.loads(HUGE_INT, what="backup payload")
    except jsonsafe.UntrustedJSONError as exc:
        assert str(exc).startswith("backup payload is not valid JSON")
    else:
        raise AssertionError("a 4301-digit integer was accepted")


def test_nesting_depth_ignores_brackets_inside_strings() -> None:
    assert jsonsafe.nesting_depth('{"a": "[[[[{{{{\\"]]"}') == 1
    assert jsonsafe.loads('["[[[[[[[[[[[[[[[["]', what="x", max_depth=1) == ["[" * 16]


@given(st.binary(max_size=300))
def test_bounded_loader_raises_only_its_own_error_on_random_bytes(raw: bytes) -> None:
    with contextlib.suppress(jsonsafe.UntrustedJSONError):
        jsonsafe.loads(raw, what="x", max_depth=8)


@given(st.text(alphabet='[]{}",:0123456789e.-tfnrul \\', max_size=200))
def test_bounded_loader_raises_only_its_own_error_on_json_like_text(text: str) -> None:
    with contextlib.suppress(jsonsafe.UntrustedJSONError):
        jsonsafe.loads(text, what="x", max_depth=8)


@given(st.binary(max_size=300))
def test_backup_payload_parser_raises_only_malformed_on_random_bytes(raw: bytes) -> None:
    with contextlib.suppress(MalformedError):
        records_from_bytes(raw)


@given(st.binary(max_size=300))
def test_sealed_file_parser_raises_only_sealed_errors_on_random_bytes(raw: bytes) -> None:
    with contextlib.suppress(SealedError):
        unseal(raw, "pw", purpose="backup")


def test_backup_payload_with_deep_nesting_or_huge_integer_is_malformed() -> None:
    for raw in (DEEP.encode(), HUGE_INT.encode()):
        try:
            records_from_bytes(raw)
        except MalformedError:
            continue
        raise AssertionError("accepted")


def test_a_deep_pools_file_is_a_wallet_error(tmp_path: Path) -> None:
    (tmp_path / "pools.json").write_text(DEEP)
    try:
        PoolBook(tmp_path).all()
    except WalletError as exc:
        assert "nested more than" in str(exc)
    else:
        raise AssertionError("accepted")


def test_should_not_segfault_restoring_a_deeply_nested_backup(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    hostile = tmp_path / "deep.json"
    hostile.write_text(DEEP)
    result = spawn(home, "notes", "restore", str(hostile))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert one_error_line(result.stderr)


def test_non_ascii_digits_as_a_note_number_are_one_sentence_and_status_1(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    for digits in ("\u00b2", "\u0661", "\U0001d7d9"):  # superscript two, Arabic-Indic one, math one
        result = run(home, "withdraw", digits, "--to", "0x" + "11" * 20, ok=False)
        assert result.exit_code == 1
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr


RECURSION_PROBE = """
import sys
import threading
start = sys.getrecursionlimit()
from wallet_cli.main import main
sys.argv = ["mixer", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
import web3, eth, py_ecc, mixer.chain.backend  # every chain library is loaded by now
print(start, sys.getrecursionlimit(), file=sys.stderr)
"""


def test_the_cli_keeps_the_interpreters_recursion_limit_after_the_chain_libraries_load(
    tmp_path: Path,
) -> None:
    home = new_home(tmp_path / "home")
    proc = run_script(RECURSION_PROBE, home, "status")
    start, after = proc.stderr.strip().splitlines()[-1].split()
    assert (start, after) == ("1000", "1000"), proc.stderr  # CPython's default, unchanged


def test_the_embedded_evm_still_runs_deep_calls_with_its_own_limit(tmp_path: Path) -> None:
    # deploying a pool runs the EVM; it must work although the process limit is the normal one
    home = new_home(tmp_path / "home")
    data = json.loads(run(home, "--json", "deploy", "--depth", "3").stdout)
    assert data["ok"] is True


def test_should_answer_a_hostile_nodes_deeply_nested_json_with_one_sentence(tmp_path: Path) -> None:
    with answering(('{"jsonrpc":"2.0","id":0,"result":' + DEEP + "}").encode()) as url:
        result = spawn(new_home(tmp_path / "home"), "--rpc-url", url, "status")
    assert result.returncode == 1, result.stderr
    assert "nested more than" in one_error_line(result.stderr)


def test_should_stop_reading_a_hostile_nodes_endless_answer_with_one_sentence(tmp_path: Path) -> None:
    # read whole, it would take all memory: the wallet stops at the answer size bound
    with answering(b'{"jsonrpc":"2.0","id":0,"result":"0x1"', endless=True) as url:
        result = spawn(new_home(tmp_path / "home"), "--rpc-url", url, "status", timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"larger than {jsonsafe.MAX_BYTES} bytes" in one_error_line(result.stderr)


def test_should_refuse_a_relay_file_with_a_4301_digit_integer_in_one_sentence(tmp_path: Path) -> None:
    home = new_home(tmp_path / "home")
    hostile = tmp_path / "record.json"
    hostile.write_text('{"record": "0x00", "fee": ' + "9" * 4301 + "}")
    result = run(home, "relay", str(hostile), ok=False)
    assert result.exit_code == 1
    assert "is not the JSON output of `mixer withdraw --print-record --json`" in one_error_line(result.stderr)
