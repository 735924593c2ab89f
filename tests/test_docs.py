"""The README findings table and the JSON schema's code enum are generated from the registry
(`python -m poaxl.docs`); these tests fail when someone edits one without the other."""
from __future__ import annotations

import json
from pathlib import Path

from contract import SEVERITY
from poaxl import docs

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_up_to_date():
    for path, text in docs.targets(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} differs: run python -m poaxl.docs"


def test_readme_table_lists_every_documented_code_with_its_severity():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, severity in SEVERITY.items():
        assert f"| `{code}` | {severity} |" in readme


def test_report_schema_enumerates_exactly_the_documented_codes():
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    finding = schema["properties"]["files"]["items"]["properties"]["findings"]["items"]
    assert set(finding["properties"]["code"]["enum"]) == set(SEVERITY)
