"""Checking a municipality: how close `poaxl check` runs to the speed of the file.

    python benchmarks/check.py [forms]          (default 300)

Fills each unit's form on plan (outside the timing) and copies it to reach ``forms`` files, then
measures in the same run, each the best of five interleaved rounds, in CPU time of this process (a
shared machine's other work does not count; --jobs 2 is measured in wall time, as a user waits):
- poaxl.check (1 job and --jobs 2),
- a bare openpyxl.load_workbook of the same files (what poaxl used to build on),
- python-calamine reading the values of the same sheets (poaxl's value reader, alone),
- the floor: opening the zip and parsing the sheet parts with expat, no handlers, and the same with a
  do-nothing Python handler called for every element (the least an expat-callback reader pays);
the same on forms as LibreOffice saves them (examples/2020-T2, with their findings: what coordinators send
is saved by Excel or LibreOffice, which write every formatted empty cell and a shared strings table), then the
cost per goal at 20, 200 and 1,500 goals, and `poaxl check one.xlsx` as a new process
against `python -c "import click"` (CPU time of each finished process, median of 15; both run by one
temporary venv where this checkout is installed, not editable: see installed_python).
Goals (issue 13): check <= 0.10x openpyxl, <= 3x the floor; one file end to end <= 2.0x click.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.parsers import expat

import openpyxl
import python_calamine
import timing  # benchmarks/timing.py, beside this script

from poaxl.catalog import Catalog, Goal, load_catalog
from poaxl.check import check
from poaxl.generate import generate
from poaxl.layout import SheetLayout, a_key, ref
from poaxl.read import read_book

ROUNDS = 5
OPENPYXL_SAMPLE = 60


def fill(template: Path, catalog: Catalog, out: Path) -> Path:
    """The template with every A up to the quarter equal to its P (a clean answer)."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    unit = catalog.unit(ws.title)
    layout = SheetLayout.for_unit(unit)
    for i, goal in enumerate(unit.goals):
        for q in range(1, catalog.quarter + 1):
            ws[ref(layout.goal_row(i), a_key(q))] = goal.planned[q - 1]
    wb.save(out)
    return out


def make_files(out: Path, count: int, catalog: Catalog) -> list[Path]:
    filled = [fill(t, catalog, out / f"filled_{t.stem}.xlsx")
              for t in generate(all_units=True, out=out / "tpl", catalog=catalog)]
    (out / "batch").mkdir()
    files = []
    for n in range(count):
        src = filled[n % len(filled)]
        files.append(Path(shutil.copy(src, out / "batch" / f"{n:04d}_{src.name}")))
    return files


def floor(files: list[Path]) -> None:
    """Zip + expat over the sheet parts: what any reader must at least pay."""
    for f in files:
        with zipfile.ZipFile(f) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    expat.ParserCreate().Parse(z.read(name), True)


def one_call_per_element(files: list[Path]) -> None:
    """The floor plus the least a Python reader built on expat pays: a call of a do-nothing handler for
    every element of the sheet parts, its attributes given as expat's list (the cheaper form, which poaxl's
    reader uses). Most of it is not the call: with a start handler set, pyexpat makes a Python string of
    every attribute's name and value of every element; a compiled (Cython) do-nothing handler measured
    2.0x the floor against this one's 2.3x."""
    nothing = lambda name, attrs: None  # noqa: E731
    for f in files:
        with zipfile.ZipFile(f) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    p = expat.ParserCreate()
                    p.ordered_attributes = True
                    p.StartElementHandler = nothing
                    p.Parse(z.read(name), True)


def calamine(files: list[Path]) -> None:
    for f in files:
        wb = python_calamine.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "2020-T2"


def libreoffice_files(out: Path, count: int) -> list[Path]:
    """The examples (filled and saved by a real LibreOffice) copied to reach ``count`` files."""
    examples = sorted(EXAMPLES.glob("*.xlsx"))
    out.mkdir()
    return [Path(shutil.copy(examples[n % len(examples)], out / f"{n:04d}_{examples[n % len(examples)].name}"))
            for n in range(count)]


def best(jobs: dict, rounds: int = ROUNDS, **options) -> dict[str, float]:
    return timing.best(jobs, rounds, **options)


def wide_catalog(catalog: Catalog, goals: int) -> Catalog:
    """The built-in catalog reduced to unit 003 with ``goals`` goals (its own, repeated and renumbered)."""
    unit = catalog.unit("003")
    made = []
    for i in range(goals):
        g = unit.goals[i % len(unit.goals)]
        made.append(Goal(g.la, f"{i // 10 + 1}" if i % 10 == 0 else f"{i // 10 + 1}.{i % 10}", g.text, g.measure,
                         g.meta, g.planned, g.aggregation))
    return dataclasses.replace(catalog, units=(dataclasses.replace(unit, goals=tuple(made)),))


def per_goal(tmp: Path, catalog: Catalog, sizes=(20, 200, 1500), copies: int = 20) -> dict[int, float]:
    out = {}
    for n in sizes:
        cat = wide_catalog(catalog, n)
        template = generate(["003"], out=tmp / f"g{n}", catalog=cat)[0]
        one = fill(template, cat, tmp / f"g{n}.xlsx")
        files = [Path(shutil.copy(one, tmp / f"g{n}_{k}.xlsx")) for k in range(copies)]
        seconds = best({"c": lambda: check(files, catalog=cat)}, clock=time.process_time)["c"]
        out[n] = seconds / copies / n * 1000
    return out


def installed_python(tmp: Path) -> str:
    """The python of a new venv where this checkout is installed as a user installs it (a copy, not an
    editable install: an editable finder costs both commands ~16 ms at start-up and flatters the ratio).
    Its dependencies are this interpreter's, reached by a .pth line (whose own .pth files are not run)."""
    import click
    import venv

    venv.create(tmp, with_pip=False)
    python = tmp / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", site, str(Path(__file__).resolve().parent.parent)], check=True)
    (site / "dependencies.pth").write_text(str(Path(click.__file__).resolve().parent.parent) + "\n")
    return str(python)


def process_cpu(argv: list[str], pycache: str, runs: int = 15) -> tuple[float, float]:
    """Median CPU seconds (user + system) and median wall seconds of a new process.

    Bytecode is cached in ``pycache`` (even under PYTHONDONTWRITEBYTECODE) as ``pip install`` compiles it:
    without it every run would compile poaxl's modules, which no installed user pays."""
    cpu, wall = [], []
    os.makedirs(pycache, exist_ok=True)
    env = {**os.environ, "PYTHONPYCACHEPREFIX": pycache}
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "POAXL_CATALOG"):
        env.pop(name, None)
    for _ in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                cwd=pycache)  # not the checkout: its poaxl/ would come first on sys.path
        _, _, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpu[1:]), statistics.median(wall[1:])  # the first run warms the caches


def main(count: int = 300) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = make_files(tmp, count, catalog)
        check(files[:6], catalog=catalog)  # imports and caches warm
        sample = files[:OPENPYXL_SAMPLE]  # openpyxl is ~30x slower: a sample keeps the run short
        rounds = timing.each_round({
            "poaxl": lambda: check(files, catalog=catalog),
            "read": lambda: [read_book(f) for f in files],
            "openpyxl": lambda: [openpyxl.load_workbook(f) for f in sample],
            "calamine": lambda: calamine(files),
            "floor": lambda: floor(files),
            "calls": lambda: one_call_per_element(files),
        }, ROUNDS, clock=time.process_time)
        ms = {k: min(v) / (len(sample) if k == "openpyxl" else count) * 1000 for k, v in rounds.items()}
        paired = statistics.median(a / b for a, b in zip(rounds["poaxl"], rounds["floor"]))
        saved = libreoffice_files(tmp / "libreoffice", count)
        lo_rounds = timing.each_round({
            "poaxl": lambda: check(saved, catalog=catalog),
            "read": lambda: [read_book(f) for f in saved],
            "floor": lambda: floor(saved),
            "calls": lambda: one_call_per_element(saved),
        }, ROUNDS, clock=time.process_time)
        lo = {k: min(v) / count * 1000 for k, v in lo_rounds.items()}
        lo_paired = statistics.median(a / b for a, b in zip(lo_rounds["poaxl"], lo_rounds["floor"]))
        wall = best({"one": lambda: check(files, catalog=catalog), "jobs2": lambda: check(files, catalog=catalog, jobs=2)})
        one, two = wall["one"], wall["jobs2"]
        goals = per_goal(tmp, catalog)
        pycache = str(tmp / "pycache")
        python = installed_python(tmp / "venv")  # both commands: the same interpreter, poaxl installed
        ours_cpu, ours_wall = process_cpu([python, "-m", "poaxl", "check", str(files[0])], pycache)
        click_cpu, click_wall = process_cpu([python, "-c", "import click"], pycache)
    print(f"{count} filled forms, best of {ROUNDS} interleaved rounds, CPU time of this process "
          f"(openpyxl on the first {len(sample)})")
    for name, label in (("poaxl", "poaxl.check, 1 job"), ("openpyxl", "bare openpyxl.load_workbook"),
                        ("calamine", "python-calamine, values only"), ("floor", "floor: zip + expat, sheet parts")):
        print(f"  {label:34} {ms[name]:7.3f} ms/form")
    print(f"    of which reading (poaxl.read.read_book) {ms['read']:.3f} ms = {ms['read'] / ms['floor']:.2f}x the floor; "
          f"the rules {ms['poaxl'] - ms['read']:.3f} ms")
    print(f"    the floor with a do-nothing Python call per element {ms['calls']:.3f} ms = "
          f"{ms['calls'] / ms['floor']:.2f}x the floor (what any expat-callback reader pays first)")
    print(f"  poaxl / openpyxl  {ms['poaxl'] / ms['openpyxl']:.3f}x   (goal <= 0.10x)")
    print(f"  poaxl / floor     {ms['poaxl'] / ms['floor']:.2f}x    (goal <= 3x; the median of the rounds' own "
          f"ratios: {paired:.2f}x)")
    print(f"  poaxl / calamine  {ms['poaxl'] / ms['calamine']:.2f}x")
    print(f"  forms saved by LibreOffice (examples/2020-T2, findings included): check {lo['poaxl']:.3f} ms/form, "
          f"reading {lo['read']:.3f}, floor {lo['floor']:.3f}; poaxl / floor {lo['poaxl'] / lo['floor']:.2f}x "
          f"(median of the rounds' own ratios: {lo_paired:.2f}x); the floor with a do-nothing call per element "
          f"{lo['calls'] / lo['floor']:.2f}x")
    print(f"  wall time: one job {one / count * 1000:.3f} ms/form; --jobs 2 {two / count * 1000:.3f} ms/form, "
          f"{one / two:.2f}x one job; 3,000 forms ~ {two / count * 3000:.1f} s (goal <= 3 s)")
    print("  cost per goal: " + ", ".join(f"{n:,} goals {v:.3f} ms" for n, v in goals.items()))
    print(f"poaxl check one.xlsx (new process): {ours_cpu * 1000:.0f} ms CPU, {ours_wall * 1000:.0f} ms wall")
    print(f"python -c 'import click':           {click_cpu * 1000:.0f} ms CPU, {click_wall * 1000:.0f} ms wall")
    print(f"  ratio {ours_cpu / click_cpu:.2f}x CPU, {ours_wall / click_wall:.2f}x wall (goal <= 2.0x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
