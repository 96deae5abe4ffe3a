"""Worker processes for the batch: one function over many items, each result as it is ready.

Not multiprocessing.Pool, for two reasons. Its worker-handler thread waits on the result
pipe too, so at every result it wakes and spins until the result thread has read it: about
0.5 ms of the parent's CPU per leaflet, taken from the workers on a machine with as many cores
as workers (200-330 ms in a batch of 500). And a task whose worker dies (killed for memory, a
crash inside a C library) is never answered: the batch would wait for it forever. Here the
parent has no threads. Each worker has a pipe of its own and two tasks at a time, so that the
next is there when one is done (one at a time near the end, so that the last go to whichever
worker is free first). The parent waits on the pipes and sends the next task where a result
came from. When a worker dies while working on a task (a counter in shared memory says whether
it had started one), that task is reported as Lost; its other tasks go to the others, and
another worker is started while work remains. A worker that dies between tasks loses none.
A worker that cannot be started (fork failing for lack of memory) leaves the work to the
others and is tried again at the next result or death; with nobody left, a few more times,
a little later. When still no worker can be had, or when STILLBORN workers per place in a row
have died before answering any task, every task not done is Lost with the cause.

Tasks must be small (the batch's are a path and its settings): the parent may send a worker its
next task while that worker sends a result, and two large messages at once would wait on each
other (Pool's threads send and receive apart).
"""

from __future__ import annotations

import contextlib
import mmap
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

IN_FLIGHT = 2  # tasks a worker holds at a time
STOP_SECONDS = 5.0  # for a worker to finish after being told to stop, before it is killed
STILLBORN = 3  # per worker: workers in a row dying before any task, after which none is started
HIRE_RETRY_SECONDS = (0.1, 0.5, 2.0)  # waits before trying again when no worker is left


@dataclass(frozen=True)
class Lost:
    """A task whose worker died while working on it, and the worker's exit code (negative:
    the signal that ended it); or, with a ``cause``, a task no worker could be found for."""

    item: Any
    exitcode: int | None
    cause: str | None = None


def run(
    function: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int,
    start: Callable[..., None] | None = None,
    start_arguments: tuple[Any, ...] = (),
) -> Iterator[Any]:
    """``function(item)`` for every item, in ``workers`` processes (each first calls
    ``start(*start_arguments)``), yielded in the order they finish; a Lost in place of an
    item's result when its worker died. Closing the iterator (or an exception at a yield, such
    as Ctrl-C) ends every worker at once."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pending = list(items)
    pending.reverse()  # taken from the end: in the order given
    team: dict[Connection, _Worker] = {}

    stillborn = 0  # workers in a row that ended before answering any task
    failure = ""  # why the last worker could not be had

    def hire() -> None:
        nonlocal failure
        try:
            worker = _Worker(context, function, start, start_arguments)
        except OSError as error:  # fork or pipe: out of memory or processes, for now
            failure = f"no worker process could be started: {error.strerror or error}"
            return
        team[worker.connection] = worker

    def staff() -> None:
        """Bring the team back to strength while tasks wait (a fork that failed is tried again
        at the next result or death); with nobody left, try again a few times, a little later.
        Not after STILLBORN workers per place in a row have died before answering a task."""
        if stillborn >= STILLBORN * workers:
            return
        for _ in range(min(workers - len(team), len(pending))):
            hire()
        for seconds in HIRE_RETRY_SECONDS:
            if team or not pending:
                break
            time.sleep(seconds)
            hire()

    def refill() -> None:
        """The team at strength, then each worker its tasks: all are made before any is fed,
        so that as many tasks as workers go one to each; near the end, one task at a time, so
        that the last go to whichever worker is free first."""
        staff()
        for worker in team.values():
            while worker.alive and pending:
                if len(worker.tasks) >= (IN_FLIGHT if len(pending) > len(team) else 1):
                    break
                worker.give(pending.pop())

    finished = False
    try:
        refill()
        while any(worker.tasks for worker in team.values()):
            for connection in wait([c for c, w in team.items() if w.tasks]):
                worker = team[connection]
                try:
                    result = connection.recv()
                except (EOFError, OSError):  # the worker died: its pipe has no other end
                    del team[connection]
                    held = worker.bury()
                    working = worker.working()
                    pending.extend(reversed(held[1:] if working else held))  # next, for others
                    if working:
                        yield Lost(held[0], worker.process.exitcode)
                    elif not worker.answered:
                        stillborn += 1
                        failure = (
                            f"{stillborn} worker processes in a row ended before doing any work"
                            f" (the last {_ending(worker.process.exitcode)})"
                        )
                    refill()
                    continue
                worker.answered += 1
                stillborn = 0  # work is being done: only deaths in a row stop the hiring
                worker.tasks.pop(0)
                refill()
                yield result
        while pending:  # no worker is left to do them
            yield Lost(pending.pop(), None, failure)
        finished = True
    finally:
        for worker in team.values():
            worker.stop(gently=finished)


def _ending(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by signal {-exitcode}"
    return f"with status {exitcode}"


class _Worker:
    """A worker process, the parent's end of its pipe, and the tasks it holds, in order."""

    def __init__(
        self,
        context: Any,
        function: Callable[[Any], Any],
        start: Callable[..., None] | None,
        start_arguments: tuple[Any, ...],
    ):
        self.started = _Counter(context)  # tasks it has started (no message for each)
        ours, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(theirs, self.started, function, start, start_arguments),
            daemon=True,
        )
        try:
            self.process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the worker holds the only other end: its death ends the pipe
        self.connection: Connection = ours
        self.tasks: list[Any] = []
        self.answered = 0
        self.alive = True

    def working(self) -> bool:
        """Whether it had started a task it has not answered (read once it is dead)."""
        return self.started.value > self.answered

    def give(self, item: Any) -> None:
        self.tasks.append(item)
        try:
            self.connection.send(item)
        except OSError:  # it has died; reading its pipe will say so
            self.alive = False

    def bury(self) -> list[Any]:
        """The tasks it held, in order, once it has ended."""
        self.process.join()
        self.connection.close()
        return self.tasks

    def stop(self, gently: bool) -> None:
        if gently:
            with contextlib.suppress(OSError):  # it has died already
                self.connection.send(None)
            self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


class _Counter:
    """A count a worker keeps and its parent reads, in memory both share: an anonymous shared
    mapping where workers are forked (no file, no import), a RawValue where they are spawned
    (whose first use costs the parent 9 ms of imports)."""

    def __init__(self, context: Any):
        forked = context.get_start_method() == "fork"
        self._shared = mmap.mmap(-1, 8) if forked else context.RawValue("q", 0)

    @property
    def value(self) -> int:
        if isinstance(self._shared, mmap.mmap):
            return int.from_bytes(self._shared[:8], "little")
        return int(self._shared.value)

    @value.setter
    def value(self, count: int) -> None:
        if isinstance(self._shared, mmap.mmap):
            self._shared[:8] = count.to_bytes(8, "little")
        else:
            self._shared.value = count


def _serve(
    connection: Connection,
    started: _Counter,
    function: Callable[[Any], Any],
    start: Callable[..., None] | None,
    start_arguments: tuple[Any, ...],
) -> None:
    """The worker: each task in turn, until told to stop (None). (It would not see its
    parent die: other workers hold the parent's end of its pipe too. The batch's workers ask
    the kernel to end them with their parent, in batch._worker_start.)"""
    if start is not None:
        start(*start_arguments)
    while True:
        try:
            item = connection.recv()
        except EOFError:
            return
        if item is None:
            return
        started.value += 1
        connection.send(function(item))
