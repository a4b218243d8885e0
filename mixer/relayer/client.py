"""The wallet's side of a relayer's HTTP API (DESIGN.md §10), over requests.

A relayer is not trusted: its answers are read with `mixer.jsonsafe` bounds (1 MiB, 64
levels) and every field the wallet uses is type-checked, so a hostile or broken relayer is
one `RelayerError` sentence. What it could do anyway is refuse or drop a withdrawal; it
cannot redirect funds or raise its fee, which the proof binds.

`proxy` sends the HTTP calls through a proxy (`socks5h://127.0.0.1:9050` for a local Tor,
name resolution included; `http://...`), since the relayer otherwise sees the wallet's IP.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import requests
from eth_utils.address import is_address, to_checksum_address

from mixer import jsonsafe
from mixer.errors import MixerError
from mixer.extdata import base_units

MAX_ANSWER: Final = 1 << 20
STATUSES: Final = ("queued", "sent", "confirmed", "failed")
FINAL: Final = ("confirmed", "failed")
_JOB_ID: Final = re.compile(r"0x[0-9a-f]{64}")


class RelayerError(MixerError):
    """A relayer that cannot be reached, refused a withdrawal, or answered nonsense."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PoolTerms:
    pool: str
    currency: str
    denomination: int
    fee: int


@dataclass(frozen=True)
class RelayerStatus:
    chain_id: int
    relayer: str
    pools: tuple[PoolTerms, ...]
    batch_size: int
    max_wait: float
    queued: int
    healthy: bool
    problems: tuple[str, ...]

    def terms(self, pool: str) -> PoolTerms | None:
        return next((p for p in self.pools if p.pool.lower() == pool.lower()), None)


@dataclass(frozen=True)
class JobState:
    id: str
    status: str
    tx_hash: str | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "txHash": self.tx_hash, "error": self.error}


def _field(data: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RelayerError(f"the relayer's answer has no valid {key!r}")
    return value


def _amount(data: dict[str, Any], key: str) -> int:
    value = base_units(_field(data, key, str))
    if value is None:
        raise RelayerError(f"the relayer's answer has no valid {key!r}")
    return value


def _address(data: dict[str, Any], key: str) -> str:
    value = _field(data, key, str)
    if not is_address(value):
        raise RelayerError(f"the relayer's answer has no valid {key!r}")
    return str(to_checksum_address(value))


def _job(data: dict[str, Any]) -> JobState:
    job_id = _field(data, "id", str).lower()
    status = _field(data, "status", str)
    if not _JOB_ID.fullmatch(job_id) or status not in STATUSES:
        raise RelayerError("the relayer's answer is not a withdrawal job")
    tx_hash, error = data.get("txHash"), data.get("error")
    return JobState(
        job_id,
        status,
        tx_hash if isinstance(tx_hash, str) and len(tx_hash) <= 66 else None,
        error[:500] if isinstance(error, str) else None,
    )


class RelayerClient:
    """Calls to one relayer at `url` (e.g. http://127.0.0.1:8700)."""

    def __init__(self, url: str, *, proxy: str | None = None, timeout: float = 60) -> None:
        if not url.startswith(("http://", "https://")):
            raise RelayerError(f"the relayer URL must be http(s)://..., not {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # only the proxy asked for, never one from the environment
        if proxy is not None:
            if not proxy.startswith(("socks5://", "socks5h://", "socks4://", "http://", "https://")):
                raise RelayerError(f"--proxy must be socks5h://HOST:PORT or http://HOST:PORT, not {proxy!r}")
            self.session.proxies = {"http": proxy, "https": proxy}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        try:
            with self.session.request(
                method, self.url + path, json=body, timeout=self.timeout, stream=True
            ) as answer:
                raw = answer.raw.read(MAX_ANSWER + 1, decode_content=True)
                code = answer.status_code
        except requests.exceptions.InvalidSchema as exc:  # socks:// without PySocks installed
            raise RelayerError(f"cannot use this proxy: {exc}") from None
        except requests.RequestException as exc:
            raise RelayerError(f"cannot reach the relayer at {self.url}: {type(exc).__name__}") from None
        try:
            data = jsonsafe.loads(raw, what="the relayer's answer", max_bytes=MAX_ANSWER)
        except jsonsafe.UntrustedJSONError:
            raise RelayerError(f"the relayer at {self.url} answered no JSON (HTTP {code})", code) from None
        if not isinstance(data, dict):
            raise RelayerError(f"the relayer at {self.url} answered something else than an object", code)
        if code >= 400:
            error = data.get("error")
            reason = error[:500] if isinstance(error, str) else f"HTTP {code}"
            raise RelayerError(f"the relayer refused: {reason}", code)
        return code, data

    def status(self) -> RelayerStatus:
        _, data = self._call("GET", "/v1/status")
        pools = []
        for entry in _field(data, "pools", list):
            if not isinstance(entry, dict):
                raise RelayerError("the relayer's answer has no valid 'pools'")
            pools.append(
                PoolTerms(
                    _address(entry, "pool"),
                    str(_field(entry, "currency", str))[:20],
                    _amount(entry, "denomination"),
                    _amount(entry, "fee"),
                )
            )
        problems = data.get("problems")
        problems = problems if isinstance(problems, list) else []
        return RelayerStatus(
            chain_id=_field(data, "chainId", int),
            relayer=_address(data, "relayer"),
            pools=tuple(pools),
            batch_size=_field(data, "batchSize", int),
            max_wait=float(_field(data, "maxWaitSeconds", (int, float))),
            queued=_field(data, "queued", int),
            healthy=data.get("healthy") is not False,
            problems=tuple(p[:300] for p in problems if isinstance(p, str)),
        )

    def submit(self, *, pool: str, record: bytes, recipient: str, fee: int, refund: int) -> JobState:
        """Post a record; the job (queued, or as it stands if this record was posted before)."""
        body = {
            "pool": pool,
            "record": "0x" + record.hex(),
            "recipient": recipient,
            "fee": str(fee),
            "refund": str(refund),
        }
        _, data = self._call("POST", "/v1/withdrawals", body)
        return _job(data)

    def job(self, job_id: str) -> JobState:
        _, data = self._call("GET", f"/v1/withdrawals/{job_id}")
        return _job(data)

    def follow(
        self,
        job_id: str,
        *,
        on_change: Callable[[JobState], None] = lambda job: None,
        timeout: float = 600,
        poll: float = 1.0,
    ) -> JobState:
        """Poll the job until it is confirmed or failed (or `timeout` seconds pass: the last
        state seen). `on_change` sees each new state."""
        deadline = time.monotonic() + timeout
        seen: JobState | None = None
        while True:
            job = self.job(job_id)
            if job != seen:
                on_change(job)
                seen = job
            if job.status in FINAL or time.monotonic() >= deadline:
                return job
            time.sleep(poll)
