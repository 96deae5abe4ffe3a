"""HTTP/1.1 with a deadline for the request head.

uvicorn bounds idle keep-alive connections and the shield bounds the time to read a body, but
nothing bounds the request line and headers: a client sending one byte every few seconds holds
a connection (and a file descriptor) for as long as it likes. This protocol closes a connection
whose request head is not complete ``HEAD_SECONDS`` after the connection opened or the previous
response ended.
"""

from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 10.0
LOG = logging.getLogger("rxleaflet.serve")


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request's line and headers."""

    head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in (h11.SEND_BODY, h11.DONE):  # the head has arrived
            self._disarm_head_deadline()

    def on_response_complete(self) -> None:
        self._arm_head_deadline()  # before the next request's events are handled
        super().on_response_complete()

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self.head_deadline = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            LOG.info("closed a connection whose request head took over %.0f s", HEAD_SECONDS)
            self.transport.close()
