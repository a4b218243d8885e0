"""The relayer: admission against the chain, and the one sending loop that owns the nonce.

Threads: HTTP handlers call `Relayer.admit` (chain reads, then a Groth16 check) from an
executor; one sending thread runs `Relayer.run` (settle what a previous run left open, then
send batches one transaction at a time). Chain access goes through a `Node`: on a JSON-RPC
node each thread has its own connection; the embedded chain (one py-evm in the home, which
one process holds) is shared behind a lock.

Sending a batch (`_send`): re-check each job cheaply (spent? does its ring slot still hold
its root?), re-point the records for one transaction, simulate it (`eth_call`) and bisect a
failing batch so that a record that fails alone is marked failed with the revert's
sentence while the others go; sign; store the jobs as `sent` with the signed transaction
(hash and raw bytes); only then broadcast. Following it (`_follow`): the receipt of any
attempt settles the batch (success: every job confirmed; revert: queued again, checked
again); without one after `replace_after` seconds the same nonce is signed again at a
12.5% higher gas price (one more attempt). A restart follows every open batch the same
way, so a sent job is settled from the chain: confirmed if any attempt was mined (or its
nullifier was spent by a withdrawal that paid what the proof binds), never sent twice.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from mixer.chain.client import Chain, ChainError, ContractReverted, Sender
from mixer.chain.identify import describe, read_pool, verifier_key
from mixer.chain.pool import PoolClient, vk_from_words
from mixer.chain.record import WithdrawalRecord
from mixer.chain.sync import find_withdrawal
from mixer.errors import MixerError
from mixer.relayer.admission import Posted, Refused, Terms, check_proof, check_root, check_terms, parse
from mixer.relayer.policy import batch_gas, bumped, next_batch
from mixer.relayer.store import Attempt, Batch, Job, JobStore
from mixer.wallet import PoolInfo

Log = Callable[[dict[str, Any]], None]
MAX_TRIES = 3
"""A job whose transaction reverted (or vanished) this many times fails instead of going back."""


def json_log(stream: Any = None) -> Log:
    """One JSON object per line on `stream` (default stderr). Never given client addresses."""

    def log(event: dict[str, Any]) -> None:
        out = stream or sys.stderr
        out.write(json.dumps({"time": round(time.time(), 3), **event}) + "\n")
        out.flush()

    return log


class Node:
    """Chain access from several threads: a Web3 per thread on a JSON-RPC node, or one
    shared Web3 (the embedded chain, which is not thread-safe) behind a lock."""

    def __init__(self, *, rpc_url: str | None = None, shared: Web3 | None = None) -> None:
        if (rpc_url is None) == (shared is None):
            raise ValueError("a Node is either a JSON-RPC URL or one shared Web3")
        self.rpc_url = rpc_url
        self._shared = shared
        self._lock = threading.RLock()
        self._local = threading.local()

    @contextmanager
    def use(self) -> Iterator[Web3]:
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        w3 = getattr(self._local, "w3", None)
        if w3 is None:
            from mixer.chain.backend import rpc_web3

            assert self.rpc_url is not None
            w3 = self._local.w3 = rpc_web3(self.rpc_url)  # which asks the chain id once
        yield w3


@dataclass(frozen=True)
class Config:
    batch_size: int = 8
    max_wait: float = 30.0
    """Seconds a queued record waits at most for its batch to fill."""
    replace_after: float = 60.0
    """Seconds without a receipt before the transaction is replaced at a higher gas price."""
    poll: float = 0.2
    """Seconds between receipt checks."""


@dataclass(frozen=True)
class ServedPool:
    info: PoolInfo
    terms: Terms

    def to_api(self) -> dict[str, str]:
        return {
            "pool": self.info.address,
            "currency": self.info.currency,
            "denomination": str(self.terms.denomination),
            "fee": str(self.terms.fee),
        }


def serve_pool(
    chain: Chain, address: str, *, relayer: str, fee: Callable[[PoolInfo], int], max_refund: int
) -> ServedPool:
    """The pool at `address` as this relayer serves it: read from its code (NotAPoolError for
    anything but our pool and hasher), with the verifying key its verifier's code holds
    (MixerError if the verifier is not ours). Records are checked against that key, the one
    the chain itself checks them with, so the relayer needs no key files of its own."""
    code = read_pool(chain, address)
    info = describe(chain, address)
    words = verifier_key(chain, code.verifier)
    if words is None:
        raise MixerError(f"pool {code.address}'s verifier {code.verifier} is not mixer's verifier code")
    terms = Terms(
        relayer=relayer,
        fee=fee(info),
        max_refund=max_refund if code.token is not None else 0,
        denomination=code.denomination,
        token_pool=code.token is not None,
        vk=vk_from_words(words),
    )
    return ServedPool(info, terms)


class Relayer:
    """One relayer account serving some pools; see the module docstring."""

    def __init__(
        self,
        node: Node,
        *,
        address: str,
        private_key: bytes,
        pools: Sequence[ServedPool],
        store: JobStore,
        config: Config,
        chain_id: int,
        log: Log,
    ) -> None:
        self.node = node
        self.address = address
        self._key = private_key
        self.pools = {p.info.address: p for p in pools}
        self.store = store
        self.config = config
        self.chain_id = chain_id
        self.log = log
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_nonce = 0

    @classmethod
    def open(
        cls,
        node: Node,
        *,
        address: str,
        private_key: bytes,
        pools: Sequence[str],
        fee: Callable[[PoolInfo], int],
        max_refund: int,
        db: Path,
        config: Config,
        log: Log | None = None,
    ) -> Relayer:
        log = log or json_log()
        with node.use() as w3:
            chain = Chain(w3)
            served = [serve_pool(chain, p, relayer=address, fee=fee, max_refund=max_refund) for p in pools]
            chain_id = chain.chain_id()

        def transition(job: Job) -> None:
            log({"event": "job", "id": job.id, "status": job.status, "pool": job.pool,
                 "txHash": job.tx_hash, "error": job.error})  # fmt: skip

        store = JobStore(db, on_transition=transition)
        return cls(
            node,
            address=address,
            private_key=private_key,
            pools=served,
            store=store,
            config=config,
            chain_id=chain_id,
            log=log,
        )

    # -- the HTTP API's answers ---------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """`GET /v1/status`, with health: the node answers, and the account can pay for a
        full batch of the dearest pool (gas at today's price plus refunds)."""
        problems: list[str] = []
        balance: int | None = None
        try:
            with self.node.use() as w3:
                chain = Chain(w3)
                balance = chain.balance(self.address)
                gas_price = chain.gas_price()
        except Exception as exc:  # any failure to reach the node is the answer itself
            problems.append(f"the node does not answer: {type(exc).__name__}")
        if balance is not None:
            refunds = max((p.terms.max_refund for p in self.pools.values()), default=0)
            need = (batch_gas(self.config.batch_size) * gas_price + refunds) * 1
            if balance < need:
                problems.append(f"the balance {balance} wei is below one batch's cost {need} wei")
        return {
            "chainId": self.chain_id,
            "relayer": self.address,
            "pools": [p.to_api() for p in self.pools.values()],
            "batchSize": self.config.batch_size,
            "maxWaitSeconds": self.config.max_wait,
            "queued": self.store.count("queued"),
            "sent": self.store.count("sent"),
            "healthy": not problems,
            "problems": problems,
            "balance": None if balance is None else str(balance),
        }

    def job(self, job_id: str) -> Job | None:
        return self.store.get(job_id.lower())

    def admit(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """Check a posted withdrawal and queue it: (202, job) for a new job, (200, job) for a
        record posted before; Refused (4xx and a sentence) before any gas is spent."""
        posted = parse(body)
        pool = self.pools.get(posted.pool)
        if pool is None:
            raise Refused(422, f"this relayer does not serve pool {posted.pool}")
        candidate = self._job(posted, root=0)
        existing = self.store.get(posted.id)
        if existing is not None and existing.status != "failed":
            if existing.bound_to_same(candidate):
                return 200, existing.to_api()
            raise Refused(409, f"another record of this note is already job {existing.id} here")
        check_terms(posted, pool.terms)
        with self.node.use() as w3:
            client = PoolClient(Sender(w3, self.address), posted.pool)
            root = client.root_at(posted.record.root_index)
            spent = client.is_spent(posted.record.nullifier_hash)
        check_root(posted, root, spent)
        check_proof(posted, root, pool.terms)
        job, outcome = self.store.admit(self._job(posted, root=root))
        if outcome == "conflict":
            raise Refused(409, f"another record of this note is already job {job.id} here")
        self._wake.set()
        return (202 if outcome == "new" else 200), job.to_api()

    @staticmethod
    def _job(posted: Posted, root: int) -> Job:
        return Job(
            id=posted.id,
            pool=posted.pool,
            record=posted.raw,
            recipient=posted.recipient,
            fee=posted.fee,
            refund=posted.refund,
            root=root,
        )

    # -- the sending loop ---------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="relayer-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Settle what is open, then send until stopped; an error is logged and retried."""
        self.log({"event": "start", "relayer": self.address, "pools": sorted(self.pools)})
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception as exc:  # the loop must survive a node hiccup; jobs stay where they are
                self.log({"event": "error", "error": f"{type(exc).__name__}: {exc}"})
                wait = 1.0
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()

    def step(self) -> float:
        """Follow the open batch if there is one, else send the batch that is due. Returns
        how long to wait before the next step (0: go on at once)."""
        open_batches = self.store.open_batches()
        if open_batches:
            self._follow(open_batches[0])
            return 0.0
        due = next_batch(
            self.store.with_status("queued"),
            now=time.time(),
            batch_size=self.config.batch_size,
            max_wait=self.config.max_wait,
        )
        if not due.batch:
            return min(due.wait, 5.0)
        self._send(due.batch)
        return 0.0

    def _client(self, w3: Web3, pool: str) -> PoolClient:
        return PoolClient(Sender(w3, self.address, self._key), pool)

    def _fail(self, job: Job, reason: str) -> None:
        self.store.settle_job(job, "failed", error=reason)

    def _spent_elsewhere(self, w3: Web3, job: Job, from_block: int | None) -> None:
        """`job`'s nullifier is spent, by no transaction of ours that we saw mined: confirmed if
        the withdrawal that spent it paid what the proof binds (our copy, resent by anyone),
        else failed. `from_block` None: the job was never sent, nothing to look for."""
        event = None
        if from_block is not None:
            nullifier = int(job.id, 16)
            event = find_withdrawal(w3, job.pool, nullifier, from_block=from_block)
        paid = None if event is None else (event.to, event.relayer, event.fee)
        if paid == (job.recipient, self.address, job.fee) and event is not None:
            self.store.settle_job(job, "confirmed", tx_hash=event.tx_hash)
        else:
            self._fail(job, "this note was withdrawn by another transaction (its nullifier is spent)")

    def _send(self, jobs: Sequence[Job]) -> None:
        pool = jobs[0].pool
        fee, refund = jobs[0].fee, jobs[0].refund
        with self.node.use() as w3:
            client = self._client(w3, pool)
            alive: list[Job] = []
            for job in jobs:
                record = WithdrawalRecord.decode(job.record)
                if client.is_spent(record.nullifier_hash):
                    self._spent_elsewhere(w3, job, None)
                elif client.root_at(record.root_index) != job.root:
                    self._fail(
                        job,
                        "the pool's root ring no longer holds the root this proof was made for "
                        "(100 deposits since): sync, prove and post again",
                    )
                elif job.tries >= MAX_TRIES:
                    self._fail(job, f"its transaction failed {job.tries} times")
                else:
                    alive.append(job)
            while alive:
                bad = self._failing(client, alive)
                if not bad:
                    break
                for job, reason in bad:
                    self._fail(job, f"the withdrawal would revert: {reason}")
                alive = [j for j in alive if j.id not in {b.id for b, _ in bad}]
            if not alive:
                return
            records, new = self._batch(client, alive)
            gas = batch_gas(len(records))
            price = client.sender.gas_price()
            if client.sender.balance(self.address) < gas * price + refund * len(records):
                self.log({"event": "error", "error": "balance too low to send a batch; waiting"})
                time.sleep(min(5.0, self.config.max_wait))
                return
            nonce = max(client.sender.pending_nonce(self.address), self._next_nonce)
            block = client.sender.block_number()
            signed = client.sign_withdraw(
                records,
                new_recipients=new,
                relayer=self.address,
                fee=fee,
                refund=refund,
                nonce=nonce,
                gas=gas,
                gas_price=price,
            )
        batch = self.store.start_batch(
            pool, alive, nonce=nonce, block=block, attempt=Attempt(signed.hash, signed.raw, price)
        )
        self._next_nonce = nonce + 1
        self.log({"event": "batch", "batch": batch, "pool": pool, "records": len(alive), "nonce": nonce,
                  "txHash": signed.hash, "gasPrice": price})  # fmt: skip
        try:
            self._broadcast(signed.raw)
        except ChainError as exc:  # _follow decides: rebroadcast, or back to the queue
            self.log({"event": "error", "batch": batch, "error": str(exc)})

    def _broadcast(self, raw: bytes) -> str:
        with self.node.use() as w3:
            return Chain(w3).broadcast(raw)

    def _batch(self, client: PoolClient, jobs: Sequence[Job]) -> tuple[list[WithdrawalRecord], list[str]]:
        """The jobs' records re-pointed for one transaction, and the `newRecipients` it passes."""
        records = [WithdrawalRecord.decode(j.record) for j in jobs]
        return client.repoint(records, [j.recipient for j in jobs])

    def _simulate(self, client: PoolClient, jobs: Sequence[Job]) -> str | None:
        """Why the withdrawal of `jobs` in one transaction would revert, or None."""
        records, new = self._batch(client, jobs)
        try:
            client.simulate_withdraw(
                records,
                new_recipients=new,
                relayer=self.address,
                fee=jobs[0].fee,
                refund=jobs[0].refund,
                gas=batch_gas(len(records)),
            )
        except ContractReverted as exc:
            return str(exc)
        return None

    def _failing(self, client: PoolClient, jobs: Sequence[Job]) -> list[tuple[Job, str]]:
        """The jobs that fail alone (bisecting a failing batch), each with its revert sentence."""
        reason = self._simulate(client, jobs)
        if reason is None:
            return []
        if len(jobs) == 1:
            return [(jobs[0], reason)]
        half = len(jobs) // 2
        return self._failing(client, jobs[:half]) + self._failing(client, jobs[half:])

    def _follow(self, batch: Batch) -> None:
        """Wait for `batch`'s transaction (any attempt), replacing it at a higher price when it
        is not mined within `replace_after`, until it is settled or the relayer stops."""
        deadline = time.monotonic() + self.config.replace_after
        attempts = list(batch.attempts)
        with self.node.use() as w3:
            chain = Chain(w3)
            if self._settled(w3, batch, attempts):
                return
            if not any(chain.knows(a.hash) for a in attempts):
                # never broadcast (a crash right after storing it, or the node refused it), or dropped
                try:
                    chain.broadcast(attempts[-1].raw)
                except ChainError as exc:
                    self._dropped(w3, batch, str(exc))
                    return
        while not self._stop.is_set():
            with self.node.use() as w3:
                if self._settled(w3, batch, attempts):
                    return
                if time.monotonic() >= deadline:
                    attempts.append(self._replace(w3, batch, attempts[-1]))
                    deadline = time.monotonic() + self.config.replace_after
            self._stop.wait(self.config.poll)

    def _settled(self, w3: Web3, batch: Batch, attempts: Sequence[Attempt]) -> bool:
        chain = Chain(w3)
        for attempt in attempts:
            receipt = chain.receipt(attempt.hash)
            if receipt is None:
                continue
            if receipt["status"] == 1:
                self.store.close_batch(batch, mined=attempt.hash)
                self.log({"event": "mined", "batch": batch.id, "txHash": attempt.hash,
                          "gasUsed": int(receipt["gasUsed"]), "records": len(batch.jobs)})  # fmt: skip
            else:  # reverted on chain (a record spent meanwhile, a recipient refusing payment)
                self._dropped(w3, batch, f"its transaction {attempt.hash} reverted on chain")
            return True
        return False

    def _dropped(self, w3: Web3, batch: Batch, why: str) -> None:
        """`batch`'s transaction will not be mined: settle each job whose nullifier is spent
        from the chain (never resent), and queue the others again (checked again before
        they go)."""
        client = self._client(w3, batch.pool)
        again = []
        for job in batch.jobs:
            if job.status != "sent":
                continue
            if client.is_spent(int(job.id, 16)):
                self._spent_elsewhere(w3, job, batch.block)
            else:
                again.append(job.id)
        self.store.close_batch(batch, mined=None, requeue=again, why=why)
        self._next_nonce = min(self._next_nonce, batch.nonce)  # its nonce is free again: no gap
        self.log({"event": "dropped", "batch": batch.id, "error": why})

    def _replace(self, w3: Web3, batch: Batch, last: Attempt) -> Attempt:
        """The same transaction (same nonce) at a higher gas price, stored, then broadcast."""
        client = self._client(w3, batch.pool)
        jobs = [j for j in batch.jobs if j.status == "sent"]
        records, new = self._batch(client, jobs)
        price = bumped(last.gas_price, client.sender.gas_price())
        signed = client.sign_withdraw(
            records,
            new_recipients=new,
            relayer=self.address,
            fee=jobs[0].fee,
            refund=jobs[0].refund,
            nonce=batch.nonce,
            gas=batch_gas(len(records)),
            gas_price=price,
        )
        attempt = Attempt(signed.hash, signed.raw, price)
        self.store.add_attempt(batch, attempt)
        self.log({"event": "replace", "batch": batch.id, "txHash": signed.hash, "gasPrice": price})
        try:
            Chain(w3).broadcast(signed.raw)
        except ChainError as exc:  # e.g. the first attempt was mined meanwhile: the next check sees it
            self.log({"event": "error", "batch": batch.id, "error": str(exc)})
        return attempt
