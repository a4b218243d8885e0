"""Password-sealed documents: scrypt + AES-256-GCM in a small versioned JSON envelope.

Used for note backups and for the wallet's notes at rest. The envelope (see
docs/formats.md) is authenticated as a whole: every header field is GCM associated data,
so changing the KDF cost, the salt, the nonce, the purpose or the version makes
decryption fail instead of silently producing something else.

Reading never trusts the file: its size, its JSON shape and the scrypt cost it asks for
are bounded before any work is done, so a hostile file cannot make us allocate gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from Crypto.Cipher import AES
from Crypto.Protocol.KDF import scrypt

from mixer import jsonsafe
from mixer.errors import MixerError

FORMAT: Final = "mixer-sealed"
VERSION: Final = 1
SALT_BYTES: Final = 16
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
CHECK_BYTES: Final = 16
MAX_DOCUMENT_BYTES: Final = 64 * 2**20
"""Far above any real wallet (a note record is ~300 bytes); bounds what we read and parse."""

MIN_N: Final = 2**10
MAX_N: Final = 2**20
MAX_R: Final = 32
MAX_P: Final = 16
MAX_MEMORY: Final = 512 * 2**20
"""scrypt allocates 128 * n * r bytes; the default (n=2^17, r=8) uses 128 MiB."""
MAX_WORK: Final = 2**23
"""Bound on n * r * p, i.e. on time: 8x the default cost."""

_HEX = {n: re.compile(rf"[0-9a-f]{{{2 * n}}}") for n in (SALT_BYTES, NONCE_BYTES, TAG_BYTES)}


class SealedError(MixerError):
    """A sealed document could not be opened; the subclass and message say why."""


class MalformedError(SealedError):
    """The document is truncated, not JSON, or does not have the envelope's exact shape."""


class UnsupportedVersionError(SealedError):
    """The envelope was written by a newer (or unknown) version of the format."""


class WrongPurposeError(SealedError):
    """The document is a valid envelope for something else (e.g. a wallet, not a backup)."""


class WrongPasswordError(SealedError):
    """The password does not match (or the key-derivation header was altered)."""


class TamperedError(SealedError):
    """The password is right but the ciphertext or header fails authentication."""


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost parameters; checked against the bounds whenever they are created."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        for name in ("n", "r", "p"):
            if type(getattr(self, name)) is not int:
                raise MalformedError(f"scrypt parameter {name} must be an integer")
        n, r, p = self.n, self.r, self.p
        if not (MIN_N <= n <= MAX_N and n & (n - 1) == 0):
            raise MalformedError(f"scrypt n={n} out of bounds: must be a power of two in [2^10, 2^20]")
        if not (1 <= r <= MAX_R and 1 <= p <= MAX_P):
            raise MalformedError(
                f"scrypt r={r}, p={p} out of bounds: need 1 <= r <= {MAX_R}, 1 <= p <= {MAX_P}"
            )
        if 128 * n * r > MAX_MEMORY or n * r * p > MAX_WORK:
            raise MalformedError(f"scrypt cost n={n}, r={r}, p={p} exceeds the memory or time bound")


DEFAULT_KDF: Final = KdfParams()


@dataclass(frozen=True, repr=False)
class SealingKey:
    """A key derived from a password once, reusable for many seals (scrypt is slow on purpose)."""

    params: KdfParams
    salt: bytes
    cipher_key: bytes
    check: bytes

    @classmethod
    def derive(cls, password: str, params: KdfParams = DEFAULT_KDF, salt: bytes | None = None) -> SealingKey:
        """Run scrypt on the NFC-normalised UTF-8 `password` with a fresh random salt unless given."""
        if not password:
            raise ValueError("the password must not be empty")
        salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
        if len(salt) != SALT_BYTES:
            raise ValueError(f"salt must be {SALT_BYTES} bytes")
        secret = unicodedata.normalize("NFC", password).encode()
        # pycryptodome's stubs say str, but str is encoded as latin-1: bytes are the right input.
        out = cast(bytes, scrypt(cast(str, secret), cast(str, salt), 64, N=params.n, r=params.r, p=params.p))
        # Two independent PBKDF2 output blocks: one keys AES, the other only tells a wrong
        # password apart from a tampered file (an attacker learns nothing new from it:
        # trying a password against the GCM tag costs the same scrypt run).
        check = hashlib.sha256(b"mixer-sealed password check" + out[32:]).digest()[:CHECK_BYTES]
        return cls(params, salt, out[:32], check)

    def __repr__(self) -> str:
        return f"SealingKey(params={self.params!r})"


def _header(key: SealingKey, purpose: str, nonce: bytes) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "purpose": purpose,
        "kdf": {
            "name": "scrypt",
            "n": key.params.n,
            "r": key.params.r,
            "p": key.params.p,
            "salt": key.salt.hex(),
        },
        "cipher": {"name": "aes-256-gcm", "nonce": nonce.hex()},
        "check": key.check.hex(),
    }


def _associated_data(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal(plaintext: bytes, key: SealingKey, *, purpose: str) -> bytes:
    """Encrypt `plaintext` under `key` with a fresh nonce; returns the JSON envelope's bytes."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = _header(key, purpose, nonce)
    cipher = AES.new(key.cipher_key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_BYTES)
    cipher.update(_associated_data(header))
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    document = {**header, "ciphertext": base64.b64encode(ciphertext).decode(), "tag": tag.hex()}
    return (json.dumps(document, indent=2) + "\n").encode()


def short_repr(value: Any, limit: int = 40) -> str:
    """repr() cut to `limit` characters: file contents quoted in a one-line error stay short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise MalformedError("malformed sealed file: a JSON key appears twice")
    return dict(pairs)


def _object(value: Any, keys: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise MalformedError(f"malformed sealed file: {where} must have exactly the fields {sorted(keys)}")
    return value


def _hex(value: Any, size: int, where: str) -> bytes:
    if not isinstance(value, str) or not _HEX[size].fullmatch(value):
        raise MalformedError(f"malformed sealed file: {where} must be {2 * size} lowercase hex digits")
    return bytes.fromhex(value)


@dataclass(frozen=True)
class _Envelope:
    header: dict[str, Any]
    params: KdfParams
    salt: bytes
    nonce: bytes
    check: bytes
    ciphertext: bytes
    tag: bytes


def _parse(document: bytes, purpose: str | None) -> _Envelope:
    """The envelope's fields, checked; `purpose` None accepts any purpose."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise MalformedError(
            f"sealed file too large ({len(document)} bytes; the limit is {MAX_DOCUMENT_BYTES})"
        )
    try:
        doc = jsonsafe.loads(document, what="sealed file", object_pairs_hook=_no_duplicate_keys)
    except jsonsafe.UntrustedJSONError:
        raise MalformedError("not a sealed file: it is truncated or not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MalformedError(f"not a sealed file: its format field is not {FORMAT!r}")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise UnsupportedVersionError(
            f"unsupported sealed-file version {short_repr(doc.get('version'))} "
            f"(this program reads version {VERSION})"
        )
    fields = {"format", "version", "purpose", "kdf", "cipher", "check", "ciphertext", "tag"}
    doc = _object(doc, fields, "the document")
    if purpose is not None and doc["purpose"] != purpose:
        raise WrongPurposeError(f"this sealed file holds a {short_repr(doc['purpose'])}, not a {purpose!r}")
    kdf = _object(doc["kdf"], {"name", "n", "r", "p", "salt"}, "kdf")
    cipher = _object(doc["cipher"], {"name", "nonce"}, "cipher")
    if kdf["name"] != "scrypt" or cipher["name"] != "aes-256-gcm":
        raise MalformedError("malformed sealed file: only scrypt and aes-256-gcm are supported")
    if not isinstance(doc["ciphertext"], str):
        raise MalformedError("malformed sealed file: ciphertext must be a base64 string")
    try:
        ciphertext = base64.b64decode(doc["ciphertext"], validate=True)
    except binascii.Error:
        raise MalformedError("malformed sealed file: ciphertext is not valid base64") from None
    header = {k: v for k, v in doc.items() if k not in ("ciphertext", "tag")}
    return _Envelope(
        header=header,
        params=KdfParams(kdf["n"], kdf["r"], kdf["p"]),
        salt=_hex(kdf["salt"], SALT_BYTES, "kdf.salt"),
        nonce=_hex(cipher["nonce"], NONCE_BYTES, "cipher.nonce"),
        check=_hex(doc["check"], CHECK_BYTES, "check"),
        ciphertext=ciphertext,
        tag=_hex(doc["tag"], TAG_BYTES, "tag"),
    )


def _decrypt(envelope: _Envelope, key: SealingKey) -> bytes:
    if not hmac.compare_digest(key.check, envelope.check):
        raise WrongPasswordError("wrong password (or the file's key-derivation header was altered)")
    cipher = AES.new(key.cipher_key, AES.MODE_GCM, nonce=envelope.nonce, mac_len=TAG_BYTES)
    cipher.update(_associated_data(envelope.header))
    try:
        plaintext: bytes = cipher.decrypt_and_verify(envelope.ciphertext, envelope.tag)
    except ValueError:
        raise TamperedError("the sealed file was altered: its contents fail authentication") from None
    return plaintext


@dataclass(frozen=True, repr=False)
class Opened:
    """What `unseal` recovers: the plaintext, and the key to seal the next version with."""

    plaintext: bytes
    key: SealingKey


def unseal(document: bytes, password: str, *, purpose: str) -> Opened:
    """Check and decrypt an envelope written by `seal` for `purpose`.

    Raises a `SealedError` subclass: `MalformedError`, `UnsupportedVersionError`,
    `WrongPurposeError`, `WrongPasswordError` or `TamperedError`.
    """
    envelope = _parse(document, purpose)
    if not password:
        raise WrongPasswordError("wrong password: it is empty")
    key = _derived_ahead(password, envelope.params, envelope.salt)
    if key is None:
        key = SealingKey.derive(password, envelope.params, envelope.salt)
    return Opened(_decrypt(envelope, key), key)


def unseal_with_key(document: bytes, key: SealingKey, *, purpose: str) -> bytes:
    """As `unseal`, with a key derived earlier (the envelope must use its salt and cost)."""
    envelope = _parse(document, purpose)
    if envelope.salt != key.salt or envelope.params != key.params:
        raise WrongPasswordError("this key was derived for another file (its salt or scrypt cost differ)")
    return _decrypt(envelope, key)


def read_document(path: Path) -> bytes:
    """A sealed file's bytes, refusing to read more than any valid file can hold."""
    with open(path, "rb") as f:
        data = f.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise MalformedError(f"{path} is too large to be a sealed file")
    return data


class _Derivation(threading.Thread):
    """One scrypt run in the background; `key` is None until it ends, or if it failed."""

    def __init__(self, password: str, params: KdfParams, salt: bytes) -> None:
        super().__init__(name="scrypt", daemon=True)
        self._args = (password, params, salt)
        self.key: SealingKey | None = None

    def run(self) -> None:
        try:
            self.key = SealingKey.derive(*self._args)
        except Exception:  # the caller derives again and meets the error itself
            self.key = None


_ahead: dict[tuple[str, KdfParams, bytes], _Derivation] = {}


def derive_ahead(path: Path, password: str) -> None:
    """Start deriving the key of the sealed file at `path` in a background thread, for a
    later `unseal` of it with the same password to take instead of running scrypt itself.

    scrypt is ~0.3 s of C code that releases the GIL: the `mixer` script starts it before
    importing a command's libraries (~0.6 s), which then load on the other core meanwhile.
    Best effort: a missing or malformed file or an empty password starts nothing, and the
    key depends only on the password, the salt and the cost, so a file rewritten meanwhile
    at worst wastes the run."""
    if not password:
        return
    try:
        envelope = _parse(read_document(path), None)
    except (OSError, SealedError):
        return
    derivation = _Derivation(password, envelope.params, envelope.salt)
    _ahead[(password, envelope.params, envelope.salt)] = derivation
    derivation.start()


def _derived_ahead(password: str, params: KdfParams, salt: bytes) -> SealingKey | None:
    """The key `derive_ahead` started for exactly these inputs (waiting for it), once."""
    derivation = _ahead.pop((password, params, salt), None)
    if derivation is None:
        return None
    derivation.join()
    return derivation.key
