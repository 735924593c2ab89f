"""examples/2020-T2 (the seed's real Q2 data typed into generated forms by LibreOffice): the report
equals DOMAIN.md's table of what the seed gets wrong, nothing missing and nothing spurious."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from conftest import EXAMPLES, cell
from poaxl.catalog import schema_path
from poaxl.cli import main

EXPECTED = Counter({
    ("002", "planned-sum-mismatch", "6", "meta"): 1,
    ("005", "planned-sum-mismatch", "5.2", "meta"): 1,
    ("004", "missing-observation", "4.3", "observations"): 1,
    ("004", "missing-observation", "4.4", "observations"): 1,
    ("004", "unjustified-overachievement", "4.1", "observations"): 1,
    ("005", "absolute-mismatch", "5", "absolute"): 1,
    ("005", "relative-mismatch", "5", "relative"): 1,
    ("005", "formula-replaced", "5", "absolute"): 1,
    ("005", "formula-replaced", "5", "relative"): 1,
    ("0046", "goal-numbering", "4.5", "goal"): 1,
})


def run_json(*args):
    result = CliRunner().invoke(main, ["check", *map(str, args), "--format", "json"])
    return result, json.loads(result.stdout)


def test_examples_report_equals_the_domain_table(catalog):
    result, report = run_json(EXAMPLES)
    assert result.exit_code == 1
    got = Counter()
    for f in report["files"]:
        for finding in f["findings"]:
            key = next(k for k in ("meta", "observations", "absolute", "relative", "goal")
                       if cell(catalog, f["unit"], finding["goal"], k) == finding["cell"])
            got[(f["unit"], finding["code"], finding["goal"], key)] += 1
    assert got == EXPECTED
    status = {f["unit"]: f["status"] for f in report["files"]}
    assert status == {"001": "ok", "002": "errors", "003": "ok", "004": "errors", "005": "errors",
                      "0046": "warnings"}


def test_json_report_matches_its_schema_and_is_alone_on_stdout():
    result, report = run_json(EXAMPLES)
    schema = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")
    assert {f["year"] for f in report["files"]} == {2020} and {f["quarter"] for f in report["files"]} == {2}


def test_text_report_groups_by_file_errors_first_and_summarises():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES)])
    assert result.exit_code == 1
    out = result.output
    assert "004 O20: meta 4.3, Abr-Jun: avance acumulado 1 de 3 programado y OBSERVACIONES vacía" in out
    assert "explique por qué no se alcanzó la meta" in out
    block = out[out.index("TMM-F004_2020_T2_005.xlsx"):]
    assert block.index("[absolute-mismatch]") < block.index("[formula-replaced]")  # errors first
    assert out.index("con errores") < out.index(": correcto")  # files with errors listed first
    assert "6 archivo(s): 2 correcto(s), 1 con avisos, 3 con errores, 0 ilegible(s)" in out
    assert "\x1b[" not in out  # no colours when piped


def test_exit_zero_on_a_clean_file():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "TMM-F004_2020_T2_003.xlsx")])
    assert result.exit_code == 0 and "correcto" in result.output


def test_annotate_writes_marked_copies_and_leaves_originals(tmp_path):
    import hashlib

    import openpyxl

    original = EXAMPLES / "TMM-F004_2020_T2_004.xlsx"
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--annotate", str(tmp_path)])
    assert result.exit_code == 1
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    copy = tmp_path / "TMM-F004_2020_T2_004.revisado.xlsx"
    ws = openpyxl.load_workbook(copy)["004"]
    comments = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert any("missing-observation" in t and "explique" in t for t in comments.values())
    assert not (tmp_path / "TMM-F004_2020_T2_001.revisado.xlsx").exists()  # nothing to mark on a clean form
    again = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"])
    assert again.exit_code == 2 and "solo hay copias anotadas" in again.output  # copies are not checked as answers


def test_example_catalog_loads_generates_and_is_the_readmes(tmp_path):
    """examples/catalogo-ejemplo.yaml: complete, valid, without warnings, and the README shows it whole."""
    from poaxl.catalog import load_catalog

    path = Path(__file__).resolve().parent.parent / "examples" / "catalogo-ejemplo.yaml"
    cat = load_catalog(path)
    assert [u.code for u in cat.units] == ["003"] and not cat.warnings
    unit = cat.unit("003")
    assert unit.signatures["reviso"]["cargo"] and unit.contacts["to"] and unit.goals[2].aggregation == "average"
    result = CliRunner().invoke(main, ["generate", "--all", "--catalog", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "TMM-F004_2021_T1_003.xlsx").is_file()
    readme = (path.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "```yaml\n" + path.read_text(encoding="utf-8") + "```" in readme
    for field in ("`funcion`", "`subfuncion`", "`lineas`", "`signatures`", "{code: \"01\", name: PRESIDENCIA}"):
        assert field in readme
