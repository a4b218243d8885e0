"""The relayer's rules, as pure functions of their inputs (no chain, no clock of their own).

- which queued jobs go out together, and when (`next_batch`);
- how much gas a batch may use (`batch_gas`), and the gas price of a replacement (`bumped`);
- a per-client token bucket (`TokenBuckets`), so one flooding client waits while others
  are served.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Final

from mixer.relayer.store import Job

BATCH_BASE_GAS: Final = 200_000
RECORD_GAS: Final = 300_000
"""Gas limit per record of a batch: a depth-20 record with a first-time recipient uses ~200k
in a batch, ~365k alone (docs/contracts.md, Gas); unused gas is not paid."""


def batch_gas(records: int) -> int:
    """The gas limit of a withdraw transaction carrying `records` records."""
    return BATCH_BASE_GAS + RECORD_GAS * records


def bumped(gas_price: int, node_price: int) -> int:
    """The gas price of a replacement: at least 12.5% (and 1 wei) above the last attempt,
    which nodes require of a replacement (geth: 10%), and never below the node's price."""
    return max(gas_price + gas_price // 8 + 1, node_price)


def batch_key(job: Job) -> tuple[str, int, int]:
    """Jobs that can share a transaction: one pool, and one (fee, refund) per transaction."""
    return (job.pool, job.fee, job.refund)


@dataclass(frozen=True)
class Due:
    """What the sending loop should do next."""

    batch: tuple[Job, ...]
    """Jobs to send now, oldest first (empty: none is due)."""
    wait: float
    """Seconds until the next batch falls due if nothing else arrives (when `batch` is empty)."""


def next_batch(queued: Sequence[Job], *, now: float, batch_size: int, max_wait: float) -> Due:
    """The batch to send now among `queued` (oldest first): the group of equal
    (pool, fee, refund) whose oldest job came first, among the groups that hold `batch_size`
    jobs or whose oldest has waited `max_wait` seconds. At most `batch_size` jobs."""
    groups: OrderedDict[Hashable, list[Job]] = OrderedDict()
    for job in sorted(queued, key=lambda j: (j.created, j.id)):
        groups.setdefault(batch_key(job), []).append(job)
    wait = max_wait
    for jobs in groups.values():
        due_in = jobs[0].created + max_wait - now
        if len(jobs) >= batch_size or due_in <= 0:
            return Due(tuple(jobs[:batch_size]), 0.0)
        wait = min(wait, due_in)
    return Due((), max(wait, 0.0))


class TokenBuckets:
    """A token bucket per client: `rate` tokens a second, at most `burst` saved up.

    Keys are whatever identifies a client (the HTTP layer uses the peer address); they are
    kept only in memory, never logged, and the least recently seen are dropped beyond
    `max_clients`, so a flood of addresses cannot grow the table without bound."""

    def __init__(self, rate: float, burst: float, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def take(self, client: Hashable, now: float, cost: float = 1.0) -> float:
        """0.0 if `client` may proceed (its tokens are spent), else the seconds until it may."""
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= cost:
            tokens -= cost
        else:
            wait = (cost - tokens) / self.rate if self.rate > 0 else float("inf")
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait
