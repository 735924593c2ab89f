"""Hostile input, one case per test (issue 9): whatever arrives, poaxl answers in Spanish with the
documented exit status, in bounded time, leaves the inputs byte-identical, writes nothing outside the
chosen folder, and nothing it writes holds a formula or a link made from outside text.

The corpus is made at test time by tests/hostile.py."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import hostile
from conftest import cell
from poaxl.cli import main

LIMIT = 30.0  # seconds: generous, only to catch hangs and runaway parsing


def poaxl(*args: str, expect: int, contains: tuple[str, ...] = (), limit: float = LIMIT):
    """Run the CLI in-process; the exit status, the Spanish fragments, no traceback, bounded time."""
    start = time.monotonic()
    result = CliRunner().invoke(main, [str(a) for a in args])
    elapsed = time.monotonic() - start
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "error interno" not in output.lower(), output
    assert result.exit_code == expect, output
    for fragment in contains:
        assert fragment in output, output
    assert elapsed < limit, elapsed
    return result


def clean(path: Path) -> None:
    """Nothing poaxl wrote may hold a live formula from outside text or any hyperlink."""
    assert hostile.active_content(path) == []


# --------------------------------------------------------------------------- 1. injection

def test_generated_form_writes_injected_catalog_text_as_text(tmp_path):
    cat = hostile.injected_catalog(tmp_path / "in" / "catalogo.yaml")
    before = hostile.snapshot(tmp_path / "in")
    poaxl("generate", "--unit", "003", "--catalog", cat, "--out", tmp_path / "out", expect=0)
    form = tmp_path / "out" / "TMM-F004_2020_T2_003.xlsx"
    clean(form)
    text = hostile.strings_in(form)
    for injected in hostile.INJECTIONS:
        assert injected in text  # kept, as text
    assert hostile.snapshot(tmp_path / "in") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_consolidated_report_writes_observations_and_names_as_text(tmp_path, filled, catalog):
    folder = tmp_path / "respuestas"
    folder.mkdir()
    obs = cell(catalog, "003", "3.1", "observations")
    src = filled("003", [["value", obs, hostile.INJECTIONS[1]], ["value", cell(catalog, "003", "3.2", "a2"), "15"]])
    name = hostile.INJECTIONS[0].replace("/", "_")
    shutil.copy(src, folder / f"{name}.xlsx")  # number-as-text: the name is listed under Hallazgos
    other = filled("001", [["value", cell(catalog, "001", "2.1", "observations"), hostile.INJECTIONS[2]]])
    shutil.copy(other, folder / "mailto:a@b.example.xlsx")
    before = hostile.snapshot(folder)
    out = tmp_path / "consolidado.xlsx"
    poaxl("report", folder, "--out", out, "--include-errors", expect=0)
    clean(out)
    text = hostile.strings_in(out)
    assert hostile.INJECTIONS[1] in text and hostile.INJECTIONS[2] in text and f"{name}.xlsx" in text
    assert hostile.snapshot(folder) == before


def test_annotated_copy_keeps_coordinator_formulas_and_links_as_text(tmp_path, filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    src = filled("003", [["value", cell(catalog, "003", "3.1", "a2"), "diez"],
                         ["value", obs, '=HYPERLINK("http://evil.example","clic")']])
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0][obs.replace("O", "B")].hyperlink = "http://evil.example/b2"
    wb.save(src)
    assert hostile.active_content(src)  # the coordinator's file has both
    before = hostile.snapshot(src.parent)
    poaxl("check", src, "--annotate", tmp_path / "revisados", expect=1)
    copy = tmp_path / "revisados" / f"{src.stem}.revisado.xlsx"
    clean(copy)
    assert '=HYPERLINK("http://evil.example","clic")' in hostile.strings_in(copy)
    assert {k: v for k, v in hostile.snapshot(src.parent).items() if k in before} == before


def test_carried_forward_form_keeps_observation_as_text(tmp_path, filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    earlier = filled("003", [["value", obs, hostile.INJECTIONS[0]]])
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", earlier, "--out", tmp_path / "t3", expect=0)
    form = tmp_path / "t3" / "TMM-F004_2020_T3_003.xlsx"
    clean(form)
    assert hostile.INJECTIONS[0] in hostile.strings_in(form)


# --------------------------------------------------------------------------- 6. absurd numbers

@pytest.mark.parametrize("value, key, code", [("1e309", "a2", "not-a-number"), ("9" * 400, "a2", "not-a-number"),
                                             ("-1e309", "a2", "not-a-number"), ("9" * 400, "p2", "planned-changed"),
                                             ("1e309", "a3", "future-entry"), ("9" * 400, "absolute", "absolute-mismatch")])
def test_infinite_or_huge_number_is_a_finding(tmp_path, filled, catalog, value, key, code):
    target = cell(catalog, "003", "3.2", key)
    src = filled("003", [["value", target, 12345]])
    bad = hostile.replace_value(src, tmp_path / "enorme.xlsx", "12345", value)
    result = poaxl("check", bad, "--format", "json", expect=0 if code == "future-entry" else 1)
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert (code, target) in {(f["code"], f["cell"]) for f in findings}
    out = tmp_path / "consolidado.xlsx"
    poaxl("report", bad, "--out", out, "--include-errors", expect=0)
    clean(out)
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", bad, "--out", tmp_path / "t3", expect=0)
    clean(tmp_path / "t3" / "TMM-F004_2020_T3_003.xlsx")


# --------------------------------------------------------------------------- 7. edited metadata

@pytest.mark.parametrize("key, value", [("quarter", "5"), ("quarter", "0"), ("quarter", "²"), ("year", "²"),
                                        ("year", "9" * 5000), ("unit", "9" * 5000), ("unit", "../../x")])
def test_edited_metadata_falls_back_to_the_header(tmp_path, filled, key, value):
    from jsonschema import Draft202012Validator

    from poaxl.catalog import schema_path

    bad = hostile.edit_meta(filled("003"), tmp_path / "editado.xlsx", key, value)
    result = poaxl("check", bad, "--format", "json", expect=1)
    data = json.loads(result.stdout)
    Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(data)
    entry = data["files"][0]
    assert (entry["unit"], entry["year"], entry["quarter"]) == ("003", 2020, 2)  # from the header
    assert any(f["code"] == "structure-changed" and "hoja oculta _poaxl fue modificada" in f["message"]
               for f in entry["findings"])
    poaxl("report", bad, "--out", tmp_path / "c.xlsx", "--include-errors", expect=0)
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", bad, "--out", tmp_path / "t3", expect=0)


# --------------------------------------------------------------------------- 8. merged A cells

def test_annotate_on_merged_actual_cells(tmp_path, filled, catalog):
    p2, a2 = cell(catalog, "003", "3.2", "p2"), cell(catalog, "003", "3.2", "a2")
    src = filled("003", [["unprotect"]])
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0].merge_cells(f"{p2}:{a2}")  # the A cell is now inside a merged range
    wb.save(src)
    result = poaxl("check", src, "--annotate", tmp_path / "revisados", "--format", "json", expect=1)
    assert ("missing-actual", a2) in {(f["code"], f["cell"]) for f in json.loads(result.stdout)["files"][0]["findings"]}
    copy = openpyxl.load_workbook(tmp_path / "revisados" / f"{src.stem}.revisado.xlsx")
    assert "missing-actual" in copy.worksheets[0][p2].comment.text
