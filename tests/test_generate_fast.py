"""The generate benchmark's baseline does the same job as poaxl (untimed: it compares files).

benchmarks/generate.py records every call poaxl makes on xlsxwriter and replays them as a plain
xlsxwriter program; the ratio it prints only means something if that program writes the same
workbook. If poaxl ever changes the file outside xlsxwriter's calls, this test says so.
"""
from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

from poaxl import paper
from poaxl.generate import Prefill, write_workbook

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_benchmark():
    sys.path.insert(0, str(BENCHMARKS))  # it imports timing.py from beside itself
    try:
        spec = importlib.util.spec_from_file_location("generate_benchmark", BENCHMARKS / "generate.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def parts(path: Path) -> dict[str, bytes]:
    """Every part but the creation time; rows compared without XlsxWriter's fixed-height mark, the
    one thing poaxl's worksheet changes in what XlsxWriter writes (goal rows may grow)."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).replace(b' customHeight="1"', b"") for name in z.namelist()
                if name != "docProps/core.xml"}


def test_the_replayed_calls_write_the_same_workbook_as_poaxl(catalog, tmp_path):
    bench = load_benchmark()
    prefill = Prefill(actuals={0: [5.0, None, None, None]}, notes={1: "Nota del T1 & <más>"})
    jobs = [(catalog.unit("003"), 2, None), (catalog.unit("0046"), 3, prefill)]
    books = bench.record(lambda: [write_workbook(catalog, unit, q, tmp_path / f"p{i}.xlsx", prefill=pre)
                                  for i, (unit, q, pre) in enumerate(jobs)])
    assert len(books) == len(jobs)
    methods = {method for _options, calls in books for _owner, method, *_ in calls}
    assert {"merge_range", "conditional_format", "data_validation", "write_comment", "protect"} <= methods
    for i, (options, calls) in enumerate(books):
        exec(bench.program(options, calls), {"xlsxwriter": bench.xlsxwriter, "path": str(tmp_path / f"r{i}.xlsx")})
        ours, replayed = parts(tmp_path / f"p{i}.xlsx"), parts(tmp_path / f"r{i}.xlsx")
        assert ours.keys() == replayed.keys()
        assert [name for name in ours if ours[name] != replayed[name]] == []
    with zipfile.ZipFile(tmp_path / "p0.xlsx") as z:  # poaxl's goal rows are not fixed; the replay's are
        assert z.read("xl/worksheets/sheet1.xml").count(b"customHeight") < \
            zipfile.ZipFile(tmp_path / "r0.xlsx").read("xl/worksheets/sheet1.xml").count(b"customHeight")


def test_a_form_does_not_depend_on_the_forms_generated_before_it(catalog, tmp_path):
    """XlsxWriter writes into the options it is given: a form made first in a process and the same
    form made after others must be the same file (but for its creation time)."""
    first = tmp_path / "first.xlsx"
    write_workbook(catalog, catalog.unit("003"), 2, first)
    for i, unit in enumerate(catalog.units):
        write_workbook(catalog, unit, 2, tmp_path / f"{i}.xlsx")
    again = tmp_path / "again.xlsx"
    write_workbook(catalog, catalog.unit("003"), 2, again)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(again) as b:
        assert [n for n in a.namelist() if n != "docProps/core.xml" and a.read(n) != b.read(n)] == []
    assert paper.DEFAULT_FONT == {"font_name": "Arial", "font_size": 9.5}  # whatever ran before this test
