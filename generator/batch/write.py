"""The only place that writes output files.

Each file is written to a temporary name beside its target and renamed into
place, so an interrupted run never leaves a half-written leaflet behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes, *, sync: bool = True, overwrite: bool = True) -> None:
    """Write ``data`` to ``target`` so that it is either all there or not changed.

    ``sync`` waits until the data is on disk, so even a power cut cannot
    leave a renamed but empty file. Without ``overwrite``, a file already at
    ``target`` is never replaced: ``FileExistsError``, even when it appears
    while this one is being written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        if overwrite:
            os.replace(temp, target)
        else:
            _place_new(Path(temp), target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _place_new(temp: Path, target: Path) -> None:
    """Rename ``temp`` to ``target`` only if nothing is there: a hard link fails if it is."""
    exists = FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    try:
        os.link(temp, target)
    except FileExistsError:
        raise exists from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise exists from None
        os.replace(temp, target)
    else:
        temp.unlink()


def remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed run left behind."""
    if folder.is_dir():
        for part in folder.rglob(".*.part"):
            part.unlink(missing_ok=True)
