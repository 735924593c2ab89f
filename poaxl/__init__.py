"""poaxl: the TMM-F004 "Avance Físico Programático" loop, as a library.

generate → e-mail → fill → check → consolidate. The heavy modules (xlsxwriter, openpyxl,
jsonschema) are imported lazily so that ``poaxl --version`` stays instant.
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "load_catalog": "poaxl.catalog",
    "generate": "poaxl.generate",
    "check": "poaxl.check",
    "send": "poaxl.mail",
    "report": "poaxl.report",
}


def __getattr__(name: str):
    """Import the public functions on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'poaxl' has no attribute {name!r}")
