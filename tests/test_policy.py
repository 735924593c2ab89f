"""One policy value (--over-ratio) drives both the checker and the amber row of the generated form."""
from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from conftest import apply_openpyxl, cell, on_plan_ops
from poaxl.check import check_file
from poaxl.cli import main
from poaxl.generate import generate
from poaxl.policy import Policy


def amber_rule(path) -> str:
    ws = openpyxl.load_workbook(path)["003"]
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula]
    (over,) = [f for f in formulas if "LEN(TRIM(" in f and ">0" in f and "*" in f and "MOD(" not in f]  # the row's
    return over


def test_generated_amber_row_uses_the_policy_ratio(tmp_path, catalog):
    default = generate(["003"], out=tmp_path / "a", catalog=catalog)[0]
    strict = generate(["003"], out=tmp_path / "b", catalog=catalog, policy=Policy(over_ratio=2.0))[0]
    assert ">1.5*" in amber_rule(default) and ">2.0*" in amber_rule(strict)


def test_cli_over_ratio_reaches_the_form_and_the_check(tmp_path, catalog):
    result = CliRunner().invoke(main, ["generate", "--unit", "003", "--over-ratio", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    form = tmp_path / "TMM-F004_2020_T2_003.xlsx"
    assert ">2.0*" in amber_rule(form)
    ops = on_plan_ops(catalog, "003") + [["value", cell(catalog, "003", "3.2", "a2"), 40]]  # 183 % of programme
    filled = apply_openpyxl(form, tmp_path / "lleno.xlsx", ops)
    assert [f.code for f in check_file(filled, catalog).findings] == ["unjustified-overachievement"]
    assert check_file(filled, catalog, policy=Policy(over_ratio=2.0)).findings == []
    ok = CliRunner().invoke(main, ["check", str(filled), "--over-ratio", "2"])
    assert ok.exit_code == 0 and "correcto" in ok.output
