"""The documented contract of `poaxl check`, written as literals (DOMAIN.md and the README), never read
from the code: if a severity changes or a code disappears in poaxl, the tests that use this fail."""
from __future__ import annotations

SEVERITY = {
    "planned-sum-mismatch": "error",
    "absolute-mismatch": "error",
    "relative-mismatch": "error",
    "missing-observation": "error",
    "unjustified-overachievement": "warning",
    "print-too-small": "warning",
    "observation-too-long": "warning",
    "missing-actual": "error",
    "future-entry": "warning",
    "not-a-number": "error",
    "number-as-text": "warning",
    "negative-value": "error",
    "planned-changed": "error",
    "structure-changed": "error",
    "formula-replaced": "warning",
    "unit-mismatch": "error",
    "unknown-unit": "error",
    "wrong-period": "error",
    "goal-numbering": "warning",
    "unknown-linea": "warning",
    "catalog-changed": "warning",
    "no-metadata": "warning",
    "unreadable": "error",
}

# DOMAIN.md "Whose fault is a finding": the plan is the planning office's to fix
OFFICE_CODES = {"planned-sum-mismatch", "goal-numbering", "unknown-linea", "catalog-changed", "unknown-unit",
                "no-metadata"}
