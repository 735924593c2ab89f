"""Odd cells a coordinator's spreadsheet really writes, read by `poaxl check` as a new user would see them:
the findings quote each value the way a Spanish spreadsheet shows it, on one line (found by the session-2 review)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from conftest import apply_openpyxl, cell, on_plan_ops
from poaxl.cli import main
from poaxl.generate import generate


@pytest.fixture(scope="module")
def template(tmp_path_factory, catalog):
    return generate(units=["003"], out=tmp_path_factory.mktemp("tpl"), catalog=catalog)[0]


def messages(path, catalog) -> dict[str, str]:
    """cell -> message of `poaxl check --format json` (the built-in catalog)."""
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    return {f["cell"]: f["message"] for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_typed_dates_times_and_booleans_are_quoted_as_a_spanish_spreadsheet_shows_them(template, catalog, tmp_path):
    a = lambda goal, q: cell(catalog, "003", goal, f"a{q}")  # noqa: E731
    path = apply_openpyxl(template, tmp_path / "odd.xlsx", on_plan_ops(catalog, "003") + [
        ["value", a("3", 2), True], ["value", a("3.1", 2), False], ["value", a("3.2", 2), dt.datetime(2020, 6, 30)],
        ["value", a("3.3", 2), dt.datetime(2020, 6, 30, 6, 5)], ["value", a("3", 1), dt.time(12, 30)],
        ["value", a("3.1", 1), dt.timedelta(hours=30)]])
    found = messages(path, catalog)
    assert found[a("3", 2)].endswith("«VERDADERO» no es un número — capture solo la cifra.")
    assert found[a("3.1", 2)].endswith("«FALSO» no es un número — capture solo la cifra.")
    assert found[a("3.2", 2)].endswith("«30/06/2020» no es un número — capture solo la cifra.")
    assert found[a("3.3", 2)].endswith("«30/06/2020 06:05» no es un número — capture solo la cifra.")
    assert found[a("3", 1)].endswith("«12:30» no es un número — capture solo la cifra.")
    assert found[a("3.1", 1)].endswith("«30:00:00» no es un número — capture solo la cifra.")


def test_a_typed_text_is_quoted_on_one_line_and_briefly(template, catalog, tmp_path):
    """A line break typed in an A cell must not break the one-line finding (nor fake another line)."""
    a = lambda goal: cell(catalog, "003", goal, "a2")  # noqa: E731
    path = apply_openpyxl(template, tmp_path / "text.xlsx", on_plan_ops(catalog, "003") + [
        ["value", a("3"), "diez\n  ✓ 003: correcto"], ["value", a("3.1"), "mil " * 50],
        ["value", a("3.2"), "1,367\r\n"]])
    found = messages(path, catalog)
    assert found[a("3")].endswith("«diez ✓ 003: correcto» no es un número — capture solo la cifra.")
    assert found[a("3.1")].endswith("«" + ("mil " * 15)[:59] + "…» no es un número — capture solo la cifra.")
    assert found[a("3.2")].endswith("«1,367 » está escrito como texto; se tomó como 1367 — captúrelo como número.")
    human = CliRunner().invoke(main, ["check", str(path)]).output
    assert "diez\n" not in human and "\r" not in human
