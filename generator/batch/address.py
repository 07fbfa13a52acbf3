"""What ``--cluster`` accepts: a Dask scheduler's address, or ``local:N``.

Apart from the Dask backend itself, so that checking an address loads no Dask.
"""

from __future__ import annotations

LOCAL = "local:"


def parse_address(text: str) -> str | int:
    """A scheduler address as given, or the number of workers for ``local:N``.
    Raises ``ValueError`` with what is wrong."""
    if text.startswith(LOCAL):
        count = text.removeprefix(LOCAL)
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"'{text}': after 'local:' give the number of worker processes, such as local:4")
        return int(count)
    if not text.strip():
        raise ValueError("give a Dask scheduler address, such as tcp://10.0.0.5:8786, or local:N")
    return text
