"""Notes and the note string: round trips, the checksum's guarantees, one clear error per defect."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer.note import HASHES, MAX_NOTE_LENGTH, PREFIX, Note, NoteError, Pool, checksum

ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
POOL = Pool("poseidon", "eth", "0.1", 1337, ADDRESS)
PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]

pools = st.builds(
    Pool,
    hash=st.sampled_from(HASHES),
    currency=st.from_regex(r"[a-z][a-z0-9]{0,15}", fullmatch=True),
    amount=st.from_regex(r"(0|[1-9][0-9]{0,29})(\.[0-9]{0,17}[1-9])?", fullmatch=True).filter(
        lambda a: a != "0"
    ),
    chain_id=st.integers(1, 2**64 - 1),
    address=st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
)
notes = st.builds(Note, pools, st.integers(0, 2**248 - 1), st.integers(0, 2**248 - 1))


def signed(body: str) -> str:
    """A note string whose checksum is right, so the test reaches the field checks behind it."""
    return f"{body}-{checksum(body)}"


def body_of(note: Note) -> list[str]:
    return note.to_string().rsplit("-", 1)[0].split("-")


@given(notes)
def test_note_string_round_trips(note: Note) -> None:
    text = note.to_string()
    assert Note.parse(text) == note
    assert len(text) <= MAX_NOTE_LENGTH
    assert Note.parse(f" \t{text}\n ") == note


def test_note_string_layout() -> None:
    note = Note(POOL, nullifier=1, secret=2**248 - 1)
    text = note.to_string()
    assert text.startswith("mixer1-poseidon-eth-0.1-1337-0x5fbdb2315678afecb367f032d93f642f64180aa3-0x01")
    fields = text.split("-")
    assert len(fields) == 8
    assert fields[6] == "0x01" + "00" * 30 + "ff" * 31
    assert len(fields[7]) == 16


def test_generate_draws_fresh_31_byte_values() -> None:
    generated = [Note.generate(POOL) for _ in range(8)]
    assert len({(n.nullifier, n.secret) for n in generated}) == 8
    assert len({n.nullifier for n in generated} | {n.secret for n in generated}) == 16
    for n in generated:
        assert 0 <= n.nullifier < 2**248 and 0 <= n.secret < 2**248
        assert n.pool == POOL
        assert Note.parse(n.to_string()) == n


def test_preimage_is_nullifier_then_secret_little_endian() -> None:
    note = Note(POOL, nullifier=0x0102, secret=0x0A0B0C)
    preimage = note.preimage
    assert len(preimage) == 62
    assert preimage[:31] == bytes([2, 1]) + bytes(29)
    assert preimage[31:] == bytes([0x0C, 0x0B, 0x0A]) + bytes(28)
    assert Note.from_preimage(POOL, preimage) == note


VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "circomlibjs.json").read_text())


@pytest.mark.parametrize("hash_name", HASHES)
def test_commitment_and_nullifier_hash_match_circomlibjs(hash_name: str) -> None:
    pool = Pool(hash_name, "eth", "0.1", 1337, ADDRESS)
    cases = VECTORS["notes"][hash_name]
    assert len(cases) == 3
    for case in cases:
        note = Note(pool, int(case["nullifier"]), int(case["secret"]))
        assert note.commitment == int(case["commitment"])
        assert note.nullifier_hash == int(case["nullifierHash"])
    # The same preimage is a different leaf in the other family's pool.
    other = next(h for h in HASHES if h != hash_name)
    assert (
        note.commitment
        != Note(Pool(other, "eth", "0.1", 1337, ADDRESS), note.nullifier, note.secret).commitment
    )


def test_repr_never_shows_the_secret_values() -> None:
    note = Note.generate(POOL)
    shown = repr(note) + str(note)
    assert str(note.secret) not in shown and str(note.nullifier) not in shown
    assert note.preimage.hex() not in shown


def _assert_every_single_character_change_is_rejected(text: str) -> None:
    for i in range(len(text) + 1):
        for ch in PRINTABLE:
            inserted = text[:i] + ch + text[i:]
            with pytest.raises(NoteError):
                Note.parse(inserted)
        for ws in " \t":
            if 0 < i < len(text):
                with pytest.raises(NoteError):
                    Note.parse(text[:i] + ws + text[i:])
    for i, original in enumerate(text):
        for ch in [*PRINTABLE, " ", "\t", "é", "\x00"]:
            if ch == original:
                continue
            with pytest.raises(NoteError) as err:
                Note.parse(text[:i] + ch + text[i + 1 :])
            if i > len(PREFIX) and ch in PRINTABLE:
                assert "checksum mismatch" in str(err.value)
        with pytest.raises(NoteError):
            Note.parse(text[:i] + text[i + 1 :])


@pytest.mark.parametrize("hash_name", HASHES)
def test_every_single_character_change_is_rejected(hash_name: str) -> None:
    """Exhaustive over printable ASCII: every substitution (case flips included), insertion
    and deletion at every position, including inside the checksum itself."""
    pool = Pool(hash_name, "usdc", "1000.5", 137, ADDRESS)
    _assert_every_single_character_change_is_rejected(Note.generate(pool).to_string())


@settings(max_examples=30)
@given(notes, st.data())
def test_random_single_character_changes_are_rejected(note: Note, data: st.DataObject) -> None:
    text = note.to_string()
    i = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.sampled_from(PRINTABLE).filter(lambda c: c != text[i]))
    for changed in (text[:i] + ch + text[i + 1 :], text[:i] + text[i + 1 :], text[:i] + ch + text[i:]):
        with pytest.raises(NoteError):
            Note.parse(changed)
    flipped = text[i].swapcase()
    if flipped != text[i] and i > len(PREFIX):
        with pytest.raises(NoteError, match="checksum mismatch"):
            Note.parse(text[:i] + flipped + text[i + 1 :])


def test_adjacent_swaps_are_rejected() -> None:
    text = Note.generate(POOL).to_string()
    for i in range(len(text) - 1):
        if text[i] != text[i + 1]:
            with pytest.raises(NoteError):
                Note.parse(text[:i] + text[i + 1] + text[i] + text[i + 2 :])


def test_checksum_separates_bodies_of_different_length() -> None:
    # The first two digits are the length mod 256, so an inserted or deleted character
    # always changes them whatever the polynomial part does.
    assert checksum("ab")[:2] == "02" and checksum("abc")[:2] == "03"
    assert checksum("ab") != checksum("ba")
    assert checksum("") == "00" + "0" * 14


def _replace_field(index: int, value: str) -> str:
    fields = body_of(Note(POOL, 5, 7))
    fields[index] = value
    return signed("-".join(fields))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tornado-eth-0.1-1-0x" + "ab" * 62, "Tornado Cash note"),
        ("mixer2-poseidon-eth-0.1-1-x", "not a mixer note"),
        ("bitcoin:abc", "not a mixer note"),
        ("", "not a mixer note"),
        (_replace_field(1, "sha256"), "unknown hash function 'sha256'"),
        (_replace_field(1, "Poseidon"), "unknown hash function"),
        (_replace_field(2, "ETH"), "bad currency"),
        (_replace_field(2, "1inch"), "bad currency"),
        (_replace_field(3, "0.10"), "bad amount"),
        (_replace_field(3, "01"), "bad amount"),
        (_replace_field(3, ".1"), "bad amount"),
        (_replace_field(3, "0"), "bad amount"),
        (_replace_field(3, "1e3"), "bad amount"),
        (_replace_field(3, "0." + "0" * 18 + "1"), "bad amount"),
        (_replace_field(4, "0"), "bad chain id"),
        (_replace_field(4, "01"), "bad chain id"),
        (_replace_field(4, "0x1"), "bad chain id"),
        (_replace_field(4, str(2**64)), "bad chain id"),
        (_replace_field(5, "0x" + "ab" * 19), "bad pool address"),
        (_replace_field(5, ADDRESS), "bad pool address"),
        (_replace_field(6, "0x" + "ab" * 61), "bad preimage: expected 0x and 124 lowercase hex digits"),
        (_replace_field(6, "0x" + "ab" * 63), "bad preimage"),
        (_replace_field(6, "0x" + "AB" * 62), "bad preimage"),
        (_replace_field(6, "ab" * 63), "bad preimage"),
        (
            signed("-".join([*body_of(Note(POOL, 5, 7)), "extra"])),
            "note has 9 '-'-separated fields, expected 8",
        ),
        (signed("-".join(body_of(Note(POOL, 5, 7))[:-1])), "note has 7 '-'-separated fields, expected 8"),
        (Note(POOL, 5, 7).to_string()[:-1] + "x", "checksum mismatch"),
        (PREFIX + "-" + "a" * MAX_NOTE_LENGTH, "note is too long"),
        (Note(POOL, 5, 7).to_string().replace("eth", "ét"), "unexpected character 'é'"),
    ],
)
def test_each_defect_has_its_own_message(text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message.replace(".", r"\.").replace("(", r"\(")):
        Note.parse(text)


def test_pool_validates_and_normalises() -> None:
    assert POOL.address == ADDRESS
    assert Pool("mimcsponge", "dai", "100", 1, ADDRESS.lower()).address == ADDRESS
    with pytest.raises(NoteError, match="bad pool address"):
        Pool("poseidon", "eth", "0.1", 1, ADDRESS.lower().replace("0x5f", "0x5F"))  # bad EIP-55 case
    with pytest.raises(NoteError, match="bad pool address"):
        Pool("poseidon", "eth", "0.1", 1, ADDRESS[2:])
    with pytest.raises(NoteError, match="bad pool address"):
        Pool("poseidon", "eth", "0.1", 1, ADDRESS.upper())
    with pytest.raises(NoteError, match="bad chain id"):
        Pool("poseidon", "eth", "0.1", True, ADDRESS)
    with pytest.raises(NoteError, match="unknown hash"):
        Pool("keccak", "eth", "0.1", 1, ADDRESS)


def test_denomination_in_smallest_units() -> None:
    assert POOL.denomination() == 10**17
    assert Pool("poseidon", "usdc", "1000.5", 1, ADDRESS).denomination(6) == 1_000_500_000
    assert Pool("poseidon", "wbtc", "10", 1, ADDRESS).denomination(8) == 10 * 10**8
    with pytest.raises(NoteError, match="more than 6 decimal places"):
        Pool("poseidon", "usdc", "0.0000001", 1, ADDRESS).denomination(6)


@pytest.mark.parametrize("value", [-1, 2**248, True, "1"])
def test_note_rejects_out_of_range_values(value: object) -> None:
    with pytest.raises(NoteError, match="at most 31 bytes"):
        Note(POOL, value, 1)  # type: ignore[arg-type]
    with pytest.raises(NoteError, match="at most 31 bytes"):
        Note(POOL, 1, value)  # type: ignore[arg-type]


def test_from_preimage_rejects_wrong_length() -> None:
    with pytest.raises(NoteError, match="62 bytes, got 61"):
        Note.from_preimage(POOL, bytes(61))


def test_note_alphabet_is_lowercase_only() -> None:
    text = Note.generate(POOL).to_string()
    assert set(text) <= set(string.ascii_lowercase + string.digits + ".-")


def test_documented_example_is_a_valid_note() -> None:
    """The example in docs/formats.md: pins the format so other tools can implement it."""
    example = (
        "mixer1-poseidon-eth-0.1-1337-0x5fbdb2315678afecb367f032d93f642f64180aa3-0x"
        + bytes(range(1, 63)).hex()
        + "-c660fba114bc6660"
    )
    note = Note.parse(example)
    assert note.pool == POOL
    assert note.nullifier == int.from_bytes(bytes(range(1, 32)), "little")
    assert note.secret == int.from_bytes(bytes(range(32, 63)), "little")
    assert note.to_string() == example
    assert example in (Path(__file__).parents[2] / "docs" / "formats.md").read_text()
