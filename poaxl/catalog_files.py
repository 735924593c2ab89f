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

from .catalog import CLASSIFICATION, Catalog, build_catalog, load_catalog
from .errors import PoaxlError
from .files import folder_out

HEAD_KEYS = ("id", "ayuntamiento", "year", "quarter", "form_code", "ramo", "ramos", "mail")
UNIT_KEYS = ("code", "ramo", "label", "name", *CLASSIFICATION, "lineas", "goals", "signatures", "contacts")
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
    files = {"catalog.yaml": head_yaml({k: v for k, v in data.items() if k != "units"}, head_notes)}
    several = "ramos" in data
    for i, unit in enumerate(data["units"]):
        extra = comments[i] if comments and i < len(comments) else {}
        name = f"units/{unit_file_name(unit, several)}"
        if name in files:
            raise PoaxlError(f"dos unidades darían el mismo archivo {name}")
        files[name] = unit_yaml(unit, extra.get("head", ()), extra.get("goals"))
    return write_files(files, out, force=force)


def write_files(files: dict[str, str], out: str | Path, *, force: bool = False) -> Catalog:
    """Write a catalog's files (relative name -> YAML text) into ``out``: a temporary folder beside it is
    written, loaded with the loader every command uses (so what is on disk validates), then moved in."""
    out = folder_out(out, force)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name, text in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _permissions(tmp)
        load_catalog(tmp)
        _swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return load_catalog(out)


def catalog_to_data(cat: Catalog) -> dict[str, Any]:
    """A loaded catalog back as YAML data (catalog.yaml fields + units), nothing lost."""
    data: dict[str, Any] = {"id": cat.id, "ayuntamiento": cat.ayuntamiento, "year": cat.year,
                            "quarter": cat.quarter, "form_code": cat.form_code}
    coded = lambda c: {"code": c.code, "name": c.name}  # noqa: E731
    if cat.multi_ramo:
        data["ramos"] = [coded(r) for r in cat.ramos]
    else:
        data["ramo"] = coded(cat.ramo)
    if cat.mail:
        data["mail"] = cat.mail
    data["units"] = []
    for u in cat.units:
        unit: dict[str, Any] = {"code": u.code}
        if cat.multi_ramo:
            unit["ramo"] = u.ramo.code
        unit.update(label=u.label, name=u.name, **{k: coded(getattr(u, k)) for k in
                                                  CLASSIFICATION})
        unit["lineas"] = [coded(x) for x in u.lineas]
        unit["goals"] = [{"la": g.la, "number": g.number, "text": g.text, "measure": g.measure, "meta": g.meta,
                          "planned": list(g.planned), **({"aggregation": g.aggregation} if g.aggregation != "sum"
                                                         else {})} for g in u.goals]
        unit["signatures"] = {k: dict(v) for k, v in u.signatures.items()}
        if u.contacts:
            unit["contacts"] = {k: list(v) for k, v in u.contacts.items()}
        data["units"].append(unit)
    return data


def init_catalog(out: str | Path, year: int, force: bool = False) -> Catalog:
    """``poaxl catalog init``: a commented starter catalog (one ramo, one unit, two goals) that validates."""
    return write_files({"catalog.yaml": STARTER_HEAD.format(year=year, year_next=year + 1, folder=comment(out)[2:]),
                        "units/001.yaml": STARTER_UNIT.format(year=year)}, out, force=force)


STARTER_HEAD = """\
# Catálogo POA de poaxl: los datos generales. Una unidad por archivo en units/.
# Valídelo con:  poaxl catalog check {folder}
# Ábralo en Excel: poaxl catalog export --catalog {folder} --out catalogo.xlsx
id: municipio-{year}                       # identificador: minúsculas, números, «-», «.» o «_»
ayuntamiento: AYUNTAMIENTO DE SU MUNICIPIO  # primer título del formato
year: {year}                                # año del Programa Operativo Anual
quarter: 1                                 # trimestre por omisión de generate, send y report (1 a 4)
form_code: TMM-F004                        # código del formato
# Un solo ramo. Para varios ramos escriba en su lugar
#   ramos:
#     - {{code: "01", name: PRESIDENCIA}}
#     - {{code: "05", name: TESORERÍA}}
# y en cada unidad su ramo, p. ej.  ramo: "05"
ramo: {{code: "01", name: PRESIDENCIA}}
mail:                                      # opcional: para poaxl send
  from: planeacion@example.org             # remitente
  reply_to: planeacion@example.org         # a dónde responden los coordinadores
  deadlines:                               # fecha límite de entrega de cada trimestre (AAAA-MM-DD)
    "1": "{year}-04-10"
    "2": "{year}-07-10"
    "3": "{year}-10-09"
    "4": "{next}-01-15"
""".replace("{next}", "{year_next}")

STARTER_UNIT = """\
# Una unidad ejecutora o responsable. Los códigos van entre comillas (son texto: "001", "0046").
code: "001"
label: UNIDAD EJECUTORA                    # o UNIDAD RESPONSABLE, como se titula en el formato
name: OFICINA DEL TITULAR
programa: {{code: "010", name: GESTIÓN Y CONDUCCIÓN DE LA POLÍTICA DEL PRESIDENTE MUNICIPAL}}
finalidad: {{code: "1", name: GOBIERNO}}     # clasificación funcional (CONAC)
funcion: {{code: "3", name: COORDINACIÓN DE LA POLÍTICA DE GOBIERNO}}
subfuncion: {{code: "1", name: PRESIDENCIA / GUBERNATURA}}
lineas:                                    # líneas de acción de la unidad (una o varias)
  - {{code: "8.1.3", name: ATENCIÓN CIUDADANA}}
goals:
  # El objetivo: número entero. META ANUAL y lo programado (P) de cada trimestre; los P suman la meta.
  - la: "8.1.3"
    number: "1"
    text: ATENDER LAS SOLICITUDES CIUDADANAS RECIBIDAS EN LA OFICINA.
    measure: SOLICITUD ATENDIDA
    meta: 400
    planned: [100, 100, 100, 100]
  # Una acción del objetivo 1. Una meta que es un porcentaje a mantener lleva  aggregation: average
  - la: "8.1.3"
    number: "1.1"
    text: REALIZAR REUNIONES DE SEGUIMIENTO CON LAS ÁREAS DE LA ADMINISTRACIÓN.
    measure: REUNIÓN
    meta: 12
    planned: [3, 3, 3, 3]
signatures:                                # quién firma el formato: cargo y nombre
  elaboro: {{cargo: TITULAR DE LA UNIDAD, name: NOMBRE DEL TITULAR}}
  reviso: {{cargo: COORDINADOR(A) DE PLANEACIÓN, name: NOMBRE DE QUIEN REVISA}}
  autorizo: {{cargo: TITULAR DE LA DEPENDENCIA, name: NOMBRE DE QUIEN AUTORIZA}}
contacts:                                  # opcional: a quién envía poaxl send el formato
  to: [titular@example.org]
"""


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
