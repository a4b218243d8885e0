"""Sealed envelopes: round trips, and one specific error for every way a file can be wrong."""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer import sealed as sealed_module
from mixer.sealed import (
    DEFAULT_KDF,
    KdfParams,
    MalformedError,
    SealedError,
    SealingKey,
    TamperedError,
    UnsupportedVersionError,
    WrongPasswordError,
    WrongPurposeError,
    derive_ahead,
    seal,
    unseal,
    unseal_with_key,
)

FAST = KdfParams(n=2**10, r=8, p=1)
PURPOSE = "test data"
PASSWORD = "correct horse battery staple"


def sealed(plaintext: bytes = b"the notes", purpose: str = PURPOSE) -> bytes:
    return seal(plaintext, SealingKey.derive(PASSWORD, FAST), purpose=purpose)


def edited(document: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    doc = json.loads(document)
    edit(doc)
    return json.dumps(doc).encode()


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=2000), st.text(min_size=1, max_size=40))
def test_round_trips_any_plaintext_and_password(plaintext: bytes, password: str) -> None:
    key = SealingKey.derive(password, FAST)
    opened = unseal(seal(plaintext, key, purpose=PURPOSE), password, purpose=PURPOSE)
    assert opened.plaintext == plaintext
    assert unseal_with_key(seal(b"next", opened.key, purpose=PURPOSE), key, purpose=PURPOSE) == b"next"


def test_each_seal_uses_fresh_salt_and_nonce() -> None:
    a, b = json.loads(sealed()), json.loads(sealed())
    assert a["kdf"]["salt"] != b["kdf"]["salt"]
    key = SealingKey.derive(PASSWORD, FAST)
    # 32 bytes, so two fresh nonces give the same ciphertext with probability 2^-256 (one
    # byte would collide once in 256 runs)
    plaintext = b"x" * 32
    c, d = (json.loads(seal(plaintext, key, purpose=PURPOSE)) for _ in range(2))
    assert c["cipher"]["nonce"] != d["cipher"]["nonce"] and c["ciphertext"] != d["ciphertext"]


def test_ciphertext_hides_the_plaintext() -> None:
    document = sealed(b"mixer1-poseidon-secret-note")
    assert b"secret-note" not in document
    assert b"mixer1" not in base64.b64decode(json.loads(document)["ciphertext"])


def test_default_cost_is_strong() -> None:
    assert (DEFAULT_KDF.n, DEFAULT_KDF.r, DEFAULT_KDF.p) == (2**17, 8, 1)


def test_unicode_password_is_normalised() -> None:
    composed = "pässwörd"
    document = seal(b"x", SealingKey.derive(composed, FAST), purpose=PURPOSE)
    assert unseal(document, unicodedata.normalize("NFD", composed), purpose=PURPOSE).plaintext == b"x"


def test_wrong_password_is_reported_as_such() -> None:
    with pytest.raises(WrongPasswordError, match="wrong password"):
        unseal(sealed(), "Correct horse battery staple", purpose=PURPOSE)
    with pytest.raises(WrongPasswordError, match="empty"):
        unseal(sealed(), "", purpose=PURPOSE)


def test_key_from_another_file_is_refused() -> None:
    other = SealingKey.derive(PASSWORD, FAST)
    with pytest.raises(WrongPasswordError, match="derived for another file"):
        unseal_with_key(sealed(), other, purpose=PURPOSE)


def test_every_flipped_ciphertext_byte_is_detected() -> None:
    document = sealed(b"0123456789abcdef")
    raw = base64.b64decode(json.loads(document)["ciphertext"])
    for i in range(len(raw)):
        flipped = bytearray(raw)
        flipped[i] ^= 0x01

        def put(doc: dict[str, Any], data: bytes = bytes(flipped)) -> None:
            doc["ciphertext"] = base64.b64encode(data).decode()

        with pytest.raises(TamperedError, match="altered"):
            unseal(edited(document, put), PASSWORD, purpose=PURPOSE)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            doc = doc[p]
        doc[last] = value

    return edit


def _flip_hex(hex_digits: str) -> str:
    return ("1" if hex_digits[0] == "0" else "0") + hex_digits[1:]


@pytest.mark.parametrize(
    ("field", "error", "message"),
    [
        ("cipher.nonce", TamperedError, "altered"),
        ("tag", TamperedError, "altered"),
        ("kdf.salt", WrongPasswordError, "key-derivation header"),
        ("check", WrongPasswordError, "wrong password"),
    ],
)
def test_tampered_header_fields_are_detected(field: str, error: type[SealedError], message: str) -> None:
    document = sealed()
    doc = json.loads(document)
    parent, _, last = field.rpartition(".")
    value = (doc[parent] if parent else doc)[last]
    with pytest.raises(error, match=message):
        unseal(edited(document, _set(field, _flip_hex(value))), PASSWORD, purpose=PURPOSE)


def test_changed_kdf_cost_is_detected() -> None:
    with pytest.raises(WrongPasswordError):
        unseal(edited(sealed(), _set("kdf.n", 2**11)), PASSWORD, purpose=PURPOSE)


def test_header_is_bound_as_associated_data() -> None:
    # Relabelling a file's purpose passes the purpose check but not authentication.
    document = sealed(purpose="wallet notes")
    with pytest.raises(TamperedError):
        unseal(edited(document, _set("purpose", PURPOSE)), PASSWORD, purpose=PURPOSE)


def test_whitespace_and_key_order_do_not_matter() -> None:
    document = sealed(b"x")
    reordered = json.dumps(dict(reversed(list(json.loads(document).items()))), indent=7).encode()
    assert unseal(reordered, PASSWORD, purpose=PURPOSE).plaintext == b"x"


def test_quoted_file_contents_stay_short() -> None:
    document = edited(sealed(), _set("version", "9" * 10_000))
    with pytest.raises(UnsupportedVersionError) as err:
        unseal(document, PASSWORD, purpose=PURPOSE)
    assert len(str(err.value)) < 120


def test_wrong_purpose_is_named() -> None:
    with pytest.raises(WrongPurposeError, match="holds a 'wallet notes', not a 'test data'"):
        unseal(sealed(purpose="wallet notes"), PASSWORD, purpose=PURPOSE)


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
def test_unknown_version_is_refused(version: Any) -> None:
    with pytest.raises(UnsupportedVersionError, match="unsupported sealed-file version"):
        unseal(edited(sealed(), _set("version", version)), PASSWORD, purpose=PURPOSE)


_KDF = {"name": "scrypt", "n": 2**10, "r": 8, "p": 1, "salt": "00" * 16}


def _drop(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.pop(field)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("format", "other"), "format field"),
        (_set("extra", 1), "exactly the fields"),
        (_drop("check"), "exactly the fields"),
        (_set("kdf.name", "pbkdf2"), "only scrypt"),
        (_set("cipher.name", "aes-128-ctr"), "only scrypt and aes-256-gcm"),
        (_set("kdf.extra", 1), "kdf must have exactly"),
        (_set("kdf", []), "kdf must have exactly"),
        (_set("kdf.salt", "ab"), "kdf.salt must be 32 lowercase hex"),
        (_set("cipher.nonce", "AB" * 12), "cipher.nonce must be 24 lowercase hex"),
        (_set("ciphertext", "!!!"), "not valid base64"),
        (_set("ciphertext", 5), "must be a base64 string"),
        (_set("kdf.n", 2**40), "out of bounds"),
        (_set("kdf.n", 3 * 2**10), "power of two"),
        (_set("kdf.n", 2**9), "out of bounds"),
        (_set("kdf.n", True), "must be an integer"),
        (_set("kdf.n", 2.0**10), "must be an integer"),
        (_set("kdf.r", 0), "out of bounds"),
        (_set("kdf.p", 10**9), "out of bounds"),
        (_set("kdf", {**_KDF, "n": 2**20, "r": 8}), "exceeds the memory or time bound"),
        (_set("kdf", {**_KDF, "n": 2**17, "p": 16}), "exceeds the memory or time bound"),
    ],
)
def test_malformed_envelopes_are_refused_before_any_work(
    edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    # A hostile cost is rejected, not attempted: running scrypt with n=2^40 would need 128 TiB.
    with pytest.raises(MalformedError, match=message):
        unseal(edited(sealed(), edit), PASSWORD, purpose=PURPOSE)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "truncated or not valid JSON"),
        (b"\xff\xfe", "truncated or not valid JSON"),
        (b"[1, 2]", "format field"),
        (b'{"format": "mixer-sealed", "format": "mixer-sealed"}', "appears twice"),
        (b" " * (64 * 2**20 + 1), "too large"),
    ],
)
def test_non_envelopes_are_refused(document: bytes, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        unseal(document, PASSWORD, purpose=PURPOSE)


def test_every_truncation_is_refused() -> None:
    document = sealed()
    end = len(document.rstrip())
    for cut in range(end):
        with pytest.raises(MalformedError, match="truncated"):
            unseal(document[:cut], PASSWORD, purpose=PURPOSE)


def test_empty_password_cannot_seal() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        SealingKey.derive("", FAST)


def test_key_repr_hides_key_material() -> None:
    key = SealingKey.derive(PASSWORD, FAST)
    assert key.cipher_key.hex() not in repr(key) and str(key.cipher_key) not in repr(key)


def _count_scrypt_runs(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every salt scrypt runs on from now on, in order."""
    runs: list[bytes] = []
    real = sealed_module.scrypt

    def counted(password: Any, salt: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(bytes(salt))
        return real(password, salt, *args, **kwargs)

    monkeypatch.setattr(sealed_module, "scrypt", counted)
    return runs


def test_a_key_derived_ahead_opens_the_file_without_a_second_scrypt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.sealed"
    path.write_bytes(sealed(b"the notes"))
    runs = _count_scrypt_runs(monkeypatch)
    derive_ahead(path, PASSWORD)
    assert unseal(path.read_bytes(), PASSWORD, purpose=PURPOSE).plaintext == b"the notes"
    assert len(runs) == 1
    # taken once: the next opening runs scrypt itself
    assert unseal(path.read_bytes(), PASSWORD, purpose=PURPOSE).plaintext == b"the notes"
    assert len(runs) == 2


def test_a_key_derived_ahead_is_never_used_for_another_password_or_salt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.sealed"
    path.write_bytes(sealed(b"old"))
    derive_ahead(path, PASSWORD)
    with pytest.raises(WrongPasswordError):
        unseal(path.read_bytes(), "a guess", purpose=PURPOSE)
    path.write_bytes(sealed(b"rewritten meanwhile, with a new salt"))
    runs = _count_scrypt_runs(monkeypatch)
    assert unseal(path.read_bytes(), PASSWORD, purpose=PURPOSE).plaintext.startswith(b"rewritten")
    assert runs == [bytes.fromhex(json.loads(path.read_bytes())["kdf"]["salt"])]


_TOO_COSTLY = edited(sealed(), lambda doc: doc["kdf"].update(n=2**21))


@pytest.mark.parametrize("content", [None, b"", b"{not json", b'{"format": "mixer-sealed"}', _TOO_COSTLY])
def test_deriving_ahead_for_a_missing_or_malformed_file_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    path = tmp_path / "notes.sealed"
    if content is not None:
        path.write_bytes(content)
    runs = _count_scrypt_runs(monkeypatch)
    derive_ahead(path, PASSWORD)
    derive_ahead(tmp_path, PASSWORD)  # a folder, not a file
    assert runs == []
