"""Rebuild examples/2020-T2: generate each unit's Q2 template, then type the seed's actual values and
observations into it with a real LibreOffice (UNO) and save it as .xlsx, as a coordinator would.

    python examples/make_examples.py        # needs soffice and python3-uno
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from poaxl.catalog import load_catalog  # noqa: E402
from poaxl.generate import generate  # noqa: E402
from poaxl.layout import SheetLayout, a_key, ref  # noqa: E402


def fill_ops(unit, values: dict) -> list[list]:
    """The keystrokes for one unit: A cells, OBSERVACIONES, and values typed over formulas."""
    layout = SheetLayout.for_unit(unit)
    ops: list[list] = []
    for i, goal in enumerate(unit.goals):
        row, entry = layout.goal_row(i), values.get(goal.number, {})
        for q, value in enumerate(entry.get("a", []), start=1):
            ops.append(["value", ref(row, a_key(q)), value])
        if entry.get("obs"):
            ops.append(["string", ref(row, "observations"), entry["obs"]])
        for key, value in entry.get("typed", {}).items():
            ops += [["unprotect"], ["value", ref(row, key), value], ["protect"]]
    return ops


def main(out: Path = HERE / "2020-T2") -> None:
    import lo

    seed = yaml.safe_load((HERE / "seed-2020-T2.yaml").read_text(encoding="utf-8"))
    catalog = load_catalog()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        templates = generate(all_units=True, quarter=2, out=tmp, catalog=catalog)
        jobs = [{"src": t, "dst": out / t.name, "ops": fill_ops(catalog.unit(code), seed[code])}
                for t, code in zip(templates, (u.code for u in catalog.units))]
        lo.fill(jobs)
    for job in jobs:
        print(job["dst"])


if __name__ == "__main__":
    main()
