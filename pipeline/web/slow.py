"""Slow clients: one that sends its request a byte at a time must not hold the server.

uvicorn bounds the size of a request head (``h11_max_incomplete_event_size``), the idle
time between requests (``timeout_keep_alive``) and the connections it serves at once
(``limit_concurrency``, then 503), but not the time a request head takes to arrive: a
client sending one byte a second would keep its connection for ever, and enough of them
would fill ``limit_concurrency``. ``HeadTimeout`` closes a connection whose request head
is not complete ``HEAD_SECONDS`` after it began; the body's pace is bounded in the app
(``app.Limits``: ``BODY_IDLE_SECONDS`` between two parts, at least ``BODY_MIN_RATE`` bytes a
second after ``BODY_GRACE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 10.0
BODY_IDLE_SECONDS = 10.0
BODY_GRACE_SECONDS = 10.0
BODY_MIN_RATE = 500  # bytes a second: 20 MB, the largest upload, in 11 hours; a byte a second is refused
MAX_HEAD_BYTES = 32 * 1024  # a request line and headers (cookies included) are a few kB
# At once; more get 503. Every center of the country (878) may press submit in the same second of a
# deadline (the 878-center rush of `make bench-scale` got 503 at 400); a waiting connection costs little:
# requests wait for the thread pool, slow ones are cut by HeadTimeout and app.Limits.
MAX_CONNECTIONS = 2000
KEEP_ALIVE_SECONDS = 5


def allow_connections() -> None:
    """Raise this process's open-file limit to what MAX_CONNECTIONS needs, if the system allows: many
    systems start a process with 1024, and each connection is a file descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + 500  # the database, answer files, pipes to the workers
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
            )


SERVER_OPTIONS: dict[str, Any] = {
    "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    "limit_concurrency": MAX_CONNECTIONS,
    "timeout_keep_alive": KEEP_ALIVE_SECONDS,
}


class HeadTimeout(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head takes over HEAD_SECONDS."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a new request begins (after a keep-alive pause): its head is timed
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
