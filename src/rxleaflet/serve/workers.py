"""Several server processes on one port: one listening socket, shared by forked workers.

uvicorn's own ``--workers`` makes its socket with protocol 0, and asyncio sets TCP_NODELAY
only on connections accepted from a socket whose protocol is IPPROTO_TCP: every response then
waited ~40 ms for a delayed ACK. The socket made here names its protocol, and is given to
``uvicorn.Server`` in each forked worker. Workers
are told to die with the parent; SIGTERM/SIGINT are passed on for a graceful stop, SIGHUP for
a library reload.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


GRACE_SECONDS = 10  # after SIGTERM: renders in flight finish, then the server stops regardless
KEEP_ALIVE_SECONDS = 5  # an idle connection is closed after this


def server_options(tls_cert: Path | None = None, tls_key: Path | None = None) -> dict[str, Any]:
    """uvicorn's settings for every server process: bounded shutdown, idle time and request head
    (the body's time is the shield's), no access log (the shield logs one line per request,
    without queries), TLS when given."""
    from .protocol import HeadDeadlineProtocol

    options: dict[str, Any] = {
        "http": HeadDeadlineProtocol,
        "access_log": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": GRACE_SECONDS,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": 16 * 1024,  # request line and headers
    }
    if tls_cert is not None and tls_key is not None:
        options |= {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)}
    return options


def run(app: Any, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Serve ``app`` from ``workers`` forked processes; return when they have all stopped."""
    import uvicorn

    sock = listening_socket(host, port)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            _die_with_parent()
            config = uvicorn.Config(app, **options)
            server = uvicorn.Server(config)
            server.run(sockets=[sock])
            os._exit(0)
        children.append(pid)
    sock.close()

    def forward(signum: int, _frame: Any) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGHUP, forward)  # each worker reloads its library
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
