"""The prover cache: compiled circuits and checked proving keys kept on disk, so that a
process that proves once (`mixer snark prove`, `mixer withdraw`) does not compile the
circuit, parse the key file and check every point of it again.

One folder (the CLI uses `<home>/prover-cache/`, see docs/snark.md) holds one file per
circuit (`r1cs-<circuit>.bin`) and one per key file and circuit
(`key-<sha256 of the key file>-<circuit>.bin`), in `mixer.snark.prepared`'s format. An
entry is bound (in its header, under its checksum) to what it was made from: the key
file's SHA-256, the circuit's name and the digest of the source code that builds the
circuit, and the digest of the code that reads and checks keys (`source_digest`). An entry
that does not match (another version of the code, a key file since replaced) is stale and
silently rebuilt; one that is truncated or altered is rebuilt and reported (`notes`). An
entry that cannot be written (read-only folder, full disk) is reported and the work is
done without it.

What the cache cannot stop is someone who can write the folder writing a well-formed entry
with other points. So every load also reads the verifying key from the key file itself and
checks it (`LoadedKey.vk`: a few milliseconds), and the callers verify each proof with that
key before they use it: a wrong entry gives a clear error, never a wrong proof.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Final, Protocol, TypeVar

from mixer.atomic import write_file
from mixer.home import make_private_dirs
from mixer.snark import prepared
from mixer.snark.files import decode_key, load_key, read_verifying_key
from mixer.snark.keys import ProvingKey, VerifyingKey
from mixer.snark.r1cs import R1CS

KEY_SOURCES: Final = (
    "mixer",
    "mixer.errors",
    "mixer.field",
    "mixer.fastint",
    "mixer.jsonsafe",
    "mixer.bn254.*",
    "mixer.snark.*",
)
"""The code that reads, checks and stores proving keys (`name.*`: the package's whole folder)."""
T = TypeVar("T")


@cache
def source_digest(modules: Sequence[str]) -> str:
    """SHA-256 (hex) of the source files of `modules`, each a module's dotted name or
    `package.*` for every `.py` file under the package's folder; read once per process."""
    h = hashlib.sha256(b"mixer-source-v1")
    for name in modules:
        whole = name.endswith(".*")
        spec = importlib.util.find_spec(name.removesuffix(".*"))
        if spec is None or spec.origin is None:
            raise OSError(f"no source file for module {name}")
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if whole else [origin]
        for path in files:
            data = path.read_bytes()
            label = f"{name}:{path.relative_to(origin.parent) if whole else path.name}"
            h.update(b"%d|%s|%d|" % (len(label), label.encode(), len(data)))
            h.update(data)
    return h.hexdigest()


class Circuit(Protocol):
    """A circuit the cache can compile (as `circuits.registry.load(name)` returns)."""

    @property
    def name(self) -> str: ...

    @property
    def source_digest(self) -> str:
        """Digest of the code that builds this circuit (`source_digest`)."""
        ...

    @property
    def r1cs(self) -> R1CS:
        """The compiled circuit (through the cache, when the circuit was loaded with one)."""
        ...

    def compile(self) -> R1CS:
        """The circuit compiled by this process's code, without the cache."""
        ...


@dataclass(frozen=True)
class LoadedKey:
    """A proving key checked against its circuit, and the verifying key to check proofs with."""

    pk: ProvingKey
    vk: VerifyingKey
    """Read and checked from the key file itself on every load, never from the cache."""
    entry: Path | None = None
    """The cache entry `pk` was read from (None: parsed and checked from the key file now)."""


@dataclass
class ProverCache:
    """The entries in `folder` (created, owner-only, at the first write)."""

    folder: Path
    notes: list[str] = field(default_factory=list)
    """One line for each entry refused or not written, for the caller to show."""
    _r1cs: dict[tuple[str, str], R1CS] = field(default_factory=dict, repr=False)

    def r1cs(self, circuit: Circuit) -> R1CS:
        """`circuit` compiled: from its entry, or compiled now and stored."""
        binding = {"circuit": circuit.name, "circuit_source": circuit.source_digest}
        known = self._r1cs.get((circuit.name, circuit.source_digest))
        if known is not None:
            return known
        path = self.folder / f"r1cs-{circuit.name}.bin"
        r1cs = self._read(path, lambda data: prepared.decode_r1cs(data, binding))
        if r1cs is None:
            r1cs = circuit.compile()
            self._write(path, lambda: prepared.encode_r1cs(r1cs, binding))
        self._r1cs[(circuit.name, circuit.source_digest)] = r1cs
        return r1cs

    def key(self, path: Path, circuit: Circuit) -> LoadedKey:
        """The key file at `path`, checked against `circuit`: from its entry, or parsed,
        checked and stored. SnarkFormatError or KeyMismatchError as `load_key` and
        `check_circuit` raise them; OSError if the key file cannot be read."""
        data = Path(path).read_bytes()
        vk = read_verifying_key(data)
        sha = hashlib.sha256(data).hexdigest()
        binding = {
            "key_sha256": sha,
            "circuit": circuit.name,
            "circuit_source": circuit.source_digest,
            "key_source": source_digest(KEY_SOURCES),
        }
        entry = self.folder / f"key-{sha}-{circuit.name}.bin"

        def decode(blob: bytes) -> ProvingKey:
            pk = prepared.decode_key(blob, binding)
            if pk.vk != vk:
                raise prepared.CorruptEntryError("its verifying key is not the key file's")
            return pk

        pk = self._read(entry, decode)
        if pk is not None:
            return LoadedKey(pk, vk, entry)
        checked = _checked_key(data, circuit)
        self._write(entry, lambda: prepared.encode_key(checked, binding))
        return LoadedKey(checked, vk)

    def _read(self, path: Path, decode: Callable[[bytes], T]) -> T | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.notes.append(f"prover cache entry {path} unreadable ({exc.strerror or exc}): rebuilt")
            return None
        try:
            return decode(data)
        except prepared.StaleEntryError:
            return None
        except prepared.CorruptEntryError as exc:
            self.notes.append(f"prover cache entry {path} refused ({exc}): rebuilt")
            return None

    def _write(self, path: Path, encode: Callable[[], bytes]) -> None:
        try:
            make_private_dirs(self.folder)
            write_file(path, encode(), overwrite=True)
        except OSError as exc:
            self.notes.append(f"prover cache entry {path} not written: {exc.strerror or exc}")


def _checked_key(data: bytes, circuit: Circuit) -> ProvingKey:
    """The key in `data`, parsed, validated and checked against `circuit`, carrying the
    circuit's digest (a `.zkey` has none of its own)."""
    pk = decode_key(data)
    r1cs = circuit.r1cs
    pk.check_circuit(r1cs)
    return pk if pk.circuit_digest == r1cs.digest() else replace(pk, circuit_digest=r1cs.digest())


def load_checked_key(path: Path, circuit: Circuit, cache: ProverCache | None) -> LoadedKey:
    """The key file at `path` checked against `circuit`, through `cache` when there is one."""
    if cache is not None:
        return cache.key(path, circuit)
    pk = load_key(path)
    pk.check_circuit(circuit.r1cs)
    return LoadedKey(pk, pk.vk)
