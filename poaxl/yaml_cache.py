"""A cache of big YAML files already read by safeyaml's fast path, for the next command that reads them.

An office checks the same 10,000-unit catalog many times: the second read of an unchanged file skips
libyaml's syntax pass, rapidyaml and the fast path's proofs, and reads the JSON they produced (~0.3 s
instead of ~1 s). An entry is named by the sha256 of the file's bytes (and of this cache's format), so
an edited file never meets an old entry; entries live in ``$XDG_CACHE_HOME/poaxl/yaml`` (``~/.cache``),
are written atomically with the umask's permissions, and are untrusted when read back: an entry starts
with the sha256 of its JSON, and anything but a regular file whose JSON matches it is ignored (the YAML
file is then read again). Files under ``MIN_BYTES`` are not
cached (they read in a tenth of a second); only the ``ENTRIES`` newest entries are kept.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

MIN_BYTES = 1_000_000
ENTRIES = 8
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # JSON of a YAML file at safeyaml's 64 MB limit, with room
FORMAT = b"poaxl fast yaml 1\0"  # change it when the fast path's rules change: older entries are then unused


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "poaxl" / "yaml"


def key(data: bytes) -> str | None:
    """The entry name for a file of these bytes; None for a file too small to be worth an entry."""
    if len(data) < MIN_BYTES:
        return None
    return hashlib.sha256(FORMAT + data).hexdigest() + ".json"


def read(name: str | None) -> str | None:
    """The JSON stored under ``name``, or None (no entry, not a regular file, unreadable, not UTF-8)."""
    if name is None:
        return None
    try:  # without blocking: a FIFO put in an entry's place would wait forever for a writer
        fd = os.open(folder() / name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with open(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                return None
            stored = fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    digest, _, body = stored.partition(b"\n")
    if digest.decode("ascii", "replace") != hashlib.sha256(body).hexdigest():
        return None  # damaged (or not ours): ignored
    return body.decode("utf-8")


def write(name: str | None, text: str) -> None:
    """Store ``text`` under ``name`` and drop the oldest entries; a cache that cannot be written is no cache."""
    if name is None:
        return
    from .files import atomic_path

    try:
        body = text.encode("utf-8")
        with atomic_path(folder() / name, overwrite=True) as tmp:
            tmp.write_bytes(hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body)
        entries = sorted(folder().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[ENTRIES:]:
            with contextlib.suppress(OSError):
                old.unlink()
    except OSError:
        pass
