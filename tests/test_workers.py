"""The batch's worker processes: every item answered once, and a worker's death is an answer."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

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
