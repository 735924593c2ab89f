"""``poaxl catalog import``: a catalog from the forms an office already has.

Hand-made TMM-F004 workbooks as offices keep them (the table found by its ``L/A`` header anywhere on
a sheet, the header block as label / code / name cells, signatures below) and forms poaxl generated
(identified by their hidden metadata, their aggregation read from their formulas). Only the plan is
taken: actual values and observations are not catalog data. Every workbook is untrusted: it is read
through ``read.read_book`` (size, zip and row limits before parsing), its texts are validated by the
catalog schema before anything is written, and no text of it becomes a path.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .catalog import CLASSIFICATION, QUARTERS, Catalog, CatalogError, dotted_path, schema_errors, spanish_error
from .errors import PoaxlError
from .files import folder_out
from .layout import COL, HEADER_FIELDS, SIGNATURES
from .read import FORM_SUFFIXES, Cell, Sheet, Unreadable

MAX_SOURCES = 5000  # a municipality has a few hundred forms; far more is a wrong folder
_GOAL = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*\.?\s*-\s*(.+)$", re.S)
_FORM_CODE = re.compile(r"^[A-Z]{2,6}-[A-Z]?\d{2,4}$")
_AGGREGATION = (("=SUM(", "sum"), ("=IF(COUNT(", "average"), ("=N(", "last"))


# --------------------------------------------------------------------------- what an import gives

@dataclass
class FormUnit:
    """One unit as a form states it: catalog-format data plus where it came from."""

    data: dict[str, Any]
    ramo: dict[str, str]
    source: str
    sheet: str
    year: int | None
    quarter: int | None
    generated: bool = False
    ayuntamiento: str | None = None
    form_code: str | None = None
    catalog_id: str | None = None
    averaged: list[str] = field(default_factory=list)   # goal numbers inferred as average: to review
    notes: list[str] = field(default_factory=list)      # what was odd in this form (Spanish)
    end: int = 0                                         # last row of the sheet the form used

    @property
    def key(self) -> tuple[str, str]:
        return self.ramo["code"].lstrip("0") or "0", self.data["code"].lstrip("0") or "0"

    @property
    def period(self) -> tuple[int, int]:
        return self.year or 0, self.quarter or 0

    @property
    def where(self) -> str:
        return f"{self.source}, hoja «{self.sheet}»"


@dataclass
class ImportResult:
    """What ``catalog import`` did: the units written, what was ambiguous, what could not be read."""

    out: Path | None = None
    catalog: Catalog | None = None
    units: list[FormUnit] = field(default_factory=list)
    ambiguities: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    head: dict[str, Any] = field(default_factory=dict)  # catalog fields of a catalog workbook among the sources

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.catalog.warnings if self.catalog else ()

    def to_dict(self) -> dict:
        return {"out": str(self.out) if self.out else None, "catalog": self.catalog.id if self.catalog else None,
                "units": [{"ramo": u.ramo["code"], "unit": u.data["code"], "name": u.data["name"],
                           "goals": len(u.data["goals"]), "source": u.source, "sheet": u.sheet,
                           "year": u.year, "quarter": u.quarter, "average_goals": u.averaged, "notes": u.notes}
                          for u in self.units],
                "ambiguities": self.ambiguities,
                "unreadable": [{"path": p, "reason": r} for p, r in self.unreadable],
                "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- cells

def norm(value: Any) -> str:
    """A label as compared: upper case, no accents, single spaces, no trailing ``:`` or ``.``."""
    text = unicodedata.normalize("NFKD", text_of(value)).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.upper().split()).rstrip(":. ").strip()


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing ``.0``; surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


HEADER_LABEL = {f.key: f.label for f in HEADER_FIELDS}  # programa -> PROGRAMA, as the form says it
SIGNATURE_LABELS = {norm(label): key for key, label, _, _ in SIGNATURES}  # ELABORO -> elaboro


def _texts(row: list[Cell]) -> list[tuple[int, Any]]:
    """The non-empty cells of a row, in order, as (column, value)."""
    return [(c, cell.value) for c, cell in enumerate(row) if text_of(cell.value)]


def find_tables(sheet: Sheet) -> list[tuple[int, int]]:
    """(row, column) of every ``L/A`` header cell: anywhere on the sheet (a margin column, rows above),
    and several forms one below the other when an office keeps a whole ramo on one sheet."""
    return list(_table_headers(sheet))


def find_table(sheet: Sheet) -> tuple[int, int] | None:
    return next(_table_headers(sheet), None)


def _table_headers(sheet: Sheet) -> Iterator[tuple[int, int]]:
    for r, row in enumerate(sheet.rows):
        c = next((c for c, cell in enumerate(row) if isinstance(cell.value, str) and norm(cell.value) == "L/A"), None)
        if c is not None:
            yield r, c


def _code(value: Any, width: int, notes: list[str], what: str) -> str:
    """A code cell as text. A code typed as a number (``1`` or ``1.0``) lost its leading zeros: restored."""
    text = text_of(value)
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
        value = float(text)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and text.isdigit() and len(text) < width:
        notes.append(f"el código de {what} «{text}» estaba escrito como número: se tomó como «{text.zfill(width)}»")
        return text.zfill(width)
    return text


# --------------------------------------------------------------------------- one sheet

def read_form(sheet: Sheet, meta: dict[str, str], source: str) -> FormUnit:
    """One form (a sheet, or the rows of one form on a sheet) as catalog data. Raises PoaxlError (Spanish)
    when it is not a usable form. ``FormUnit.end`` is the last row the form used."""
    found = find_table(sheet)
    if found is None:
        raise PoaxlError("no se encontró la tabla de metas (la fila de encabezado «L/A»)")
    header, c0 = found
    notes: list[str] = []
    head = _header_block(sheet, header, notes)
    goals, averaged, end = _goals(sheet, header, c0, bool(meta), notes)
    if not goals:
        raise PoaxlError("la tabla no tiene metas (filas con número y texto, como «2.1.- TEXTO»)")
    signatures, last = _signatures(sheet, end + 1, notes)
    ramo, unit = head.get("ramo"), head.get("unit")
    if meta.get("unit"):
        unit = {**(unit or {}), "code": meta["unit"]}
    if meta.get("ramo"):
        ramo = {**(ramo or {"name": ""}), "code": meta["ramo"]}
    if not ramo or not ramo.get("code"):
        raise PoaxlError("no se encontró el RAMO en el encabezado (fila «RAMO» con código y nombre)")
    if not unit or not unit.get("code"):
        raise PoaxlError("no se encontró la UNIDAD EJECUTORA o UNIDAD RESPONSABLE en el encabezado")
    missing = [k for k in CLASSIFICATION if k not in head]
    if missing:
        raise PoaxlError("faltan en el encabezado: " + ", ".join(HEADER_LABEL[m] for m in missing))
    if not head.get("lineas"):
        raise PoaxlError("no se encontraron las LÍNEAS DE ACCIÓN en el encabezado")
    data = {"code": unit["code"], "label": unit["label"], "name": unit["name"],
            **{k: head[k] for k in CLASSIFICATION},
            "lineas": head["lineas"], "goals": goals, "signatures": signatures}
    year = int(meta["year"]) if meta.get("year", "").isdigit() else head.get("year")
    quarter = int(meta["quarter"]) if meta.get("quarter", "").isdigit() else head.get("quarter")
    return FormUnit(data, ramo, source, sheet.name, year, quarter, generated=bool(meta),
                    ayuntamiento=head.get("ayuntamiento"), form_code=head.get("form_code"),
                    catalog_id=meta.get("catalog"), averaged=averaged, notes=notes, end=max(last, end))


def _header_block(sheet: Sheet, header: int, notes: list[str]) -> dict[str, Any]:
    """The header block above the table, read by layout.read_header (the checker's reader too), plus
    the titles a catalog needs: AYUNTAMIENTO and the form code."""
    from .layout import read_header

    rows = [_zeros_back([cell.value for cell in row], notes) for row in sheet.rows[:header]]
    head = read_header(rows)
    out: dict[str, Any] = {"year": head.year, "quarter": head.quarter}
    for key, coded in head.fields.items():
        out[key] = {"code": coded.code.strip(), "name": " ".join(coded.name.split())}
    if "unit" in out:
        out["unit"]["label"] = head.unit_label and norm(head.unit_label)
    out["lineas"] = [{"code": x.code.strip(), "name": " ".join(x.name.split())} for x in head.lineas]
    for row in rows:
        for value in row:
            _title(text_of(value), out)
    return out


def _zeros_back(row: list[Any], notes: list[str]) -> list[Any]:
    """RAMO and UNIDAD codes typed as numbers (1, 3) lost their zeros: they come back (01, 003), said so."""
    filled = [i for i, v in enumerate(row) if text_of(v)]
    if len(filled) < 2 or not isinstance(row[filled[0]], str):
        return row
    label = norm(row[filled[0]])
    width, what = (2, "ramo") if label == "RAMO" else (3, "unidad") if label.startswith("UNIDAD ") else (0, "")
    if width:
        row = list(row)
        row[filled[1]] = _code(row[filled[1]], width, notes, what)
    return row


def _title(text: str, out: dict[str, Any]) -> None:
    """AYUNTAMIENTO ... and the form code (TMM-F004): titles the header reader leaves out."""
    if text.upper().startswith("AYUNTAMIENTO") and "ayuntamiento" not in out:
        out["ayuntamiento"] = " ".join(text.split())
    if _FORM_CODE.match(text) and "form_code" not in out:
        out["form_code"] = text


def _number(cell: Cell, what: str, notes: list[str]) -> float:
    """META or P: a number, a number typed as text (``20,100``), or empty (0)."""
    from .check import parse_number

    if cell.formula:
        notes.append(f"{what}: es una fórmula ({text_of(cell.value)[:40]}); se tomó 0 — capture el valor")
        return 0
    value, kind = parse_number(cell.value)
    if kind == "text" or kind == "percent":
        notes.append(f"{what}: «{text_of(cell.value)[:40]}» no es un número; se tomó 0 — corríjalo en el catálogo")
        return 0
    if value is None:
        return 0
    if value < 0:
        notes.append(f"{what}: valor negativo {text_of(cell.value)}; se tomó 0")
        return 0
    return int(value) if float(value).is_integer() else value


def _goals(sheet: Sheet, header: int, c0: int, generated: bool,
           notes: list[str]) -> tuple[list[dict], list[str], int]:
    """The goal rows below the header (1 or 3 header rows), up to the signatures. Returns the goals,
    the numbers inferred as averages, and the row of the last goal."""
    goals, averaged = [], []
    last = header
    for r in range(header + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if any(isinstance(c.value, str) and norm(c.value) in SIGNATURE_LABELS for c in row):
            break
        cell = lambda key: sheet.get(r, c0 + COL[key])  # noqa: E731
        match = _GOAL.match(text_of(cell("goal").value))
        if not match:
            continue  # header rows (PERÍODO, Ene-Mar, P/A), blank rows
        number, text = match.group(1), match.group(2).strip().lstrip("- ").strip()
        what = f"meta {number}"
        meta = _number(cell("meta"), f"{what}, META ANUAL", notes)
        planned = [_number(cell(f"p{q}"), f"{what}, P{q}", notes) for q in QUARTERS]
        goal = {"la": text_of(cell("la").value), "number": number, "text": " ".join(text.split()),
                "measure": " ".join(text_of(cell("measure").value).split()), "meta": meta, "planned": planned}
        aggregation = _formula_aggregation(cell("absolute")) if generated else None
        if aggregation is None and meta > 0 and all(p == meta for p in planned):
            aggregation = "average"
            averaged.append(number)
        if aggregation and aggregation != "sum":
            goal["aggregation"] = aggregation
        goals.append(goal)
        last = r
    return goals, averaged, last


def _formula_aggregation(cell: Cell) -> str | None:
    """A poaxl form says its aggregation in its AVANCE ABSOLUTO formula."""
    if not cell.formula:
        return None
    text = str(cell.value).replace(" ", "").upper()
    return next((agg for prefix, agg in _AGGREGATION if text.startswith(prefix)), None)


def _signatures(sheet: Sheet, start: int, notes: list[str]) -> tuple[dict[str, dict[str, str]], int]:
    """ELABORÓ / REVISÓ / AUTORIZÓ and, under each, the cargo and then the name; and the last row used."""
    out = {key: {"cargo": "", "name": ""} for key in SIGNATURE_LABELS.values()}
    last = start
    for r in range(start, min(len(sheet.rows), start + 12)):
        labels = [(c, SIGNATURE_LABELS[norm(v)]) for c, v in _texts(sheet.rows[r]) if norm(v) in SIGNATURE_LABELS]
        if not labels:
            continue
        bounds = [c for c, _ in labels] + [len(max(sheet.rows, key=len))]
        for (c, key), stop in zip(labels, bounds[1:]):
            below = []
            for rr in range(r + 1, min(len(sheet.rows), r + 9)):
                found = [v for cc, v in _texts(sheet.rows[rr]) if c <= cc < stop]
                if found:
                    below.append(" ".join(text_of(found[0]).split()))
                    last = max(last, rr)
                if len(below) == 2:
                    break
            if len(below) == 2:
                out[key] = {"cargo": below[0], "name": below[1]}
        break
    if not any(s["name"] for s in out.values()):
        notes.append("no se encontraron las firmas (ELABORÓ / REVISÓ / AUTORIZÓ con cargo y nombre)")
    return out, last


# --------------------------------------------------------------------------- many files

def sources(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders as their .xlsx/.xlsm (recursively, sorted; lock files and hidden left out)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in FORM_SUFFIXES and f.is_file()
                          and not f.name.startswith(("~$", ".~lock", ".")))
        else:
            out.append(p)
        if len(out) > MAX_SOURCES:
            raise PoaxlError(f"Demasiados archivos ({len(out)}; máximo {MAX_SOURCES}): indique la carpeta de "
                             "los formatos.")
    return out


def read_forms(paths: Iterable[str | Path], result: ImportResult,
               progress: Callable[[Path], None] | None = None) -> list[FormUnit]:
    """Every form sheet of every source; unreadable files and sheets go to ``result.unreadable``."""
    from .read import read_book

    from .catalog_book import is_catalog_book

    forms: list[FormUnit] = []
    for path in sources(paths):
        if is_catalog_book(path):
            forms += _book_units(path, result)
            if progress:
                progress(path)
            continue
        try:
            book = read_book(path)
        except Unreadable as exc:
            result.unreadable.append((str(path), str(exc)))
            continue
        finally:
            if progress:
                progress(path)
        tables = [(s, headers) for s in book.sheets if (headers := [r for r, _ in find_tables(s)])]
        if not tables:
            result.unreadable.append((str(path), "no contiene un formato TMM-F004 (no se encontró la tabla de "
                                                 "metas con el encabezado «L/A»)"))
        for sheet, headers in tables:
            meta = book.meta if book.meta and (len(tables) == 1 or book.meta.get("sheet") == sheet.name) else {}
            forms += _sheet_forms(sheet, headers, meta, str(path), result)
    return forms


def _sheet_forms(sheet: Sheet, headers: list[int], meta: dict[str, str], source: str,
                 result: ImportResult) -> list[FormUnit]:
    """Each form on a sheet (``headers``: the rows of its L/A cells): one, or several one below the other
    (each read from where the last ended)."""
    forms, start = [], 0
    for k, header in enumerate(headers):
        stop = headers[k + 1] if k + 1 < len(headers) else len(sheet.rows)
        part = Sheet(sheet.name, sheet.rows[start:stop]) if len(headers) > 1 else sheet
        where = f"{source}, hoja «{sheet.name}»" + (f", fila {header + 1}" if len(headers) > 1 else "")
        try:
            form = read_form(part, meta if len(headers) == 1 else {}, source)
        except PoaxlError as exc:
            result.unreadable.append((where, str(exc)))
            start = header + 1
            continue
        if len(headers) > 1:
            form.sheet = f"{sheet.name}, fila {header + 1}"
        forms.append(form)
        start = start + form.end + 1
    return forms


BOOK_QUARTER = 5  # a catalog workbook is the office's edited plan: it wins over the forms of its year


def _book_units(path: Path, result: ImportResult) -> list[FormUnit]:
    """A catalog workbook (poaxl catalog export) among the sources: its units, and its general data."""
    from .catalog import load_catalog
    from .catalog_files import catalog_to_data

    try:
        cat = load_catalog(path)
    except CatalogError as exc:
        result.unreadable.append((str(path), "el libro de catálogo tiene errores: " + "; ".join(exc.problems[:5])))
        return []
    data = catalog_to_data(cat)
    result.head = {k: v for k, v in data.items() if k in ("id", "ayuntamiento", "year", "quarter", "form_code", "mail")}
    ramos = {r.code: {"code": r.code, "name": r.name} for r in cat.ramos}
    return [FormUnit({k: v for k, v in raw.items() if k != "ramo"}, ramos[unit.ramo.code], str(path), "Unidades",
                     cat.year, BOOK_QUARTER, ayuntamiento=cat.ayuntamiento, form_code=cat.form_code,
                     catalog_id=cat.id) for unit, raw in zip(cat.units, data["units"])]


def choose(forms: list[FormUnit], result: ImportResult) -> list[FormUnit]:
    """One form per unit (ramo + code): the later period wins, and the report says so."""
    chosen: dict[tuple[str, str], FormUnit] = {}
    for form in forms:
        other = chosen.get(form.key)
        if other is None:
            chosen[form.key] = form
            continue
        new, old = (form, other) if form.period > other.period else (other, form)
        label = f"{form.ramo['code']}-{form.data['code']}"
        if form.period == other.period:
            new, old = other, form
            result.ambiguities.append(f"unidad {label}: dos formatos del mismo periodo ({old.where} y {new.where}); "
                                      f"se tomó {new.where} — revise cuál es el vigente")
        else:
            result.ambiguities.append(f"unidad {label}: dos formatos ({old.where}, {_period(old)}; {new.where}, "
                                      f"{_period(new)}); se tomó el del periodo más reciente: {new.where}")
        chosen[form.key] = new
    return sorted(chosen.values(), key=lambda f: (f.ramo["code"], int(f.data["code"]) if f.data["code"].isdigit()
                                                 else 0, f.data["code"]))


def _period(form: FormUnit) -> str:
    if form.quarter == BOOK_QUARTER:
        return f"catálogo {form.year}"
    return f"T{form.quarter} {form.year}" if form.quarter and form.year else "periodo desconocido"


def _common(values: Iterable[Any], default: Any) -> Any:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else default


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"^ayuntamiento( de)?\s+", "", ascii_text)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.split(",")[0]).strip("-")[:40] or "poa"


def catalog_data(units: list[FormUnit], result: ImportResult, catalog_id: str | None = None) -> dict[str, Any]:
    """The catalog.yaml fields (and units) the chosen forms agree on; disagreements are reported."""
    latest = max((u.period for u in units), default=(0, 0))
    ayuntamiento = _common((u.ayuntamiento for u in units), "AYUNTAMIENTO")
    if len({u.ayuntamiento for u in units if u.ayuntamiento}) > 1:
        result.ambiguities.append("los formatos escriben distinto el ayuntamiento (" + "; ".join(
            sorted({u.ayuntamiento for u in units if u.ayuntamiento})) + f"); se tomó «{ayuntamiento}»")
    if ayuntamiento == "AYUNTAMIENTO":
        result.ambiguities.append("ningún formato dice el AYUNTAMIENTO: escríbalo en catalog.yaml")
    year = latest[0] or _common((u.year for u in units), 2000)
    ids = {u.catalog_id for u in units if u.catalog_id}
    ident = catalog_id or (ids.pop() if len(ids) == 1 else f"{_slug(ayuntamiento)}-{year}")
    ramos: dict[str, dict[str, str]] = {}  # by the code without leading zeros: "1" and "01" are one ramo
    for u in units:
        known = ramos.setdefault(u.key[0], u.ramo)
        if known["name"] != u.ramo["name"]:
            result.ambiguities.append(f"ramo {u.ramo['code']}: nombres distintos («{known['name']}» y "
                                      f"«{u.ramo['name']}», {u.where}); se tomó «{known['name']}»")
    data: dict[str, Any] = {"id": ident, "ayuntamiento": ayuntamiento, "year": year,
                            "quarter": latest[1] if latest[1] in QUARTERS else 1,
                            "form_code": _common((u.form_code for u in units), "TMM-F004")}
    data.update((k, v) for k, v in result.head.items() if k != "id" or not catalog_id)  # a catalog workbook's own
    if len(ramos) == 1:
        data["ramo"] = next(iter(ramos.values()))
    else:
        data["ramos"] = [ramos[k] for k in sorted(ramos, key=lambda k: (len(k), k))]
    data["units"] = [dict(u.data, **({"ramo": ramos[u.key[0]]["code"]} if len(ramos) > 1 else {})) for u in units]
    return data


def _valid_units(units: list[FormUnit], result: ImportResult) -> list[FormUnit]:
    """Drop (and report) each unit the schema refuses, so one bad form does not sink the import. The
    validator is the catalog loader's (schema_errors): what passes here also loads (``"003\n"`` is no code)."""
    kept = []
    for unit in units:
        errors = sorted(schema_errors(unit.data, part="unit"), key=lambda e: list(e.absolute_path))
        if errors:
            why = "; ".join(f"{dotted_path(e.absolute_path)}: {spanish_error(e)}" for e in errors[:3])
            result.unreadable.append((unit.where, f"la unidad {unit.data.get('code')} no se importó: {why}"))
        else:
            kept.append(unit)
    return kept


def import_catalog(paths: Iterable[str | Path], out: str | Path, *, force: bool = False,
                   catalog_id: str | None = None,
                   progress: Callable[[Path], None] | None = None) -> ImportResult:
    """Read the forms, choose one per unit, validate, and write ``out`` (catalog.yaml + units/)."""
    out = folder_out(out, force)
    result = ImportResult()
    forms = read_forms(paths, result, progress)
    units = choose(forms, result)
    units = _valid_units(units, result)
    if not units:
        raise ImportFailed(result)
    data = catalog_data(units, result, catalog_id)
    from .catalog_files import write_catalog

    result.catalog = write_catalog(data, out, force=force, comments=[_unit_comments(u) for u in units])
    result.units, result.out = units, out
    return result


class ImportFailed(PoaxlError):
    """Nothing could be imported: the message lists each file and why."""

    def __init__(self, result: ImportResult):
        self.result = result
        lines = [f"{path}: {why}" for path, why in result.unreadable] or ["no se indicó ningún formato .xlsx"]
        super().__init__("No se pudo importar ninguna unidad:\n" + "\n".join(lines))


def _unit_comments(unit: FormUnit) -> dict[str, Any]:
    """What each unit's YAML says about its origin, and per goal what to review."""
    kind = "libro de catálogo" if unit.quarter == BOOK_QUARTER else \
        "generado por poaxl" if unit.generated else "hecho a mano"
    head = [f"Importada de: {unit.source}", f"Hoja: {unit.sheet} ({kind}; {_period(unit)})"]
    head += [f"Revise: {n}" for n in unit.notes]
    goals = {n: "REVISE: todos los P son iguales a la META ANUAL; se tomó como un porcentaje a mantener "
                "(aggregation: average). Si es una cantidad que se suma, cambie a sum y corrija P."
             for n in unit.averaged}
    return {"head": head, "goals": goals}
