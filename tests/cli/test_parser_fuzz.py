"""Every parser of untrusted input, fuzzed (audit issue 13, item 7's class): key files (ours
and snarkjs `.zkey`), snarkjs JSON (verification key, proof, public inputs), relay record
files and JSON-RPC answers. Whatever the bytes, each parser either returns or raises its
own one-line error, never anything else (an internal error, a crash, a hang), and bounds
the size and nesting of what it reads. Backups, sealed files and the bounded JSON loader
are fuzzed in test_hostile_input.py, records and notes in their own tests."""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mixer import jsonsafe
from mixer.chain import answers
from mixer.chain.answers import RESULTS, MalformedAnswerError, check_answer
from mixer.chain.record import RecordError
from mixer.snark import (
    DevSetupWarning,
    ProvingKey,
    SnarkFormatError,
    proof_from_snarkjs,
    proof_to_snarkjs,
    public_from_snarkjs,
    setup,
    vk_from_snarkjs,
    vk_to_snarkjs,
)
from mixer.snark.iden3 import read_zkey, write_zkey
from mixer.snark.keyfile import decode, encode
from mixer.snark.proof import Proof
from tests.support.cli_helpers import new_home, one_error_line, spawn
from tests.support.fake_node import answering
from tests.support.snark_circuits import cubic
from wallet_cli.commands.relay import _read_file
from wallet_cli.options import UserError

FUZZ = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def key() -> ProvingKey:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevSetupWarning)
        return setup(cubic().compile(), seed=3)


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes overwritten, a slice cut out, or cut short."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "truncate"]))
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del out[at : at + draw(st.integers(1, 64))]
        else:
            del out[at:]
    return bytes(out)


def _resealed(body: bytes) -> bytes:
    """Our key file's framing around `body`: a valid checksum, so the structure is parsed."""
    return body + hashlib.sha256(body).digest()


@FUZZ
@given(data=st.data())
def test_our_key_file_parser_raises_only_its_own_error(key: ProvingKey, data: st.DataObject) -> None:
    body = encode(key)[:-32]
    for candidate in (data.draw(st.binary(max_size=400)), _resealed(data.draw(mutations(body)))):
        with contextlib.suppress(SnarkFormatError):
            decode(candidate)


@FUZZ
@given(data=st.data())
def test_zkey_parser_raises_only_its_own_error(key: ProvingKey, data: st.DataObject) -> None:
    for candidate in (data.draw(st.binary(max_size=400)), data.draw(mutations(write_zkey(key)))):
        with contextlib.suppress(SnarkFormatError):
            read_zkey(candidate)


def test_key_parsers_refuse_sizes_the_file_does_not_hold(key: ProvingKey) -> None:
    """A header that announces more points than the file holds is 'truncated' at once,
    not a giant allocation."""
    zkey = bytearray(write_zkey(key))
    zkey[16:24] = (1 << 62).to_bytes(8, "little")  # the first section's size
    with pytest.raises(SnarkFormatError, match="truncated"):
        read_zkey(bytes(zkey))
    ours = encode(key)
    huge_header = ours[:12] + (1 << 31).to_bytes(4, "big") + ours[16:-32]
    with pytest.raises(SnarkFormatError, match="truncated"):
        decode(_resealed(huge_header))


@FUZZ
@given(value=JSON)
def test_snarkjs_json_parsers_raise_only_their_own_error_on_any_json(value: object) -> None:
    for parse in (vk_from_snarkjs, proof_from_snarkjs, public_from_snarkjs):
        with contextlib.suppress(SnarkFormatError):
            parse(value)


def _replace_somewhere(doc: Any, path: list[int], value: object) -> Any:
    """`doc` with the node reached by following `path` (indices modulo each container's
    size) replaced by `value`."""
    if not path or not isinstance(doc, (dict, list)) or not doc:
        return value
    keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
    k = keys[path[0] % len(keys)]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[k] = _replace_somewhere(doc[k], path[1:], value)  # type: ignore[index]
    return copy


@FUZZ
@given(path=st.lists(st.integers(0, 50), max_size=4), value=JSON)
def test_snarkjs_json_parsers_raise_only_their_own_error_on_damaged_documents(
    key: ProvingKey, path: list[int], value: object
) -> None:
    vk = vk_to_snarkjs(key.vk)
    proof = proof_to_snarkjs(Proof(key.vk.alpha1, key.vk.beta2, key.vk.alpha1))
    for parse, doc in ((vk_from_snarkjs, vk), (proof_from_snarkjs, proof)):
        with contextlib.suppress(SnarkFormatError):
            parse(_replace_somewhere(doc, path, value))


@FUZZ
@given(content=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_relay_file_parser_raises_only_a_user_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(content)
    with contextlib.suppress(UserError, RecordError):
        _read_file(path)


def test_relay_file_parser_bounds_size_and_depth(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    for content in (b" " * (1 << 20) + b"{}", b"[" * 100_000 + b"]" * 100_000):
        path.write_bytes(content)
        with pytest.raises(UserError, match="is not the JSON output"):
            _read_file(path)


ANSWERS = {
    "not JSON": b"<html>502 Bad Gateway</html>",
    "result null": b'{"jsonrpc":"2.0","id":0,"result":null}',
    "result a list": b'{"jsonrpc":"2.0","id":0,"result":[[[]]]}',
    "result bad hex": b'{"jsonrpc":"2.0","id":0,"result":"0xzz"}',
    "result huge number": b'{"jsonrpc":"2.0","id":0,"result":"0x' + b"f" * 5000 + b'"}',
    "error object odd": b'{"jsonrpc":"2.0","id":0,"error":{"code":"x","message":[1]}}',
    "oversized": b'{"jsonrpc":"2.0","id":0,"result":"' + b"a" * (65 * 1024 * 1024) + b'"}',
}


@pytest.fixture(params=sorted(ANSWERS))
def hostile_node(request: pytest.FixtureRequest) -> Iterator[str]:
    with answering(ANSWERS[request.param]) as url:
        yield url


def test_a_hostile_nodes_malformed_answers_are_one_sentence_and_status_1(
    hostile_node: str, tmp_path: Path
) -> None:
    result = spawn(new_home(tmp_path / "home"), "--rpc-url", hostile_node, "status")
    assert result.returncode == 1, result.stderr
    one_error_line(result.stderr)


@FUZZ
@given(method=st.sampled_from(sorted(RESULTS)), result=JSON)
def test_the_rpc_answer_check_raises_only_its_own_error(method: str, result: object) -> None:
    with contextlib.suppress(MalformedAnswerError):
        check_answer(method, {"jsonrpc": "2.0", "id": 1, "result": result})


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


BRACKETY_TEXT = st.text(alphabet='[]{}"\\ax\u00e9\ud800', max_size=12)
NESTED = st.recursive(
    st.none() | st.integers() | BRACKETY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(BRACKETY_TEXT, inner, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(value=NESTED, ascii_only=st.booleans())
def test_the_nesting_depth_counts_what_the_parser_nests_whatever_the_strings_hold(
    value: object, ascii_only: bool
) -> None:
    # the bound on untrusted JSON is only as good as this count: brackets, quotes and
    # backslashes inside strings must not move it, in text or in bytes
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert jsonsafe.nesting_depth(text) == _depth(value)
    assert jsonsafe.nesting_depth(text.encode("utf-8", "surrogatepass")) == _depth(value)


VALID_LOG = {
    "address": "0x" + "ab" * 20,
    "topics": ["0x" + "01" * 32],
    "data": "0x",
    "blockNumber": "0x10",
    "blockHash": "0x" + "02" * 32,
    "transactionHash": "0x" + "03" * 32,
    "logIndex": "0x0",
    "removed": False,
}
HEX = st.sampled_from(["0x", "0x0", "0x00", "0x" + "ab" * 20, "0x" + "01" * 32, "0xg0", "00", "0x1,0x2", ""])
LOG_LIKE = st.fixed_dictionaries(
    {
        "address": HEX,
        "topics": st.lists(HEX, max_size=3) | HEX,
        "data": HEX,
        "blockNumber": HEX,
        "blockHash": HEX,
        "transactionHash": HEX,
        "logIndex": HEX | st.integers(),
    },
    optional={"removed": st.booleans() | HEX, "transactionIndex": HEX | st.none()},
)


@FUZZ
@given(values=st.lists(HEX | LOG_LIKE | JSON, max_size=6), name=st.sampled_from(sorted(answers.CHECKS)))
@example(values=["0x1,0x2"], name="quantity")  # an item holding the separator of the joined column
@example(values=["0x1", "0x2,"], name="quantity")
@example(values=[{**VALID_LOG, "blockHash": "0x" + "02" * 32 + ",0x00"}], name="log")
def test_a_column_check_agrees_with_checking_each_value(values: list[object], name: str) -> None:
    # a 100,000-log answer is checked a column at a time; it must judge exactly as one by one
    check = answers.CHECKS[name]
    assert check.many(values) == all(check(v) for v in values)


def test_the_rpc_answer_check_accepts_what_the_spec_allows_and_nothing_else() -> None:
    log = VALID_LOG
    check_answer("eth_getLogs", {"jsonrpc": "2.0", "id": 1, "result": [log]})
    check_answer("eth_getTransactionReceipt", {"jsonrpc": "2.0", "id": 1, "result": None})
    check_answer(
        "eth_call", {"jsonrpc": "2.0", "id": 1, "error": {"code": 3, "message": "reverted", "data": "0x"}}
    )
    for method, result in (
        ("eth_getLogs", [{**log, "topics": ["0x01"]}]),
        ("eth_getLogs", [{**log, "removed": "no"}]),
        ("eth_getLogs", [{k: v for k, v in log.items() if k != "blockHash"}]),
        ("eth_getCode", "0xabc"),
        ("eth_chainId", "0x" + "1" * 65),
        ("eth_chainId", 1),
        ("eth_getStorageAt", "0x01"),
    ):
        with pytest.raises(MalformedAnswerError, match=f"answer to {method} is malformed"):
            check_answer(method, {"jsonrpc": "2.0", "id": 1, "result": result})
    with pytest.raises(MalformedAnswerError, match="not a JSON-RPC response"):
        check_answer("eth_chainId", {"jsonrpc": "2.0", "id": 1})
    with pytest.raises(MalformedAnswerError, match="error answer to eth_call is malformed"):
        check_answer("eth_call", {"jsonrpc": "2.0", "id": 1, "error": {"code": "x", "message": [1]}})
