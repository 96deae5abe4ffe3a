"""Several server processes on one port: one listening socket, shared by forked workers.

uvicorn's own ``--workers`` makes its socket with protocol 0, and asyncio sets TCP_NODELAY
only on connections accepted from a socket whose protocol is IPPROTO_TCP: every response then
waited ~40 ms for a delayed ACK. The socket made here names its protocol, and is given to
``uvicorn.Server`` in each forked worker. Workers
are told to die with the parent, and SIGTERM/SIGINT are passed on for a graceful stop.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
from typing import Any


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(app: Any, host: str, port: int, workers: int) -> None:
    """Serve ``app`` from ``workers`` forked processes; return when they have all stopped."""
    import uvicorn

    sock = listening_socket(host, port)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            _die_with_parent()
            config = uvicorn.Config(app, access_log=False, log_level="warning")
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
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
