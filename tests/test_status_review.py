"""Review follow-ups on status, contacts, check's paths and help texts (status helper): each test shows one
reported defect fixed, on real files."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from conftest import EXAMPLES
from poaxl.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="poaxl")


def states(*args) -> dict[str, str]:
    result = run("status", *args, "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["state"] for u in json.loads(result.stdout)["units"]}


def test_status_checks_a_hand_filed_answer_against_the_unit_its_name_claims(tmp_path):
    """003's form copied under 004's name showed 004 «correcto»: it is 004's answer with a unit-mismatch."""
    answers = tmp_path / "resp3"
    answers.mkdir()
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T2_004.xlsx")
    assert states("--out", answers, "--sent", tmp_path) == {
        "001": "sin entregar", "002": "sin entregar", "003": "sin entregar", "004": "con errores",
        "005": "sin entregar", "0046": "sin entregar"}
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T2_003.xlsx")
    assert states("--out", answers, "--sent", tmp_path)["003"] == "correcto"


def test_status_checks_a_hand_filed_answer_against_the_quarter_its_name_claims(tmp_path):
    """A second-quarter form named as the third quarter's was «correcto» under ``status -q 3``."""
    answers = tmp_path / "resp"
    answers.mkdir()
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T3_003.xlsx")
    assert states("--out", answers, "--sent", tmp_path, "-q", "3")["003"] == "con errores"
    assert states("--out", answers, "--sent", tmp_path, "-q", "2")["003"] == "sin entregar"
