"""Shared fixtures: generated templates, fills by openpyxl and by a real LibreOffice."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lo  # noqa: E402
from poaxl.catalog import load_catalog  # noqa: E402
from poaxl.generate import generate  # noqa: E402
from poaxl.layout import SheetLayout, a_key, ref  # noqa: E402

# poaxl's cache of big YAML files (poaxl/yaml_cache.py) goes to a folder of the test run, not the user's ~/.cache
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="poaxl-tests-cache-")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "2020-T2"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def libreoffice():
    """A real LibreOffice is required; skipped on a laptop without it, a failure under CI=true."""
    if lo.uno_python() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice + python3-uno) is missing under CI=true")
        pytest.skip("LibreOffice (soffice + python3-uno) not installed")
    return lo


def cell(catalog, unit: str, goal: str, key: str) -> str:
    """The address of a goal's cell, from the layout (tests spell no cell by hand)."""
    u = catalog.unit(unit)
    index = [g.number for g in u.goals].index(goal)
    return ref(SheetLayout.for_unit(u).goal_row(index), key)


def row_number(catalog, unit: str, goal: str) -> int:
    u = catalog.unit(unit)
    return SheetLayout.for_unit(u).goal_row([g.number for g in u.goals].index(goal)) + 1


def on_plan_ops(catalog, unit: str, quarter: int = 2) -> list[list]:
    """A correct fill: every A up to the quarter equal to its P (no finding expected)."""
    u = catalog.unit(unit)
    ops = []
    for goal in u.goals:
        for q in range(1, quarter + 1):
            ops.append(["value", cell(catalog, unit, goal.number, a_key(q)), goal.planned[q - 1]])
    return ops


def apply_openpyxl(src: Path, dst: Path, ops: list[list]) -> Path:
    """The same ops as tests/uno_fill.py, done with openpyxl (no recalculation)."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    for op in ops:
        name = op[0]
        if name in ("unprotect", "protect"):
            ws.protection.sheet = name == "protect"
        elif name == "insert_row":
            ws.insert_rows(op[1])
        elif name == "delete_row":
            ws.delete_rows(op[1])
        elif name == "delete_sheet":
            del wb[op[1]]
        elif name == "clear":
            ws[op[1]].value = None
        elif name == "string":  # a text even when it starts with = (openpyxl would store a formula)
            ws[op[1]].value = op[2]
            ws[op[1]].data_type = "s"
        else:
            ws[op[1]].value = op[2]
    wb.save(dst)
    return dst


@pytest.fixture
def template(tmp_path, catalog):
    """template('003', quarter=2) -> path of a freshly generated workbook."""

    def make(unit: str = "003", quarter: int = 2) -> Path:
        out = tmp_path / f"tpl-{unit}-{quarter}"
        return generate([unit], quarter=quarter, out=out, catalog=catalog, force=True)[0]

    return make


@pytest.fixture
def filled(tmp_path, template, catalog):
    """filled('003', extra_ops) -> a template filled on plan by openpyxl, then ``extra_ops`` applied."""
    counter = iter(range(10_000))

    def make(unit: str = "003", ops: list[list] | None = None, quarter: int = 2) -> Path:
        src = template(unit, quarter)
        dst = tmp_path / f"filled-{unit}-{next(counter)}.xlsx"
        return apply_openpyxl(src, dst, on_plan_ops(catalog, unit, quarter) + (ops or []))

    return make
