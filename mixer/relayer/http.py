"""The relayer's HTTP API (DESIGN.md §10) on aiohttp.

- `GET /v1/status`, `POST /v1/withdrawals`, `GET /v1/withdrawals/{id}`; JSON in and out,
  every refusal `{"error": "<one sentence>"}` with its 4xx;
- a body over 64 KiB is refused (413) before it is read to the end;
- a token bucket per client address (in memory only; no address is ever logged: aiohttp's
  access log is off): a POST costs 1 token, a GET 0.1, so a wallet polling its job is cheap
  and one client flooding junk waits (429, Retry-After) while the others are served;
- admissions (chain reads and a Groth16 check, ~30 ms) run in a small thread pool, and at
  most `max_pending` at once; beyond that the answer is 503, never an unbounded queue.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from mixer.relayer.admission import MAX_BODY, Refused
from mixer.relayer.policy import TokenBuckets
from mixer.relayer.service import Relayer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_BUCKETS = web.AppKey("buckets", TokenBuckets)
GET_COST = 0.1


@dataclass(frozen=True)
class Limits:
    rate: float = 10.0
    """Requests (POSTs) a second per client, on average."""
    burst: float = 40.0
    """Requests a client may make at once after a quiet spell."""
    max_pending: int = 64
    """Admissions in progress at once, over all clients."""
    workers: int = 4


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


@web.middleware
async def _limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    buckets = request.app[_BUCKETS]
    wait = buckets.take(request.remote or "", time.monotonic(), 1.0 if request.method == "POST" else GET_COST)
    if wait > 0:
        return _error(429, "too many requests from this client; retry later", **{
            "Retry-After": str(max(1, math.ceil(wait)))
        })  # fmt: skip
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"the request body is over {MAX_BODY // 1024} KiB")
    except web.HTTPException as exc:  # 404 / 405 of the router, as JSON
        if exc.status >= 400:
            return _error(exc.status, exc.reason)
        raise


def make_app(relayer: Relayer, limits: Limits = Limits()) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[_limits])
    app[_BUCKETS] = TokenBuckets(limits.rate, limits.burst)
    executor = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="relayer-admit")
    pending = [0]

    async def run(fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, fn)

    async def status(request: web.Request) -> web.Response:
        return web.json_response(await run(relayer.status))

    async def post(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, f"the request body is over {MAX_BODY // 1024} KiB")
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return _error(413, f"the request body is over {MAX_BODY // 1024} KiB")
        if pending[0] >= limits.max_pending:
            return _error(503, "the relayer is busy checking other withdrawals; retry shortly", **{
                "Retry-After": "1"
            })  # fmt: skip
        pending[0] += 1
        try:
            code, data = await run(lambda: relayer.admit(body))
        except Refused as exc:
            return _error(exc.status, str(exc))
        finally:
            pending[0] -= 1
        return web.json_response(data, status=code)

    async def job(request: web.Request) -> web.Response:
        found = await run(lambda: relayer.job(request.match_info["id"]))
        if found is None:
            return _error(404, "no such withdrawal job here")
        return web.json_response(found.to_api())

    async def shutdown(_: web.Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    app.router.add_get("/v1/status", status)
    app.router.add_post("/v1/withdrawals", post)
    app.router.add_get("/v1/withdrawals/{id}", job)
    app.on_cleanup.append(shutdown)
    return app


class Server:
    """The HTTP API served on host:port by an event loop in its own thread, with the
    relayer's sending loop: `start()`, `url`, `stop()` (tests, and `serve` below)."""

    def __init__(self, relayer: Relayer, host: str, port: int, limits: Limits = Limits()) -> None:
        self.relayer = relayer
        self.host = host
        self.port = port
        self.limits = limits
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="relayer-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Server:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        self.relayer.start()
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(make_app(self.relayer, self.limits), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            server = site._server
            assert server is not None
            self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.relayer.stop()
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self.relayer.store.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
