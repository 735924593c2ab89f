"""Write a catalog as the built-in format (catalog.yaml + units/*.yaml), commented, validated and atomic.

Used by ``catalog import``, ``catalog init`` and the workbook catalog's conversion to YAML. The data
is validated in memory first (nothing is written for an invalid catalog), written to a temporary
folder beside ``out``, loaded back (what is on disk is what was validated), then moved into place.
No text from the data becomes a path: unit files are named by their validated codes, via safe_name.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .catalog import Catalog, build_catalog, load_catalog
from .errors import PoaxlError

HEAD_KEYS = ("id", "ayuntamiento", "year", "quarter", "form_code", "ramo", "ramos", "mail")
UNIT_KEYS = ("code", "ramo", "label", "name", "programa", "finalidad", "funcion", "subfuncion", "lineas",
             "goals", "signatures", "contacts")
GOAL_KEYS = ("la", "number", "text", "measure", "meta", "planned", "aggregation")


def comment(text: str) -> str:
    """One YAML comment line: outside text (a file or sheet name) cannot end it and start YAML."""
    clean = re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]+", " ", str(text))
    return f"# {clean}".rstrip()


def _flow(value: Any) -> str:
    """A small mapping or list on one line: ``{code: '010', name: ADMINISTRACIÓN}``."""
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=True).rstrip("\n")


def _field(key: str, value: Any) -> str:
    """``key: value``: scalars and flat mappings/lists on one line, the rest (mail) as a block."""
    import yaml

    flat = isinstance(value, (dict, list)) and all(
        not isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value))
    if flat:
        return f"{key}: {_flow(value)}"
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=False).rstrip("\n")


def head_yaml(data: dict[str, Any], notes: list[str] = ()) -> str:
    lines = [comment(n) for n in notes]
    lines += [_field(k, data[k]) for k in HEAD_KEYS if k in data and k != "ramos"]
    if "ramos" in data:
        lines.append("ramos:")
        lines += [f"  - {_flow(r)}" for r in data["ramos"]]
    return "\n".join(lines) + "\n"


def unit_yaml(unit: dict[str, Any], head: list[str] = (), goal_notes: dict[str, str] | None = None) -> str:
    """One unit as the built-in files write it: coded fields on one line, goals as blocks, comments."""
    lines = [comment(n) for n in head]
    for key in UNIT_KEYS:
        if key not in unit:
            continue
        value = unit[key]
        if key == "lineas":
            lines.append("lineas:")
            lines += [f"  - {_flow(x)}" for x in value]
        elif key == "goals":
            lines.append("goals:")
            for goal in value:
                if goal_notes and goal.get("number") in goal_notes:
                    lines.append("  " + comment(goal_notes[goal["number"]]))
                fields = [_field(k, goal[k]) for k in GOAL_KEYS if k in goal]
                lines += ["  - " + fields[0]] + ["    " + f for f in fields[1:]]
        elif key == "signatures":
            lines.append("signatures:")
            lines += [f"  {_field(k, v)}" for k, v in value.items()]
        else:
            lines.append(_field(key, value))
    return "\n".join(lines) + "\n"


def unit_file_name(unit: dict[str, Any], several_ramos: bool) -> str:
    from .generate import safe_name

    code = safe_name(unit["code"])
    return f"{safe_name(unit['ramo'])}-{code}.yaml" if several_ramos and unit.get("ramo") else f"{code}.yaml"


def write_catalog(data: dict[str, Any], out: str | Path, *, force: bool = False,
                  comments: list[dict[str, Any]] | None = None, head_notes: list[str] = ()) -> Catalog:
    """Validate ``data`` and write it to the folder ``out`` (replaced only with ``force``); returns it loaded."""
    out = Path(out)
    build_catalog(data, str(out / "catalog.yaml"), [str(out / "units") for _ in data.get("units", [])])
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise PoaxlError(f"{out} ya existe y no está vacío; use --force para reemplazarlo.")
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        head = {k: v for k, v in data.items() if k != "units"}
        (tmp / "catalog.yaml").write_text(head_yaml(head, head_notes), encoding="utf-8")
        (tmp / "units").mkdir()
        several = "ramos" in data
        for i, unit in enumerate(data["units"]):
            extra = (comments or [])[i] if comments and i < len(comments) else {}
            target = tmp / "units" / unit_file_name(unit, several)
            if target.exists():
                raise PoaxlError(f"dos unidades darían el mismo archivo {target.name}")
            target.write_text(unit_yaml(unit, extra.get("head", ()), extra.get("goals")), encoding="utf-8")
        _permissions(tmp)
        load_catalog(tmp)  # what is on disk validates: the same loader every command uses
        _swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return load_catalog(out)


def _permissions(folder: Path) -> None:
    """mkdtemp makes 0700: give the folder and files the modes the umask allows, like every other write."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is: an empty or missing folder is replaced; a full one is moved aside first."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.resolve().parent))
        os.replace(out, old / out.name)
        try:
            os.replace(new, out)
        except OSError:
            os.replace(old / out.name, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, out)
