"""The prover cache (`mixer.snark.cache`): compiled circuits and checked keys kept between
processes, and every way an entry can be wrong ending in a rebuild or a clear error,
never in a wrong proof."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import stat
import struct
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from circuits import registry
from mixer.bn254 import G1_GEN, g1_add
from mixer.snark import groth16, iden3, prepared
from mixer.snark.cache import KEY_SOURCES, ProverCache, load_checked_key
from mixer.snark.files import load_key, save_key
from mixer.snark.keys import ProvingKey
from mixer.snark.qap import Matrix
from mixer.snark.r1cs import R1CS
from mixer.snark.snarkjs import proof_from_snarkjs, public_from_snarkjs
from tests.support.cli_helpers import MIXER
from tests.support.snark_circuits import withdraw_example
from wallet_cli.app import app

CIRCUIT = "withdraw-poseidon-1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dev key for CIRCUIT in both formats (our key file, a .zkey) and an input file."""
    d = tmp_path_factory.mktemp("keys")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", groth16.DevSetupWarning)
        pk = groth16.setup(registry.compile(CIRCUIT), seed=4)
    save_key(pk, d / "w.key")
    (d / "w.zkey").write_bytes(iden3.write_zkey(pk))
    (d / "input.json").write_text(json.dumps(withdraw_example("poseidon", 1, seed=2)))
    return d


class Counting:
    """CIRCUIT, counting how often it is compiled without the cache."""

    def __init__(self, name: str = CIRCUIT, cache: ProverCache | None = None) -> None:
        self.inner = registry.load(name, cache=cache)
        self.cache = cache
        self.compiled = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def source_digest(self) -> str:
        return self.inner.source_digest

    @property
    def r1cs(self) -> R1CS:
        return self.compile() if self.cache is None else self.cache.r1cs(self)

    def compile(self) -> R1CS:
        self.compiled += 1
        return self.inner.compile()


def same_key(a: ProvingKey, b: ProvingKey) -> bool:
    return all(
        getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a) if f.name != "circuit_digest"
    )


def prove(home: Path, keys: Path, key: str, out: Path, *extra: str) -> Result:
    args = ["--home", str(home), "snark", "prove", CIRCUIT, str(keys / key), str(keys / "input.json")]
    return CliRunner().invoke(app, [*args, str(out / "proof.json"), str(out / "public.json"), *extra])


def entry_of(folder: Path, kind: str) -> Path:
    (path,) = folder.glob(f"{kind}-*.bin")
    return path


def header(data: bytes) -> dict[str, Any]:
    (length,) = struct.unpack_from(">I", data, 12)
    return dict(json.loads(data[16 : 16 + length]))


def reseal(data: bytes) -> bytes:
    """`data` with its checksum recomputed: what someone who can write the cache could write."""
    return data[:-32] + hashlib.sha256(data[:-32]).digest()


def binding(data: bytes, *names: str) -> dict[str, Any]:
    h = header(data)
    return {name: h[name] for name in names}


KEY_BINDING = ("key_sha256", "circuit", "circuit_source", "key_source")
R1CS_BINDING = ("circuit", "circuit_source")


# -- what the cache saves -------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["w.key", "w.zkey"])
def test_should_not_compile_or_parse_again_in_a_second_process(keys: Path, tmp_path: Path, key: str) -> None:
    first = Counting(cache=ProverCache(tmp_path))
    built = load_checked_key(keys / key, first, first.cache)
    assert built.entry is None and first.compiled == 1
    second = Counting(cache=ProverCache(tmp_path))  # a new process: nothing in memory
    loaded = load_checked_key(keys / key, second, second.cache)
    assert second.compiled == 0 and loaded.entry is not None and second.cache and not second.cache.notes
    assert same_key(loaded.pk, load_key(keys / key)) and loaded.vk == loaded.pk.vk
    assert loaded.pk.circuit_digest == registry.compile(CIRCUIT).digest()
    assert second.r1cs.constraints == registry.compile(CIRCUIT).constraints and second.compiled == 0
    assert second.r1cs.digest() == registry.compile(CIRCUIT).digest()


def test_should_keep_the_cache_private_in_a_new_home(keys: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert prove(home, keys, "w.zkey", tmp_path).exit_code == 0
    made = [home, *home.rglob("*")]
    assert {p.name for p in made} >= {"home", "prover-cache"} and len(list(home.rglob("*.bin"))) == 2
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600) for p in made), made


def test_should_check_the_key_against_the_circuit_before_caching_it(keys: Path, tmp_path: Path) -> None:
    result = prove(tmp_path / "home", keys, "w.zkey", tmp_path)
    assert result.exit_code == 0
    files = [keys / "w.zkey", keys / "input.json", tmp_path / "p.json", tmp_path / "q.json"]
    args = ["--home", str(tmp_path / "home"), "snark", "prove", "withdraw-poseidon-2", *map(str, files)]
    other = CliRunner().invoke(app, args)
    assert other.exit_code == 1 and "made for another circuit" in other.output
    assert not list((tmp_path / "home").rglob("key-*withdraw-poseidon-2.bin"))


# -- entries that cannot be used: rebuilt ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["key", "r1cs"])
def test_should_rebuild_a_truncated_or_altered_entry_and_say_so(
    keys: Path, tmp_path: Path, kind: str
) -> None:
    load_checked_key(keys / "w.zkey", Counting(cache=ProverCache(tmp_path)), ProverCache(tmp_path))
    path = entry_of(tmp_path, kind)
    good = path.read_bytes()
    damaged = [good[:n] for n in (0, 7, 20, len(good) // 2, len(good) - 1)]
    damaged += [
        good[:i] + bytes([good[i] ^ 1]) + good[i + 1 :] for i in (0, 20, len(good) // 2, len(good) - 1)
    ]
    assert all(d != good for d in damaged)
    for bad in damaged:
        path.write_bytes(bad)
        cache = ProverCache(tmp_path)
        circuit = Counting(cache=cache)
        if kind == "key":
            assert same_key(load_checked_key(keys / "w.zkey", circuit, cache).pk, load_key(keys / "w.zkey"))
        else:
            assert circuit.r1cs.constraints == registry.compile(CIRCUIT).constraints and circuit.compiled == 1
        assert len(cache.notes) == 1 and str(path) in cache.notes[0] and "rebuilt" in cache.notes[0]
        assert "\n" not in cache.notes[0]
        assert path.read_bytes() == good  # rebuilt as it was


def test_should_rebuild_an_entry_of_another_version_of_the_code_silently(keys: Path, tmp_path: Path) -> None:
    load_checked_key(keys / "w.key", Counting(cache=ProverCache(tmp_path)), ProverCache(tmp_path))
    for kind, names in (("key", KEY_BINDING), ("r1cs", R1CS_BINDING)):
        path = entry_of(tmp_path, kind)
        good = path.read_bytes()
        old = {**binding(good, *names), "circuit_source": "0" * 64}
        if kind == "key":
            path.write_bytes(prepared.encode_key(load_key(keys / "w.key"), {**old, "key_source": "f" * 64}))
        else:
            path.write_bytes(prepared.encode_r1cs(registry.compile(CIRCUIT), old))
        cache = ProverCache(tmp_path)
        circuit = Counting(cache=cache)
        if kind == "key":
            assert load_checked_key(keys / "w.key", circuit, cache).entry is None  # stale: not used
        else:
            assert circuit.r1cs.digest() == registry.compile(CIRCUIT).digest() and circuit.compiled == 1
        assert cache.notes == [] and path.read_bytes() == good  # not reported; rebuilt
    # another format version: stale as well
    path = entry_of(tmp_path, "key")
    good = path.read_bytes()
    path.write_bytes(reseal(good[:8] + (prepared.FORMAT + 1).to_bytes(4, "big") + good[12:]))
    cache = ProverCache(tmp_path)
    assert load_checked_key(keys / "w.key", Counting(cache=cache), cache).entry is None and cache.notes == []
    assert path.read_bytes() == good


def test_should_not_use_the_entry_of_a_key_file_since_replaced(keys: Path, tmp_path: Path) -> None:
    key = tmp_path / "w.key"
    key.write_bytes((keys / "w.key").read_bytes())
    cache = ProverCache(tmp_path / "cache")
    load_checked_key(key, Counting(cache=cache), cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", groth16.DevSetupWarning)
        save_key(groth16.setup(registry.compile(CIRCUIT), seed=5), key)
    cache = ProverCache(tmp_path / "cache")
    loaded = load_checked_key(key, Counting(cache=cache), cache)
    assert loaded.entry is None and same_key(loaded.pk, load_key(key))


def test_should_rebuild_an_entry_whose_verifying_key_is_not_the_key_files(keys: Path, tmp_path: Path) -> None:
    cache = ProverCache(tmp_path)
    load_checked_key(keys / "w.key", Counting(cache=cache), cache)
    path = entry_of(tmp_path, "key")
    good = path.read_bytes()
    pk = load_key(keys / "w.key")
    other_vk = dataclasses.replace(pk.vk, alpha1=g1_add(pk.vk.alpha1, G1_GEN))
    path.write_bytes(prepared.encode_key(dataclasses.replace(pk, vk=other_vk), binding(good, *KEY_BINDING)))
    cache = ProverCache(tmp_path)
    loaded = load_checked_key(keys / "w.key", Counting(cache=cache), cache)
    assert loaded.entry is None and "verifying key" in cache.notes[0] and loaded.pk.vk == pk.vk


def test_should_refuse_an_entry_whose_indices_point_outside_its_tables(keys: Path, tmp_path: Path) -> None:
    cache = ProverCache(tmp_path)
    load_checked_key(keys / "w.key", Counting(cache=cache), cache)
    path = entry_of(tmp_path, "key")
    good = path.read_bytes()
    pk = load_key(keys / "w.key")
    q = pk.qap
    far = dataclasses.replace(q, a=Matrix.of([(q.domain_size, 0, 1), *list(q.a)[1:]]))
    path.write_bytes(prepared.encode_key(dataclasses.replace(pk, qap=far), binding(good, *KEY_BINDING)))
    cache = ProverCache(tmp_path)
    assert load_checked_key(keys / "w.key", Counting(cache=cache), cache).entry is None
    assert "outside" in cache.notes[0]


# -- what a cache entry cannot do: make a wrong proof ------------------------------------------------


@pytest.mark.parametrize("key", ["w.key", "w.zkey"])
def test_should_refuse_to_write_a_proof_from_a_well_formed_wrong_entry(
    keys: Path, tmp_path: Path, key: str
) -> None:
    home = tmp_path / "home"
    assert prove(home, keys, key, tmp_path).exit_code == 0
    path = entry_of(home / "prover-cache", "key")
    good = path.read_bytes()
    pk = load_key(keys / key)
    wrong = [
        dataclasses.replace(pk, h_points=(g1_add(pk.h_points[0], G1_GEN), *pk.h_points[1:])),
        dataclasses.replace(pk, a_points=(pk.a_points[1], pk.a_points[0], *pk.a_points[2:])),
        dataclasses.replace(pk, delta1=g1_add(pk.delta1, G1_GEN)),
    ]
    for bad in wrong:
        path.write_bytes(prepared.encode_key(bad, binding(good, *KEY_BINDING)))
        (tmp_path / "proof.json").unlink()
        result = prove(home, keys, key, tmp_path)
        assert result.exit_code == 1, result.output
        last = [line for line in result.output.splitlines() if line.strip()][-1]
        assert last.startswith("error:") and "prover cache entry" in last and str(path) in last
        assert not (tmp_path / "proof.json").exists()
        assert prove(home, keys, key, tmp_path, "--no-cache").exit_code == 0  # the way out it names


def test_should_prove_without_the_cache_when_its_folder_cannot_be_written(keys: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "prover-cache").write_text("a file where the cache folder would be")
    result = prove(home, keys, "w.zkey", tmp_path)
    assert result.exit_code == 0 and "not written" in result.output
    proof = json.loads((tmp_path / "proof.json").read_text())
    assert set(proof) >= {"pi_a", "pi_b", "pi_c"}


# -- the digests cover the code -------------------------------------------------------------------


def test_should_digest_every_module_a_cached_circuit_or_key_comes_from(keys: Path, tmp_path: Path) -> None:
    """An entry is bound to the digests of registry.SOURCES and KEY_SOURCES: a module outside
    them that compiling, parsing or proving loads could change without the entry going stale."""
    script = f"""
import json, sys
from pathlib import Path
from circuits import registry
from mixer.snark import groth16
from mixer.snark.cache import ProverCache, load_checked_key
for name in ("withdraw-poseidon-1", "withdraw-mimcsponge-1"):
    registry.compile(name)
cache = ProverCache(Path({str(tmp_path)!r}))
circuit = registry.load({CIRCUIT!r}, cache=cache)
loaded = load_checked_key(Path({str(keys / "w.zkey")!r}), circuit, cache)
values = circuit.witness(json.loads(Path({str(keys / "input.json")!r}).read_text()))
groth16.prove(loaded.pk, values)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("mixer", "circuits"))))
"""
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    )
    covered = [*registry.SOURCES, *KEY_SOURCES]

    def digested(module: str) -> bool:
        return any(module == s or (s.endswith(".*") and module.startswith(s[:-1])) for s in covered) or any(
            module == s[:-2] for s in covered if s.endswith(".*")
        )

    # they write files or start processes; what they write is bound by the rest
    not_content = {"mixer.atomic", "mixer.home", "mixer.processes"}
    assert [m for m in loaded if not digested(m) and m not in not_content] == []
    assert "mixer.snark.cache" in loaded and "circuits.gadgets.mimc" in loaded


def test_the_script_exits_with_the_commands_status_and_its_files_complete(keys: Path, tmp_path: Path) -> None:
    """The `mixer` script ends `snark prove` without the interpreter's shutdown (wallet_cli/main.py):
    what it wrote and printed must all be there, and its exit status the command's."""
    args = [str(MIXER), "--home", str(tmp_path / "home"), "--json", "snark", "prove", CIRCUIT]
    files = [
        str(keys / "w.zkey"),
        str(keys / "input.json"),
        str(tmp_path / "p.json"),
        str(tmp_path / "q.json"),
    ]
    for _ in range(2):  # fills the cache, then reads it
        proc = subprocess.run([*args, *files], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["ok"] is True and "wrote" in proc.stderr
        vk = load_key(keys / "w.zkey").vk
        public = public_from_snarkjs(json.loads((tmp_path / "q.json").read_text()))
        proof = proof_from_snarkjs(json.loads((tmp_path / "p.json").read_text()))
        assert groth16.verify(vk, public, proof)
    proc = subprocess.run(
        [*args, *files[:1], str(tmp_path / "none.json"), *files[2:]], capture_output=True, text=True
    )
    assert proc.returncode == 1 and json.loads(proc.stdout)["ok"] is False
