"""Atomic writes: a file the user sees is either the old one, or the complete new one."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import PoaxlError
from .findings import text


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc).

    Elsewhere it is read by setting and restoring it, which is what every library does.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds.

    The temporary file lives in the same directory so the final ``os.replace`` is atomic.
    With ``overwrite=False`` an existing target is never replaced (checked again at the end).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a shared folder needs the umask's mode
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if overwrite:
            os.replace(tmp_path, target)
        else:
            try:
                os.link(tmp_path, target)  # fails if target appeared meanwhile: never clobber
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if target.exists():
                    raise FileExistsError(target) from None
                os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def workbook_out(out: str | Path, force: bool) -> Path:
    """The .xlsx a command will write, refused before any work when it is not .xlsx or exists (unless forced)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise PoaxlError(text("out-not-xlsx", path=out))
    if out.exists() and not force:
        raise PoaxlError(text("out-exists", path=out))
    return out


def folder_out(out: str | Path, force: bool) -> Path:
    """The folder a command will fill, refused when it exists and is not empty (unless forced)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise PoaxlError(text("out-not-empty", path=out))
    return out
