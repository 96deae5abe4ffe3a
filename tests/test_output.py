"""Atomic output: readers see the old file or the new one, never part of one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rxleaflet.errors import OutputError
from rxleaflet.output import write_atomic


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "x.pdf"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["x.pdf"]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_keeps_old_file_and_leaves_no_temporary(tmp_path: Path, monkeypatch, failure):
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old")

    def broken_replace(*_args):
        raise failure

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises((OutputError, KeyboardInterrupt)) as caught:
        write_atomic(target, b"new")
    if isinstance(failure, OSError):
        assert str(caught.value) == f"{target}: cannot write file: No space left on device"
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write here"):
        write_atomic(blocker / "x.pdf", b"data")
