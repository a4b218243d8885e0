"""A pool with deposits on a real node, records made for it, and a relayer server to post them
to: what the relayer tests and bench/relayer.py share."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from eth_account import Account
from web3 import Web3

from circuits import registry
from mixer.chain.client import Sender
from mixer.chain.identify import describe
from mixer.chain.pool import PoolClient, deploy_pool, vk_words
from mixer.chain.record import WithdrawalRecord, new_recipient_id
from mixer.chain.sync import sync_deposits
from mixer.extdata import ExtData
from mixer.note import Note
from mixer.snark import ProvingKey, load_key
from mixer.wallet import PoolBook, PoolInfo
from mixer.withdrawal import plan_withdrawal, prove_withdrawal
from tests.support import cli_helpers
from tests.support.chain_nodes import free_port
from tests.support.cli_helpers import MIXER, dev_keys, env

DENOMINATION = 10**17
FEE = 10**16


def proving_key() -> ProvingKey:
    """The development key of `cli_helpers.DEPTH` (3 for the tests; the bench sets another)."""
    return load_key(dev_keys() / f"withdraw-poseidon-{cli_helpers.DEPTH}.key")


@dataclass
class PoolEnv:
    """A Poseidon pool of depth DEPTH with the dev key, and notes deposited into it."""

    w3: Web3
    info: PoolInfo
    notes: list[Note]
    pk: ProvingKey
    cache: Path
    relayer: str = ""
    relayer_key: str = ""
    _tree: Any = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return self.info.address

    def client(self, account: int = 0) -> PoolClient:
        return PoolClient(Sender(self.w3, str(self.w3.eth.accounts[account])), self.address)

    def deposit(self, count: int, account: int = 1) -> list[Note]:
        client = self.client(account)
        new = []
        for _ in range(count):
            note = Note.generate(self.info.identity())
            client.deposit(note.commitment)
            new.append(note)
        self.notes += new
        return new

    def record(
        self,
        note: Note,
        recipient: str,
        *,
        relayer: str | None = None,
        fee: int = FEE,
        refund: int = 0,
        root_index: int | None = None,
    ) -> WithdrawalRecord:
        """A record of `note` paying `recipient`, bound to `relayer` (default: this env's)."""
        synced = sync_deposits(self.w3, self.address, hasher="poseidon", cache_dir=self.cache)
        ext = ExtData(recipient, relayer or self.relayer, fee, refund)
        plan = plan_withdrawal(note, synced, ext)
        return prove_withdrawal(
            self.pk,
            plan,
            registry.load(plan.circuit),
            root_index=synced.root_index if root_index is None else root_index,
            recipient_id=new_recipient_id(0),  # newRecipients[0]: what a lone withdrawal passes
            check=False,
        )

    def body(
        self, record: WithdrawalRecord | bytes, recipient: str, *, fee: int = FEE, refund: int = 0
    ) -> dict[str, Any]:
        raw = record if isinstance(record, bytes) else record.encode()
        return {
            "pool": self.address,
            "record": "0x" + raw.hex(),
            "recipient": recipient,
            "fee": str(fee),
            "refund": str(refund),
        }

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(address))  # type: ignore[arg-type]


def fund(w3: Web3, address: str, wei: int = 10**21) -> None:
    """anvil: give `address` ETH."""
    w3.provider.make_request("anvil_setBalance", [address, hex(wei)])  # type: ignore[arg-type]


def make_pool(w3: Web3, tmp: Path, deposits: int, *, home: Path | None = None) -> PoolEnv:
    """Deploy a pool (the dev key's verifier) and make `deposits` deposits; with `home`, the
    pool is written to its pool book as `mixer deploy` would."""
    pk = proving_key()
    deployer = Sender(w3, str(w3.eth.accounts[0]))
    deployed = deploy_pool(
        deployer,
        hasher="poseidon",
        verifying_key=vk_words(pk.vk),
        denomination=DENOMINATION,
        levels=cli_helpers.DEPTH,
    )
    info = describe(deployer, deployed.pool, deploy_block=deployed.block)
    if home is not None:
        PoolBook(home).add(info)
    cache = tmp / "sync-cache"
    cache.mkdir(parents=True, exist_ok=True)
    env_ = PoolEnv(w3, info, [], pk, cache)
    key = Account.create()
    env_.relayer, env_.relayer_key = str(key.address), "0x" + bytes(key.key).hex()
    env_.deposit(deposits)
    return env_


def fresh() -> str:
    return str(Account.create().address)


@dataclass
class RelayerProcess:
    """`mixer relayer serve` as a real process."""

    proc: subprocess.Popen[str]
    url: str
    log: Path

    def status(self) -> dict[str, Any]:
        return dict(requests.get(self.url + "/v1/status", timeout=30).json())

    def post(self, body: Any, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + "/v1/withdrawals", json=body, timeout=60, **kwargs)

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(requests.get(f"{self.url}/v1/withdrawals/{job_id}", timeout=30).json())

    def wait_for(
        self, job_ids: Sequence[str], statuses: Sequence[str] = ("confirmed", "failed"), timeout: float = 120
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            jobs = [self.job(j) for j in job_ids]
            if all(j["status"] in statuses for j in jobs):
                return jobs
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"jobs not settled: {jobs}\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def events(self) -> list[dict[str, Any]]:
        import json

        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]

    def kill(self) -> None:
        """SIGKILL, by its own pid."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def relayer_process(
    home: Path,
    rpc_url: str,
    key: str,
    *args: str,
    script: str | None = None,
    log: Path | None = None,
) -> Iterator[RelayerProcess]:
    """Start `mixer relayer serve ARGS` (or a Python `script` that runs the command's main
    after patching it) and wait until it answers."""
    port = free_port()
    argv = [
        "--home",
        str(home),
        "--rpc-url",
        rpc_url,
        "--private-key",
        key,
        "relayer",
        "serve",
        "--port",
        str(port),
        *args,
    ]
    command = (
        [str(MIXER), *argv] if script is None else [str(Path(MIXER).parent / "python"), "-c", script, *argv]
    )
    log = log or home / f"relayer-{port}.log"
    with open(log, "a") as out:
        proc = subprocess.Popen(command, env=env(), stdout=subprocess.DEVNULL, stderr=out, text=True)
    server = RelayerProcess(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while True:
        try:
            server.status()
            break
        except requests.RequestException:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"the relayer did not start:\n{log.read_text()}") from None
            time.sleep(0.2)
    try:
        yield server
    finally:
        server.stop()
