"""The only place that writes output files.

Each file is written to a temporary name beside its target and renamed into
place, so an interrupted run never leaves a half-written leaflet behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to ``target`` so that it is either all there or not changed.

    ``sync`` waits until the data is on disk, so even a power cut cannot
    leave a renamed but empty file.
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
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed run left behind."""
    if folder.is_dir():
        for part in folder.rglob(".*.part"):
            part.unlink(missing_ok=True)
