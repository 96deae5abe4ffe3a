"""The server's collector: renders that overlap in threads leave nothing behind."""

from __future__ import annotations

import gc

from rxleaflet.serve.collector import Collector


def test_a_full_pass_every_so_many_renders(monkeypatch) -> None:
    passes: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: passes.append(generation))
    collector = Collector(every=4)
    for _ in range(10):
        collector.after_render()
    assert passes == [2, 2] and collector.full_passes == 2


def test_objects_promoted_while_renders_overlapped_are_reclaimed() -> None:
    class Node:
        pass

    def cycle() -> Node:
        a, b = Node(), Node()
        a.other, b.other = b, a
        return a

    def left() -> int:
        return sum(isinstance(o, Node) for o in gc.get_objects())

    gc.collect()
    gc.freeze()  # only what this test makes is looked at
    try:
        in_flight = [cycle() for _ in range(500)]  # another render still holds these
        gc.collect(0)  # one render ends (pipeline.build): the others' objects move up
        gc.collect(0)
        del in_flight  # now they end too: garbage in an old generation
        gc.collect(0)
        assert left() == 1000  # the young passes never reach it
        Collector(every=1).after_render()
        assert left() == 0
    finally:
        gc.unfreeze()
