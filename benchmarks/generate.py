"""Time to generate all units with poaxl vs writing the same cells with bare xlsxwriter (no formats).

    python benchmarks/generate.py [repeats]
Prints seconds per run and the ratio (goal: <= 1.5x).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import xlsxwriter

from poaxl.catalog import load_catalog
from poaxl.generate import write_workbook


def cells_of(path: Path) -> dict[str, list[tuple[int, int, object]]]:
    """Every non-empty cell poaxl wrote (values and formulas), read back once, outside the timing."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows() for c in row
                       if c.value is not None] for ws in wb.worksheets}


def bare(sheets: dict, path: Path) -> None:
    """The same cells with bare xlsxwriter: no formats, merges, protection, validation or print setup."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})  # same I/O mode as poaxl: a fair baseline
    for name, cells in sheets.items():
        ws = wb.add_worksheet(name)
        for r, c, value in cells:
            ws.write(r, c, value)
    wb.close()


def timed(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(repeats: int = 5) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = timed(lambda: [write_workbook(catalog, u, 2, out / f"p{u.code}.xlsx") for u in catalog.units], repeats)
        sheets = [cells_of(out / f"p{u.code}.xlsx") for u in catalog.units]
        raw = timed(lambda: [bare(s, out / f"b{i}.xlsx") for i, s in enumerate(sheets)], repeats)
    print(f"poaxl generate, {len(catalog.units)} units: {ours * 1000:7.1f} ms")
    print(f"bare xlsxwriter, same cells:   {raw * 1000:7.1f} ms  (values only)")
    print(f"ratio: {ours / raw:.2f}x (goal <= 1.5x); {ours / len(catalog.units) * 1000:.1f} ms per unit")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
