"""Real LibreOffice: open generated files headless, type values, recalculate, save; and print to PDF."""
from __future__ import annotations

import openpyxl
import pytest

from conftest import cell
from poaxl.check import check_file
from poaxl.generate import generate
from poaxl.layout import META_SHEET


@pytest.fixture(scope="module")
def lo_filled(tmp_path_factory, catalog, libreoffice):
    """003 (sum goals) and 005 (a rate goal) filled and saved by LibreOffice."""
    tmp = tmp_path_factory.mktemp("lo")
    src = {c: generate([c], out=tmp / "tpl", catalog=catalog)[0] for c in ("003", "005")}
    values = {"003": {"3": (4245, 1367), "3.1": (173, 226), "3.2": (16, 0), "3.3": (1, 1)},
              "005": {"5": (46, 63), "5.1": (0, 1), "5.2": (0, 0), "5.3": (0, 1), "5.4": (1, 1)}}
    jobs = []
    for code, goals in values.items():
        ops = [["value", cell(catalog, code, g, f"a{q}"), v] for g, pair in goals.items()
               for q, v in enumerate(pair, start=1)]
        ops += [["string", cell(catalog, code, g, "observations"), "CONTINGENCIA SANITARIA COVID-19"]
                for g in ("3", "3.2", "5") if g in goals]
        jobs.append({"src": src[code], "dst": tmp / f"{code}.xlsx", "ops": ops})
    libreoffice.fill(jobs)
    return {code: tmp / f"{code}.xlsx" for code in values}


def test_libreoffice_recalculates_sum_goals(lo_filled, catalog):
    ws = openpyxl.load_workbook(lo_filled["003"], data_only=True)["003"]
    assert ws[cell(catalog, "003", "3", "absolute")].value == 5612
    assert round(ws[cell(catalog, "003", "3", "relative")].value, 3) == round(5612 / 20100, 3)
    assert ws[cell(catalog, "003", "3.1", "absolute")].value == 399


def test_libreoffice_recalculates_rate_goal_as_average(lo_filled, catalog):
    ws = openpyxl.load_workbook(lo_filled["005"], data_only=True)["005"]
    assert ws[cell(catalog, "005", "5", "absolute")].value == pytest.approx(54.5)
    assert ws[cell(catalog, "005", "5", "relative")].value == pytest.approx(54.5 / 90)


def test_metadata_protection_validation_survive_a_libreoffice_save(lo_filled, catalog):
    wb = openpyxl.load_workbook(lo_filled["003"])
    ws = wb["003"]
    meta = dict(line.split("=", 1) for line in wb[META_SHEET]["A1"].value.split("\n"))
    assert meta["unit"] == "003" and meta["quarter"] == "2" and wb[META_SHEET].sheet_state == "hidden"
    assert ws.protection.sheet
    assert ws[cell(catalog, "003", "3", "meta")].protection.locked
    assert not ws[cell(catalog, "003", "3", "a2")].protection.locked
    validated = " ".join(str(dv.sqref) for dv in ws.data_validations.dataValidation)
    assert cell(catalog, "003", "3.2", "a2") in validated
    assert ws.conditional_formatting and ws[cell(catalog, "003", "3", "absolute")].value.startswith("=SUM(")


def test_libreoffice_saved_file_checks_clean(lo_filled, catalog):
    report = check_file(lo_filled["003"], catalog)
    assert report.unit == "003" and report.quarter == 2
    assert report.status == "ok", [f.message for f in report.findings]
