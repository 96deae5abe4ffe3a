"""Read input files safely: regular files only, never more than a stated number of bytes.

A FIFO, a device such as /dev/zero or a folder given where a file is expected is refused at
once (opening never blocks), and a file over its limit is refused without reading it all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import LeafletError


class FileRefused(Exception):
    """The file is not one rxleaflet will read; the message says why, after "the file"."""


class NotRegularFile(FileRefused):
    pass


class FileTooLarge(FileRefused):
    pass


def read_regular_file(path: Path, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path``; FileRefused for a non-regular or over-large file, else OSError."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise NotRegularFile(f"is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(
                f"is not a regular file (a device, pipe or socket); give a {what} on disk"
            )
        if info.st_size > limit:
            raise FileTooLarge(_too_large(info.st_size, limit, what))
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # grew while being read
            raise FileTooLarge(_too_large(len(data), limit, what))
        return data
    finally:
        os.close(descriptor)


def read_or_refuse(
    path: Path, limit: int, *, what: str, error: type[LeafletError] = LeafletError
) -> bytes:
    """``read_regular_file``, with a refusal (``error``, naming the file) in its place:
    "the file is a folder, not a …", "cannot read file: No such file or directory"."""
    try:
        return read_regular_file(path, limit, what=what)
    except FileRefused as refused:
        raise error(f"the file {refused}", path=path) from None
    except OSError as failure:
        raise error(f"cannot read file: {failure.strerror}", path=path) from None


def _too_large(size: int, limit: int, what: str) -> str:
    return f"is {size:,} bytes; the limit for a {what} is {limit:,} bytes"
