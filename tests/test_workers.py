"""The batch's worker processes: every item answered once, and a worker's death is an answer."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from rxleaflet import batch, workers
from rxleaflet.batch import run_batch
from rxleaflet.contract import RenderOptions

from .test_batch import OPTIONS, make_library


def _square(item: int) -> tuple[int, int, int]:
    return item, item * item, os.getpid()


def _dies_at_seven(item: int) -> int:
    if item == 7:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel ends a process out of memory
    return item


def _slow(item: int) -> int:
    time.sleep(0.05)
    return item


def test_every_item_is_answered_once_by_the_workers() -> None:
    results = list(workers.run(_square, range(40), 3))
    assert sorted(item for item, _, _ in results) == list(range(40))
    assert all(square == item * item for item, square, _ in results)
    assert len({pid for _, _, pid in results}) == 3
    assert os.getpid() not in {pid for _, _, pid in results}


def test_as_many_tasks_as_workers_go_one_to_each() -> None:
    """A batch of N leaflets with --jobs N: no worker holds two while another has none."""
    results = list(workers.run(_square, range(3), 3))
    assert len({pid for _, _, pid in results}) == 3


def test_a_worker_that_dies_is_reported_and_the_rest_is_done() -> None:
    """The task it was working on comes back as Lost with the signal; the one it held next is
    done by another worker, and a new worker takes its place."""
    outcomes = list(workers.run(_dies_at_seven, range(30), 2))
    lost = [o for o in outcomes if isinstance(o, workers.Lost)]
    assert lost == [workers.Lost(7, -signal.SIGKILL)]
    assert sorted(o for o in outcomes if not isinstance(o, workers.Lost)) == [
        i for i in range(30) if i != 7
    ]


def _dies_before_its_first_task(marker: Path) -> None:
    """A worker's start: the first worker ever started dies here, holding its tasks."""
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_that_dies_before_a_task_loses_none(tmp_path: Path) -> None:
    """Its tasks had not been started: they go to the others, none is reported Lost."""
    outcomes = list(
        workers.run(_square, range(20), 2, _dies_before_its_first_task, (tmp_path / "died",))
    )
    assert (tmp_path / "died").exists()
    assert sorted(item for item, _, _ in outcomes) == list(range(20))


def _always_dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_workers_that_keep_dying_before_any_task_end_the_run() -> None:
    """No endless hiring: after STILLBORN per place in a row, every task not done is Lost with
    the cause."""
    outcomes = list(workers.run(_square, range(6), 2, _always_dies))
    assert sorted(o.item for o in outcomes) == list(range(6))
    assert {o.exitcode for o in outcomes} == {None}
    (cause,) = {o.cause for o in outcomes}
    deaths, rest = cause.split(" ", 1)
    assert int(deaths) >= workers.STILLBORN * 2
    assert rest == (
        "worker processes in a row ended before doing any work (the last killed by signal 9)"
    )


def _fork_fails(monkeypatch: pytest.MonkeyPatch, failing: set[int]) -> list[int]:
    """Making a worker fails at the attempts numbered in ``failing`` (0 is the first, None in
    the set: every one); the attempts are counted in the list returned."""
    real = workers._Worker
    attempts: list[int] = []

    def worker(*arguments: object) -> workers._Worker:
        attempts.append(len(attempts))
        if None in failing or attempts[-1] in failing:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real(*arguments)

    monkeypatch.setattr(workers, "_Worker", worker)
    monkeypatch.setattr(workers, "HIRE_RETRY_SECONDS", (0.0, 0.0))
    return attempts


def test_a_worker_that_cannot_be_replaced_leaves_the_work_to_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fork_fails(monkeypatch, set(range(2, 1000)))
    outcomes = list(workers.run(_dies_at_seven, range(30), 2))
    assert [o for o in outcomes if isinstance(o, workers.Lost)] == [
        workers.Lost(7, -signal.SIGKILL)
    ]
    assert sorted(o for o in outcomes if not isinstance(o, workers.Lost)) == [
        i for i in range(30) if i != 7
    ]


def test_a_fork_that_failed_once_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second worker cannot be made at first (EAGAIN); it is made at a later result, and
    when a worker dies the work goes on with two (found by a reviewer: one failed fork refused
    every leaflet left once a worker died)."""
    attempts = _fork_fails(monkeypatch, {1})
    outcomes = list(workers.run(_dies_at_seven, range(40), 2))
    assert [o for o in outcomes if isinstance(o, workers.Lost)] == [
        workers.Lost(7, -signal.SIGKILL)
    ]
    assert len(outcomes) == 40
    assert len(attempts) == 4  # the two at the start, the second again, a replacement


def test_no_worker_at_all_makes_every_task_lost_with_the_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts = _fork_fails(monkeypatch, {None})
    outcomes = list(workers.run(_square, range(3), 2))
    cause = "no worker process could be started: Resource temporarily unavailable"
    assert outcomes == [workers.Lost(i, None, cause) for i in range(3)]
    assert len(attempts) == 4  # two, then once after each wait


def test_closing_early_ends_every_worker() -> None:
    results = workers.run(_slow, range(100), 2)
    next(results)
    children = {p.pid for p in multiprocessing.active_children()}
    assert len(children) == 2
    results.close()  # what Ctrl-C at a yield does
    time.sleep(0.1)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def test_a_batch_whose_worker_is_killed_refuses_that_leaflet_and_finishes(
    tmp_path: Path, monkeypatch
) -> None:
    """multiprocessing.Pool would wait forever for a leaflet whose worker was killed (for
    lack of memory, say); the batch names it instead, keeps any earlier PDF of it, and makes
    the others."""
    library = make_library(tmp_path / "in", 6)
    out = tmp_path / "out"
    victim = sorted(library.rglob("*.yaml"))[2]
    real_prepare = batch.prepare

    def prepare(source: Path, options: RenderOptions):  # noqa: ANN202 - as batch.prepare
        if source == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_prepare(source, options)

    run_batch(library, out, OPTIONS, jobs=2)
    earlier = (out / f"{victim.stem}.pdf").read_bytes()
    monkeypatch.setattr(batch, "prepare", prepare)  # the workers fork with it
    result = run_batch(library, out, OPTIONS, jobs=2, force=True)
    refused = [e for e in result.entries if e.status == "refused"]
    assert [e.source for e in refused] == [str(victim)]
    assert refused[0].reasons == [
        f"{victim}: the worker process making this leaflet was killed by signal 9 (perhaps "
        "for lack of memory); nothing was written for it; run the batch again to retry it",
        f"the earlier {victim.stem}.pdf was kept",
    ]
    assert result.count("produced") == 5
    assert (out / f"{victim.stem}.pdf").read_bytes() == earlier


def test_a_batch_that_cannot_start_workers_refuses_and_writes_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fork failing for lack of memory is a refusal of each leaflet, not a crash without a
    manifest."""
    library = make_library(tmp_path / "in", 3)
    out = tmp_path / "out"
    _fork_fails(monkeypatch, {None})
    result = run_batch(library, out, OPTIONS, jobs=2)
    sources = sorted(library.rglob("*.yaml"))
    assert [(e.source, e.status, e.reasons) for e in result.entries] == [
        (
            str(source),
            "refused",
            [
                f"{source}: no worker process could be started: Resource temporarily "
                "unavailable; nothing was written for it; run the batch again to retry it"
            ],
        )
        for source in sources
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["leaflets"]] == ["refused"] * 3
    assert not list(out.glob("*.pdf"))
