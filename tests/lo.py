"""Drive a real LibreOffice from the tests (and from examples/make_examples.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")


def uno_python() -> str | None:
    """A Python that can ``import uno`` (Debian's python3-uno lives in the system Python)."""
    if not shutil.which("soffice"):
        return None
    for exe in UNO_PYTHONS:
        if os.path.exists(exe) and subprocess.run([exe, "-c", "import uno"], capture_output=True).returncode == 0:
            return exe
    return None


def fill(jobs: list[dict], timeout: int = 300) -> None:
    """Run jobs (see tests/uno_fill.py) in one headless LibreOffice session."""
    exe = uno_python()
    if exe is None:
        raise RuntimeError("LibreOffice with its Python UNO bridge is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump([{k: str(v) if isinstance(v, Path) else v for k, v in j.items()} for j in jobs], fh)
    try:
        subprocess.run([exe, str(HERE / "uno_fill.py"), fh.name], check=True, timeout=timeout,
                       env={**os.environ, "PYTHONPATH": ""})
    finally:
        os.unlink(fh.name)


def to_pdf(xlsx: Path, outdir: Path) -> Path:
    """Convert with ``soffice --convert-to pdf``, the way an office would print it."""
    profile = tempfile.mkdtemp(prefix="poaxl-lo-pdf-")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / (xlsx.stem + ".pdf")


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def to_pdfs(files: list[Path], outdir: Path) -> dict[Path, Path]:
    """Convert many workbooks with one ``soffice`` run (starting LibreOffice is the slow part)."""
    profile = tempfile.mkdtemp(prefix="poaxl-lo-pdf-")
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=600)
    shutil.rmtree(profile, ignore_errors=True)
    return {f: outdir / (f.stem + ".pdf") for f in files}


def pdf_words(pdf: Path) -> list[list[tuple[str, float]]]:
    """Per page, every word with its height in points (``pdftotext -bbox``)."""
    import html
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(html.unescape(m.group(3)), float(m.group(2)) - float(m.group(1)))
                      for m in re.finditer(r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>',
                                           page)])
    return pages
