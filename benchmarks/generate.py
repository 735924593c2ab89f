"""Time to generate all units with poaxl vs writing the same cells with bare xlsxwriter (no formats).

    python benchmarks/generate.py [repeats]
Prints milliseconds per run (best of ``repeats`` interleaved rounds) and the ratio (goal: <= 1.5x),
then where poaxl's time goes (one profiled run): poaxl's own code (layout, formats, row heights),
xlsxwriter (the form's features and its XML), and the standard library (zlib, files, re).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import openpyxl
import xlsxwriter
from timing import best  # benchmarks/timing.py, beside this script

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




def split(fn) -> dict[str, float]:
    """Share of the run's own time by where the code lives (cProfile's tottime)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(fn)
    shares = {"poaxl": 0.0, "xlsxwriter": 0.0, "standard library": 0.0}
    for (file, _line, _fn), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():
        key = "poaxl" if "/poaxl/" in file else "xlsxwriter" if "/xlsxwriter/" in file else "standard library"
        shares[key] += own
    total = sum(shares.values())
    return {k: v / total for k, v in shares.items()}


def main(repeats: int = 5) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run = lambda: [write_workbook(catalog, u, 2, out / f"p{u.code}.xlsx") for u in catalog.units]  # noqa: E731
        run()
        sheets = [cells_of(out / f"p{u.code}.xlsx") for u in catalog.units]
        t = best({"ours": run, "raw": lambda: [bare(s, out / f"b{i}.xlsx") for i, s in enumerate(sheets)]}, repeats)
        shares = split(run)
    ours, raw = t["ours"], t["raw"]
    print(f"poaxl generate, {len(catalog.units)} units: {ours * 1000:7.1f} ms")
    print(f"bare xlsxwriter, same cells:   {raw * 1000:7.1f} ms  (values only)")
    print(f"ratio: {ours / raw:.2f}x (goal <= 1.5x); {ours / len(catalog.units) * 1000:.1f} ms per unit")
    print("where poaxl's time goes (profiled): " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
