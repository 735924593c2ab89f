"""Checking a municipality: 300 filled workbooks, poaxl.check vs a bare openpyxl.load_workbook.

    python benchmarks/check.py [files]
Generates and fills the files programmatically (outside the timing), then prints ms per file for
poaxl.check (1 and 2 jobs) and for openpyxl.load_workbook of the same files, and the ratio
(goal: the whole check faster than a bare load, ratio < 1.0).
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from poaxl.catalog import load_catalog
from poaxl.check import check
from poaxl.generate import generate
from poaxl.layout import SheetLayout, a_key, ref


def make_files(out: Path, count: int) -> list[Path]:
    """Fill each unit's template on plan with openpyxl, then copy it to reach ``count`` files."""
    catalog = load_catalog()
    filled = []
    for template in generate(all_units=True, out=out / "tpl", catalog=catalog):
        wb = openpyxl.load_workbook(template)
        ws = wb.worksheets[0]
        unit = catalog.unit(ws.title)
        layout = SheetLayout.for_unit(unit)
        for i, goal in enumerate(unit.goals):
            for q in (1, 2):
                ws[ref(layout.goal_row(i), a_key(q))] = goal.planned[q - 1]
        path = out / f"filled_{ws.title}.xlsx"
        wb.save(path)
        filled.append(path)
    files = []
    for n in range(count):
        dst = out / "batch" / f"{n:04d}_{filled[n % len(filled)].name}"
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(filled[n % len(filled)], dst)
        files.append(dst)
    return files


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(count: int = 300) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp), count)
        check(files[:6], catalog=catalog)  # warm up imports
        raw = timed(lambda: [openpyxl.load_workbook(f) for f in files])
        ours = timed(lambda: check(files, catalog=catalog))
        two = timed(lambda: check(files, catalog=catalog, jobs=2))
    per = lambda t: t / count * 1000  # noqa: E731
    print(f"{count} files")
    print(f"openpyxl.load_workbook:  {per(raw):6.2f} ms/file  ({raw:.2f} s)")
    print(f"poaxl.check, 1 job:      {per(ours):6.2f} ms/file  ({ours:.2f} s)  ratio {ours / raw:.2f} (goal < 1.0)")
    print(f"poaxl.check, --jobs 2:   {per(two):6.2f} ms/file  ({two:.2f} s)  speed-up {ours / two:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
