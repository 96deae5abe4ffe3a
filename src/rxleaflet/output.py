"""Write output files atomically: a temporary file beside the target, fsync, then rename."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError


def write_atomic(
    path: Path, data: bytes | Iterable[bytes], *, temporary_folder: Path | None = None
) -> None:
    """Replace ``path`` with ``data`` (bytes, or chunks of bytes written as they come): readers
    see the old file or the new one, never part."""
    path = Path(path)
    _refuse_special(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = temporary_folder or path.parent  # must be on the same file system as path
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = _new_temporary(folder, path.name)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(
            "cannot write here: a part of this path is a file, not a folder", path=path
        ) from None
    except OSError as error:
        raise OutputError(_cannot_write(path.parent, error), path=path) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write file: {error.strerror}", path=path) from None
        raise
    _sync_folder(path.parent)


def _new_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new file of this user's only, ``.NAME.RANDOM.tmp`` in ``folder``, open for writing:
    what tempfile.mkstemp does, without the 6 ms its import costs a cold render. O_EXCL makes
    the name ours alone (never an existing file, nor a planted symbolic link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(folder))


def _refuse_special(path: Path) -> None:
    """A device, pipe or socket is never replaced by a leaflet (as root, ``-o /dev/null`` would
    otherwise swap the device for a regular file)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise OutputError(
            "cannot write here: this is a device or pipe, not a file; give a file name "
            "(or -o - to write the PDF to standard output)",
            path=path,
        )


def _cannot_write(folder: Path, error: OSError) -> str:
    """Why a new file cannot be made in ``folder``, in words that say what to do."""
    if error.errno == errno.ENOENT and folder.is_dir():
        return (
            f"cannot write here: {folder} takes no new files (a system folder such as /proc or "
            "/sys); write to a folder of your own"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write here: no permission to make files in {folder}; choose another folder"
    if error.errno == errno.EROFS:
        return f"cannot write here: {folder} is on a read-only file system; choose another folder"
    return f"cannot write here: {error.strerror}"


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
