"""Generating a municipality's forms: how much poaxl adds to the library that writes them.

    python benchmarks/generate.py [repeats]

The baseline is bare xlsxwriter doing the same job: every call poaxl makes on xlsxwriter (cells,
formats, merges, validation, conditional formats, comments, row heights, columns, print setup,
protection, the metadata sheet) is recorded once, outside the timing, and written out as a
straight-line xlsxwriter program with literal arguments (what a script written by hand for these
forms would run), compiled, and run in the timing. What poaxl adds on top is its own work:
the layout, measuring the texts for the row heights, the page breaks, letting the goal rows grow.

Prints CPU milliseconds per run of all units (best of ``repeats`` interleaved rounds; CPU time, as
the 2-core machine is shared; the garbage collector paused as timeit does and run between the jobs)
for poaxl, the replay and xlsxwriter writing the same cell values with nothing else; the ratio
poaxl / replay (goal of issue 13: <= 1.5x) as the median of each round's ratio; and the split of
poaxl's time: the values, the form's features (replay minus values; each feature by taking its
calls away), poaxl's own work (poaxl minus replay), of which measuring the texts and breaking
the pages (timed alone).
"""
from __future__ import annotations

import copy
import gc
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import CodeType
from typing import Any, Callable

import openpyxl
import xlsxwriter
from timing import each_round  # benchmarks/timing.py, beside this script

from poaxl.catalog import load_catalog
from poaxl.generate import form_pages, row_heights, write_workbook
from poaxl.layout import SheetLayout

Call = tuple[str, str, tuple, dict, "str | None"]  # object, method, args, kwargs, name of the result


class Ref:
    """An xlsxwriter object (workbook, worksheet, format) in a recorded call, by name."""

    def __init__(self, name: str):
        self.name = name


class Recorder:
    """Stands in for an xlsxwriter object: forwards every method call and notes it for the replay."""

    def __init__(self, target: Any, name: str, calls: list[Call]):
        self._target, self._name, self._calls = target, name, calls

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("_"):  # the recorder's own
            object.__setattr__(self, attr, value)
        else:  # e.g. poaxl's worksheet subclass settings: on the real object (not replayed)
            setattr(self._target, attr, value)

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._target, attr)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            result = value(*_real(args), **_real(kwargs))
            named = None
            if isinstance(result, (xlsxwriter.worksheet.Worksheet, xlsxwriter.format.Format)):
                named = f"{type(result).__name__}{len(self._calls)}"
                result = Recorder(result, named, self._calls)
            self._calls.append((self._name, attr, _refs(args), _refs(kwargs), named))
            return result
        return call


def _real(value: Any) -> Any:
    """Arguments as xlsxwriter must get them: recorders replaced by the objects they stand for."""
    if isinstance(value, Recorder):
        return value._target
    if isinstance(value, (list, tuple)):
        return type(value)(_real(v) for v in value)
    return {k: _real(v) for k, v in value.items()} if isinstance(value, dict) else value


def _refs(value: Any) -> Any:
    """Arguments as recorded: recorders replaced by their names."""
    if isinstance(value, Recorder):
        return Ref(value._name)
    if isinstance(value, (list, tuple)):
        return type(value)(_refs(v) for v in value)
    return {k: _refs(v) for k, v in value.items()} if isinstance(value, dict) else value


def record(job: Callable[[], None]) -> list[tuple[tuple, list[Call]]]:
    """Run ``job`` (poaxl writing workbooks) and return, per workbook, its options and its calls."""
    books: list[tuple[tuple, list[Call]]] = []
    real = xlsxwriter.Workbook

    def workbook(*args, **kwargs):
        calls: list[Call] = []
        books.append((copy.deepcopy(args[1:]), calls))  # as given: xlsxwriter writes into them
        return Recorder(real(*args, **kwargs), "Workbook", calls)

    xlsxwriter.Workbook = workbook
    try:
        job()
    finally:
        xlsxwriter.Workbook = real
    return books


# the form's features by the xlsxwriter methods that make them, taken away one after the other: each
# costs the difference between the replay with it and without it (the parts add up to the whole)
FEATURES = {
    "merged cells": {"merge_range"},
    "conditional formats": {"conditional_format"},
    "validation": {"data_validation"},
    "comments": {"write_comment"},
    "row heights and print setup": {"set_row", "set_column_pixels", "set_landscape", "set_paper", "set_margins",
                                    "set_footer", "center_horizontally", "set_print_scale", "set_h_pagebreaks",
                                    "repeat_rows", "print_area", "print_black_and_white", "freeze_panes",
                                    "hide_gridlines"},
    "protection": {"protect"},
}

NOISE = 0.02  # a share below this is within the differences' noise on a shared machine


def program(options: tuple, calls: list[Call], without: set[str] = frozenset()) -> CodeType:
    """The recorded calls as a straight-line xlsxwriter program with literal arguments, compiled:
    what a script written by hand for this form would run (a plain Worksheet, no subclass).
    Calls of the methods ``without`` are left out."""
    lines = [f"wb = xlsxwriter.Workbook(path, {', '.join(map(literal, options))})"]
    for owner, method, args, kwargs, named in calls:
        if method in without:
            continue
        kwargs = {k: v for k, v in kwargs.items() if k != "worksheet_class"}
        arguments = ", ".join([*map(literal, args), *(f"{k}={literal(v)}" for k, v in kwargs.items())])
        lines.append(f"{named + ' = ' if named else ''}{'wb' if owner == 'Workbook' else owner}.{method}({arguments})")
    return compile("\n".join(lines), "<replay>", "exec")


def literal(value: Any) -> str:
    """Python source for a recorded argument."""
    if isinstance(value, Ref):
        return "wb" if value.name == "Workbook" else value.name
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(map(literal, value)) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    assert value is None or isinstance(value, (str, int, float, bool)), type(value)
    return repr(value)


def cells_of(path: Path) -> dict[str, list[tuple[int, int, object]]]:
    """Every non-empty cell poaxl wrote (values and formulas), read back once, outside the timing."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows() for c in row
                       if c.value is not None] for ws in wb.worksheets}


def values_only(sheets: dict, path: Path) -> None:
    """The same cell values with bare xlsxwriter and nothing else: what the form's features add to."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    for name, cells in sheets.items():
        ws = wb.add_worksheet(name)
        for r, c, value in cells:
            ws.write(r, c, value)
    wb.close()


def main(repeats: int = 7) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def ours() -> None:
            for u in catalog.units:
                write_workbook(catalog, u, 2, out / f"p{u.code}.xlsx")

        books = record(ours)
        sheets = [cells_of(out / f"p{u.code}.xlsx") for u in catalog.units]
        used = {method for _options, calls in books for _o, method, *_ in calls}
        features = {name: methods for name, methods in FEATURES.items() if methods & used}
        jobs: dict[str, Callable[[], None]] = {
            "ours": ours,
            "replay": replayed(books, out / "r"),
            **{name: replayed(books, out / "w", set().union(*list(features.values())[:i + 1]))
               for i, name in enumerate(features)},  # without this feature and the ones before it
            "values": lambda: [values_only(s, out / f"v{i}.xlsx") for i, s in enumerate(sheets)],
            "measure": lambda: measure(catalog),
        }
        gc.disable()  # as timeit does: a collection of the benchmark's own heap lands in a random job
        try:  # each job's garbage is collected before the next one, untimed
            times = each_round(jobs, repeats, settle=gc.collect, clock=time.process_time)
        finally:
            gc.enable()
    paired = statistics.median(o / r for o, r in zip(times["ours"], times["replay"]))
    report({k: min(v) * 1000 for k, v in times.items()}, paired, len(catalog.units), list(features))


def replayed(books: list[tuple[tuple, list[Call]]], prefix: Path, without: set[str] = frozenset()):
    """A job running the recorded workbooks as compiled xlsxwriter programs (compiled here, untimed)."""
    programs = [program(options, calls, without) for options, calls in books]

    def job() -> None:
        for i, code in enumerate(programs):
            exec(code, {"xlsxwriter": xlsxwriter, "path": f"{prefix}{i}.xlsx"})
    return job


def measure(catalog) -> None:
    """poaxl's own work that is not a call on xlsxwriter: measuring the texts, breaking the pages."""
    for u in catalog.units:
        layout = SheetLayout.for_unit(u)
        form_pages(layout, row_heights(catalog, u, layout))


def report(ms: dict[str, float], paired: float, units: int, features: list[str]) -> None:
    share = {k: v / ms["ours"] for k, v in ms.items()}
    print(f"poaxl generate, {units} units:              {ms['ours']:7.1f} ms  ({ms['ours'] / units:.1f} ms per unit)")
    print(f"bare xlsxwriter, the same calls:        {ms['replay']:7.1f} ms")
    print(f"bare xlsxwriter, the same values only:  {ms['values']:7.1f} ms")
    print(f"ratio: {paired:.2f}x bare xlsxwriter doing the same job (goal <= 1.5x; median of the rounds' "
          f"ratios, {ms['ours'] / ms['replay']:.2f}x of the best times); "
          f"{ms['ours'] / ms['values']:.2f}x the values alone")
    own = 1 - share["replay"]
    print("split of poaxl's time:")
    print(f"  writing the values                 {share['values']:4.0%}")
    print(f"  the form's features in xlsxwriter  {share['replay'] - share['values']:4.0%}")
    before = ["replay", *features]
    parts = {name: share[before[i]] - share[name] for i, name in enumerate(features)}
    for name, part in parts.items():  # each the difference of two timings: a few per cent of noise
        print(f"    {name:<32} {part:4.0%}" if part >= NOISE else f"    {name:<32}  <{NOISE:.0%}")
    rest = share[before[-1]] - share["values"]
    print(f"    {'cell formats, formulas, metadata':<32} {rest:4.0%}")
    print(f"  poaxl's own work                   {own:4.0%}")
    print(f"    {'measuring texts, page breaks':<32} {share['measure']:4.0%}")
    print(f"    {'layout, arguments, calls':<32} {own - share['measure']:4.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
