"""The catalog: which units exist, their goals and planned values. Loaded from YAML, validated
against ``schemas/catalog.schema.json`` and linted; the single source of planned data for the
generator and the checker."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from .errors import CatalogError, PoaxlError
from .findings import GOAL_NUMBERING, PLANNED_SUM_MISMATCH, UNKNOWN_LINEA, FindingType, number, text
from .hashes import sha256

QUARTERS = (1, 2, 3, 4)  # every loop over the quarters uses this
CLASSIFICATION = ("programa", "finalidad", "funcion", "subfuncion")  # a unit's coded fields besides ramo
QUARTER_NAMES = ("Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic")
MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
CUTOFF = ((3, 31), (6, 30), (9, 30), (12, 31))


def _data_dir(folder: str) -> Path:
    """Shipped data: ``poaxl/<folder>`` when installed, ``<checkout>/<folder>`` in a source tree."""
    here = Path(__file__).resolve().parent
    installed = here / folder
    return installed if installed.is_dir() else here.parent / folder


def builtin_catalog_path() -> Path:
    return _data_dir("templates")


def schema_path(name: str = "catalog.schema.json") -> Path:
    return _data_dir("schemas") / name


@dataclass(frozen=True)
class Goal:
    """One row of the goals table. ``number`` is "2" for the objective, "2.1" for an action."""

    la: str
    number: str
    text: str
    measure: str
    meta: float
    planned: tuple[float, float, float, float]
    aggregation: str = "sum"

    @property
    def label(self) -> str:
        """The text in column B, as the official form writes it: ``2.1.- TEXT``."""
        return f"{self.number}.- {self.text}"

    def to_date(self, values: Sequence[float | None], quarter: int) -> float:
        """Accumulate quarterly values up to ``quarter`` following the goal's aggregation.

        sum: the total; average: the mean of the quarters with a value (rate goals);
        last: the value of the report quarter. Empty quarters count as nothing.
        """
        seen = [v for v in values[:quarter] if v is not None]
        if self.aggregation == "sum":
            return float(sum(seen))
        if self.aggregation == "average":
            return sum(seen) / len(seen) if seen else 0.0
        last = values[quarter - 1]
        return float(last) if last is not None else 0.0

    def planned_to_date(self, quarter: int) -> float:
        return self.to_date(self.planned, quarter)

    def relative(self, absolute: float) -> float | None:
        """ACUMULADO RELATIVO as a fraction (0.28 for 28 %); None when META is 0."""
        return absolute / self.meta if self.meta else None


class Coded(NamedTuple):
    """A code and its name (a ramo, programa, línea...). Small immutable records made at import are
    NamedTuples, not frozen dataclasses: under Python 3.11 these cost ~0.9 ms each to make, a NamedTuple
    0.1 ms, and every ``poaxl check`` is a new process."""

    code: str
    name: str


_FINGERPRINT_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps builds one per call


@dataclass(frozen=True, repr=False)  # no repr (~0.1 ms to make): a unit's would be pages long
class Unit:
    """One unidad ejecutora/responsable of one ramo. ``code`` repeats across ramos (each ramo may have
    its 001 OFICINA DEL TITULAR): ``key`` (``01-003``) is what identifies a unit in a municipality."""

    code: str
    label: str
    name: str
    programa: Coded
    finalidad: Coded
    funcion: Coded
    subfuncion: Coded
    lineas: tuple[Coded, ...]
    goals: tuple[Goal, ...]
    signatures: dict[str, dict[str, str]]
    contacts: dict[str, list[str]] = field(default_factory=dict)
    source: str = ""
    ramo: Coded | None = None
    # where the office corrects what a lint warning is about, by (goal index, finding code), when the catalog
    # can say more than ``source`` (a workbook: the goal's own cell in «Metas», not its unit's row)
    places: dict[tuple[int, str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def key(self) -> str:
        """Ramo and unit code, ``01-003``: unique in a catalog (the code alone is not)."""
        return f"{self.ramo.code}-{self.code}" if self.ramo else self.code

    def fingerprint(self) -> str:
        """Hash of everything the coordinator must not change; embedded in every generated file.

        Numbers and texts are normalised (60.0 is 60, outer spaces dropped) so the plan read back from a
        form hashes like the catalog it came from: that tells an out-of-date form from an edited one.
        Computed once per unit (the checker asks for it on every file of a batch)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is not None:
            return cached

        def n(x: float) -> float:
            return int(x) if float(x).is_integer() else float(x)

        rows = [[g.la.strip(), g.number, g.text.strip(), g.measure.strip(), n(g.meta), [n(p) for p in g.planned],
                 g.aggregation] for g in self.goals]
        blob = _FINGERPRINT_JSON.encode([self.code, rows])
        digest = sha256(blob.encode("utf-8")).hexdigest()[:16]
        object.__setattr__(self, "_fingerprint", digest)  # frozen: the fields never change, the hash neither
        return digest


@dataclass(frozen=True, repr=False)  # no repr (~0.1 ms to make): a catalog's would be pages long
class Catalog:
    """A municipality's POA: one or several ramos, each with its units.

    ``ramo`` is the first (default) ramo: a single-ramo catalog (the built-in one) has only it.
    """

    id: str
    ayuntamiento: str
    year: int
    quarter: int
    form_code: str
    ramo: Coded
    units: tuple[Unit, ...]
    mail: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source: str = ""
    ramos: tuple[Coded, ...] = ()

    def __post_init__(self):
        if not self.ramos:
            object.__setattr__(self, "ramos", (self.ramo,))

    @property
    def multi_ramo(self) -> bool:
        return len(self.ramos) > 1

    def unit_id(self, unit: Unit) -> str:
        """How files, logs and reports name a unit: ``003`` in a one-ramo catalog, ``01-003`` otherwise."""
        return unit.key if self.multi_ramo else unit.code

    def find_ramo(self, code: str | Coded) -> Coded:
        """A ramo by code; ``1`` matches ``01``. Unknown: a Spanish error listing the ramos."""
        wanted = (code.code if isinstance(code, Coded) else str(code)).strip()
        for ramo in self.ramos:
            if ramo.code == wanted or _same_code(ramo.code, wanted):
                return ramo
        valid = ", ".join(f"{r.code} {r.name}" for r in self.ramos)
        raise PoaxlError(text("ramo-not-in-catalog", ramo=code, catalog=self.id, valid=valid))

    def units_of(self, ramo: str | Coded | None = None) -> list[Unit]:
        """The units of one ramo (all units without ``ramo``)."""
        if ramo is None:
            return list(self.units)
        wanted = self.find_ramo(ramo)
        return [u for u in self.units if u.ramo == wanted]

    @cached_property
    def _by_code(self) -> dict[str, list[Unit]]:
        """Units by code, so that finding one stays O(1) in a catalog of 10,000 units."""
        index: dict[str, list[Unit]] = {}
        for u in self.units:
            index.setdefault(u.code, []).append(u)
        return index

    @cached_property
    def _by_number(self) -> dict[str, list[Unit]]:
        """Units by code without leading zeros (``46`` finds ``0046``); only whole-number codes."""
        index: dict[str, list[Unit]] = {}
        for u in self.units:
            if u.code.isdigit():
                index.setdefault(u.code.lstrip("0"), []).append(u)
        return index

    def unit(self, code: str, ramo: str | Coded | None = None) -> Unit:
        """Find a unit by ``003`` (when only one ramo has it), ``01-003`` (always), or code + ``ramo``.

        ``46`` matches ``0046`` (codes are strings, leading zeros are not significant). A code found
        in several ramos is an error listing the candidates (``01-003``, ``05-003``)."""
        wanted = str(code).strip()
        if ramo is None and "-" in wanted:
            ramo, wanted = (part.strip() for part in wanted.split("-", 1))
        only = None if ramo is None else self.find_ramo(ramo)
        exact = [u for u in self._by_code.get(wanted, ()) if only is None or u.ramo == only]
        found = exact or [u for u in self._by_number.get(wanted.lstrip("0"), ()) if wanted.isdigit()
                          and (only is None or u.ramo == only)]
        if len(found) == 1:
            return found[0]
        if found:
            keys = ", ".join(u.key for u in found)
            raise PoaxlError(text("unit-ambiguous", unit=code, catalog=self.id, keys=keys, example=found[0].key,
                                  ramo=found[0].ramo.code))
        where = f" del ramo {self.find_ramo(ramo).code}" if ramo is not None else ""
        pool = self.units_of(ramo)
        valid = ", ".join(self.unit_id(u) for u in pool[:30]) + (f"… ({len(pool)} en total)" if len(pool) > 30 else "")
        raise PoaxlError(text("unit-not-in-catalog", unit=code, where=where, catalog=self.id, valid=valid))

    def select(self, codes: Iterable[str] = (), all_units: bool = False,
               ramo: str | Coded | None = None) -> list[Unit]:
        """The units a command works on: all of them (of ``ramo``), or those named (each once, in order)."""
        codes = list(codes)
        if all_units and codes:
            raise PoaxlError(f"Indique --unit o --all, no ambos (se recibió --all y --unit {', '.join(codes)}).")
        if all_units or (ramo is not None and not codes):
            chosen = self.units_of(ramo)
        else:
            chosen = [self.unit(c, ramo) for c in codes]
        if not chosen:
            raise PoaxlError("Indique al menos una unidad con --unit CODIGO (repetible), --all para todas o "
                             "--ramo RAMO para las de un ramo. Unidades: "
                             + ", ".join(self.unit_id(u) for u in self.units))
        return list({u.key: u for u in chosen}.values())

    def to_dict(self, ramo: str | None = None) -> dict:
        """`units --format json`: the catalog's units (of one ramo, or all)."""
        return {"catalog": self.id, "year": self.year, "units": [
            {"code": u.code, "ramo": u.ramo.code, "key": u.key, "name": u.name, "label": u.label,
             "goals": len(u.goals)} for u in self.units_of(ramo)]}

    def cutoff(self, quarter: int) -> str:
        """The FECHA of the form: the quarter's cut-off date, as ``30-jun-20``."""
        month, day = CUTOFF[quarter - 1]
        return f"{day:02d}-{MONTHS[month - 1]}-{self.year % 100:02d}"


# --------------------------------------------------------------------------- loading

def load_catalog(path: str | os.PathLike | Catalog | None = None) -> Catalog:
    """Load, validate and lint a catalog (a directory, a single YAML file, or a catalog workbook .xlsx).

    Without ``path``, ``$POAXL_CATALOG`` or the built-in catalog is used; a Catalog is returned as
    it is (so every library function takes either). Raises CatalogError with Spanish messages
    ``file: path.to.field: problem``.
    """
    if isinstance(path, Catalog):
        return path
    if path is None:
        path = os.environ.get("POAXL_CATALOG") or builtin_catalog_path()
    root = Path(path).resolve()
    stamp = tuple(sorted((str(f), f.stat().st_mtime_ns) for f in root.rglob("*.y*ml"))) if root.is_dir() else (
        root.stat().st_mtime_ns if root.exists() else 0)
    return _load_cached(str(root), stamp)


@lru_cache(maxsize=8)
def _load_cached(path: str, stamp: object) -> Catalog:
    """Parsing and validating is the slow part of a check; files are re-read when they change."""
    root = Path(path)
    builtin = root == builtin_catalog_path().resolve()  # a pip user has no such files to edit: not named
    data = builtin_data() if builtin else None
    if data is not None:  # the very catalog the test suite validated: no YAML, no jsonschema, no measuring
        return _build(data, [""] * len(data.get("units") or []), fitted=True)
    from .safeyaml import paused_gc

    with paused_gc():
        return _read_catalog(root, builtin)


def _read_catalog(root: Path, builtin: bool) -> Catalog:
    """A catalog other than the stamped built-in one: read, validated, linted and measured."""
    if not root.exists():
        raise CatalogError([f"{root}: no existe el catálogo (archivo o carpeta)."])
    if root.suffix.lower() in (".ods", ".xls"):
        raise CatalogError([f"{root}: un catálogo en libro debe ser .xlsx: ábralo y use Guardar como > Libro de "
                            "Excel (.xlsx)."])
    if root.suffix.lower() in (".xlsx", ".xlsm"):  # the catalog as a workbook (poaxl catalog export)
        from .catalog_book import read_book

        data, origins, book = read_book(root)
        _validate(data, str(root), origins, book.problem)
        return _build(data, origins, book.locate)
    data, head, origins = _read_tree(root)
    _validate(data, head, origins)
    shown = {o: "" if builtin else _shown(o, root) for o in set(origins)}  # a file of many units: named once
    return _build(data, [shown[o] for o in origins], head=_shown(head, root), files=(head, origins))


# --------------------------------------------------------------------------- the built-in catalog's stamp

STAMP = "validated.json"  # in templates/: hash + parsed data of the built-in catalog the tests validated


def builtin_digest() -> str:
    """sha256 of the built-in catalog's files and the catalog schema (names and bytes)."""
    root = builtin_catalog_path()
    digest = sha256()
    for file in [schema_path(), *sorted(root.rglob("*.y*ml"))]:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def builtin_data() -> dict | None:
    """The built-in catalog's data when its files are byte for byte the ones the test suite validated
    (the stamp's hash matches): then neither PyYAML nor jsonschema is imported or run, ~0.1 s of every
    command, nor is every text measured against its printed row (~5 ms: write_builtin_stamp refuses a
    catalog whose texts do not fit). Anything else, a --catalog or an edited installation, is read,
    validated and measured."""
    try:
        stamp = json.loads((builtin_catalog_path() / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("digest") != builtin_digest():
        return None
    return stamp.get("data")


def write_builtin_stamp() -> Path:
    """Validate the built-in catalog and record its hash and data (run after editing templates/ or the
    schema: ``python -c "from poaxl.catalog import write_builtin_stamp; write_builtin_stamp()"``).

    Every check of any other catalog runs first (the texts that must fit their rows too): a stamped
    catalog is loaded without them, so a catalog that fails one is never stamped."""
    root = builtin_catalog_path()
    data, head, origins = _read_tree(root)
    _validate(data, head, origins)
    _build(data, origins, head=head, files=(head, origins))  # raises CatalogError
    target = root / STAMP
    target.write_text(json.dumps({"digest": builtin_digest(), "data": data}, ensure_ascii=False, indent=1,
                                 sort_keys=True) + "\n", encoding="utf-8")
    return target


def build_catalog(data: dict, head: str = "", origins: list[str] | None = None) -> Catalog:
    """Validate and lint catalog data already in memory (an import, a workbook): load_catalog's rules.

    ``origins`` names where each unit came from, for messages; raises CatalogError."""
    units = data.get("units") if isinstance(data, dict) else None
    origins = origins if origins is not None else [head] * (len(units) if isinstance(units, list) else 0)
    _validate(data, head, origins)
    return _build(data, origins, head=head)


def _read_yaml(path: Path | list[Path]) -> Any:
    """One catalog file (or the list of several's documents), read safely (regular file, size, aliases:
    see poaxl.safeyaml)."""
    from .safeyaml import YamlRefused, load, load_many

    try:
        return load_many(path, "catálogo") if isinstance(path, list) else load(path, "catálogo")
    except YamlRefused as exc:
        raise CatalogError([str(exc)]) from None


def _read_tree(root: Path) -> tuple[dict, str, list[str]]:
    """Read catalog.yaml + units/*.yaml (or one file): the data, the head file and each unit's file."""
    head = root / "catalog.yaml" if root.is_dir() else root  # a FIFO or device: refused by _read_yaml
    if root.is_dir() and not head.exists():
        raise CatalogError([f"{root}: falta catalog.yaml en la carpeta del catálogo."])
    data = _read_yaml(head)
    if not isinstance(data, dict):
        raise CatalogError([f"{head}: el catálogo debe ser un mapa YAML (clave: valor)."])
    units = data.get("units") or []
    if not isinstance(units, list):
        return data, str(head), []
    origins = [str(head)] * len(units)
    if root.is_dir():
        files = sorted((root / "units").rglob("*.y*ml"))  # units/05/001.yaml too
        units += _read_yaml(files)
        origins += map(str, files)
        data["units"] = units
    return data, str(head), origins


# PyYAML's problems (English) and what to do about them, most common first
YAML_PROBLEMS = (
    ("mapping values are not allowed", "hay un «:» donde no se esperaba (un texto con «: » debe ir entre comillas)"),
    ("could not find expected ':'", "falta el «:» después de un nombre de campo"),
    ("tab character", "hay un tabulador en la sangría: use espacios"),
    ("'\\t' that cannot start", "hay un tabulador en la sangría: use espacios"),
    ("cannot start any token", "hay un carácter que no puede iniciar un valor (ponga el texto entre comillas)"),
    ("expected <block end>", "la sangría no coincide con la de las líneas anteriores"),
    ("expected ',' or ']'", "falta «,» o «]» en una lista entre corchetes"),
    ("expected ',' or '}'", "falta «,» o «}» en un mapa entre llaves"),
    ("found unexpected end of stream", "el archivo termina antes de cerrar unas comillas"),
    ("found unknown escape character", "hay una «\\» inválida dentro de comillas dobles"),
    ("found undefined alias", "hay un alias «*» sin su ancla «&»"),
    ("block sequence entries are not allowed", "hay un «- » de lista donde se esperaba un valor"),
    ("found duplicate anchor", "hay un ancla «&» repetida"),
    ("could not determine a constructor", "hay una etiqueta «!…» que no se permite"),
    ("expected a single document", "hay más de un documento («---»): deje uno solo"),
    ("did not find expected key", "la sangría de una clave no coincide con la de las líneas anteriores"),
    ("did not find expected '-' indicator", "un elemento de lista «-» tiene otra sangría"),
    ("did not find expected node content", "falta un valor"),
)


def yaml_problem(exc, source: str | None = None) -> str:
    """A YAML syntax error in Spanish, with the line and column where the reader stopped. ``source``: the
    text read, to see the character the reader stopped at (libyaml does not say it is a tab)."""
    text = f"{exc.problem or ''} {exc.context or ''}"
    mark = exc.problem_mark or exc.context_mark
    if source is not None and mark is not None and _char_at(source, mark.line, mark.column) == "\t":
        text = "tab character"
    what = next((es for en, es in YAML_PROBLEMS if en in text),
                "error de sintaxis (revise la sangría, los «:» y las comillas)")
    where = f" (línea {mark.line + 1}, columna {mark.column + 1})" if mark else ""
    return f"YAML inválido{where}: {what}"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if 0 <= line < len(lines) else ""


# an example of each catalog field, for "falta el campo obligatorio" messages
_CODED = '{code: "01", name: PRESIDENCIA}'
_SIGNER = "{cargo: COORDINADOR DE ATENCIÓN CIUDADANA, name: LIC. NOMBRE APELLIDO}"
SHAPES = {
    "id": "id: mexicali-2020-r01 (minúsculas, números, «.», «-» o «_»)",
    "ayuntamiento": "ayuntamiento: AYUNTAMIENTO DE MEXICALI, B.C.",
    "year": "year: 2020", "quarter": "quarter: 2 (trimestre por omisión, 1 a 4)",
    "form_code": "form_code: TMM-F004", "ramo": f"ramo: {_CODED}",
    "units": "units: [...] (lista de unidades, o un archivo por unidad en units/)",
    "code": 'code: "003" (entre comillas)', "label": "label: UNIDAD EJECUTORA (o UNIDAD RESPONSABLE)",
    "name": "name: ATENCIÓN CIUDADANA",
    "programa": 'programa: {code: "010", name: GESTIÓN Y CONDUCCIÓN DE LA POLÍTICA DEL PRESIDENTE MUNICIPAL}',
    "finalidad": 'finalidad: {code: "1", name: GOBIERNO}',
    "funcion": 'funcion: {code: "3", name: COORDINACIÓN DE LA POLÍTICA DE GOBIERNO}',
    "subfuncion": 'subfuncion: {code: "1", name: PRESIDENCIA / GUBERNATURA}',
    "lineas": 'lineas: [{code: "8.1.3", name: ATENCIÓN CIUDADANA}]',
    "goals": "goals: [{la, number, text, measure, meta, planned}, ...]",
    "signatures": "signatures: {elaboro: {cargo, name}, reviso: {cargo, name}, autorizo: {cargo, name}}",
    "elaboro": f"elaboro: {_SIGNER}", "reviso": f"reviso: {_SIGNER}", "autorizo": f"autorizo: {_SIGNER}",
    "cargo": "cargo: COORDINADOR DE ATENCIÓN CIUDADANA",
    "la": 'la: "8.1.3"', "number": 'number: "2.1" (o "2" para el objetivo)',
    "text": "text: ATENDER A PERSONAS EN SITUACIÓN DE VULNERABILIDAD", "measure": "measure: APOYO",
    "meta": "meta: 420", "planned": "planned: [150, 160, 60, 50] (un valor por trimestre)",
}

_TYPES = {"string": "texto", "integer": "número entero", "number": "número", "array": "lista",
          "object": "mapa (clave: valor)", "boolean": "sí/no"}


# what each pattern of schemas/catalog.schema.json and contacts.schema.json asks for, said to a person
PATTERN_HINTS = {
    "^[a-z0-9][a-z0-9._-]*$": "minúsculas, números, «.», «-» y «_» (p. ej. mexicali-2021)",
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": "solo letras, números, «.», «-» y «_» (es parte del nombre de cada archivo)",
    "^[0-9A-Za-z][0-9A-Za-z.]*$": "letras, números y «.» (p. ej. 01 o 8.1.3)",
    "^[0-9]+$": 'solo dígitos (p. ej. "003")',  # a text already: quotes are not what it lacks
    "^[0-9]+(\\.[0-9]+)*$": "números separados por «.» (p. ej. 3 o 3.1)",
    "^\\d{4}-\\d{2}-\\d{2}$": "una fecha AAAA-MM-DD (p. ej. 2021-04-09)",
    "^([0-9A-Za-z][0-9A-Za-z.]*-)?[0-9]+$": 'el código de la unidad (p. ej. "003" o "05-003")',
    "^[^@\\s,;<>\"()]+@[^@\\s,;<>\"()]+\\.[^@\\s,;<>\"()]+$": "una sola dirección de correo (nombre@dominio.gob.mx)",
}


def spanish_error(error, typed: str | None = None) -> str:
    """One jsonschema error in words a planning office understands; ``typed`` is the text written in a
    YAML file for a value that YAML read as something else (0046, read as the number 38)."""
    v, val = error.validator, error.validator_value
    if v == "required":  # jsonschema reports each missing field as its own error, named in the message
        field_name = next((k for k in val if repr(k) in error.message), val[0])
        parent = next((p for p in reversed(error.absolute_path) if isinstance(p, str)), None)
        if field_name in ("code", "name", "cargo") and parent in SHAPES and parent != "units":
            example = SHAPES[parent]  # a finalidad's name is GOBIERNO, not a unit's name
        else:
            example = SHAPES.get(field_name)
        shape = f"; p. ej. {example}" if example else ""
        return f"falta el campo obligatorio «{field_name}»{shape}"
    if v == "type" and error.instance is None:
        return "no puede estar vacío"
    if v == "type" and val == "string" and typed:
        read = "un valor sí/no" if isinstance(error.instance, bool) else (
            f"el número {_brief(error.instance)}" if isinstance(error.instance, (int, float))
            and str(error.instance) != typed else "")
        return f'debe ser texto: escriba "{_brief(typed)}", entre comillas' + (
            f" (sin ellas, YAML lee {_brief(typed)} como {read})" if read else "")
    if v == "type":
        hint = ' (escriba los códigos entre comillas, p. ej. "003")' if val == "string" else ""
        return f"debe ser {_TYPES.get(val, val)}, no «{_brief(typed or error.instance)}»{hint}"
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)
        comma = all(error.instance[k] is None for k in extra)  # {name: A, B}: YAML reads B as a key with no value
        hint = " (¿una coma dentro de un texto? póngalo entre comillas, p. ej. name: \"SALUD, DEPORTE\")" if comma else ""
        return f"campo desconocido «{', '.join(map(str, extra))}»{hint}"
    if v in ("minItems", "maxItems"):
        if "planned" in error.absolute_path:
            return f"debe tener exactamente 4 valores trimestrales, uno por trimestre (tiene {len(error.instance)})"
        return f"debe tener {'al menos' if v == 'minItems' else 'a lo más'} {val} elemento(s)"
    if v == "enum":
        if not isinstance(error.instance, str) and str(error.instance) in val:  # a key 1 where "1" is meant
            return f'«{_brief(typed or error.instance)}» debe escribirse entre comillas, como texto: "{error.instance}"'
        return f"«{_brief(error.instance)}» no es válido; use uno de: {', '.join(map(str, val))}"
    if v in ("minimum", "maximum"):
        return f"{_brief(error.instance)} está fuera de rango ({'mínimo' if v == 'minimum' else 'máximo'} {val:g})"
    if v == "oneOf" and isinstance(error.instance, dict) and {"ramo", "ramos"} & set(error.instance) \
            or v == "oneOf" and not list(error.absolute_path):
        if isinstance(error.instance, dict) and {"ramo", "ramos"} <= set(error.instance):
            return "use «ramo» (un solo ramo) o «ramos» (varios ramos), no los dos"
        return "falta el campo obligatorio «ramo» (o «ramos», la lista, si el catálogo tiene varios ramos)"
    if v == "pattern" and isinstance(error.instance, str) and (
            not error.instance.isprintable() or error.instance != error.instance.strip()):
        v = "exact"  # a space, line break or zero-width character: quoted plainly it would look valid
    if v == "pattern":
        hint = PATTERN_HINTS.get(val, "")
        return f"«{_brief(error.instance)}» no tiene el formato esperado{': ' + hint if hint else ''}"
    if v == "minLength":
        return "no puede estar vacío"
    if v == "exact":
        return f"«{_brief(error.instance)!r}» no es válido (¿un espacio, salto de línea o carácter invisible de más?)"
    if v == "maxLength":
        return f"es demasiado largo ({len(error.instance)} caracteres; a lo más {val})"
    return f"valor no válido ({v})"  # jsonschema's own message is English


def _brief(value) -> str:
    """A value quoted in a message: short (a 5,000-character text or a whole unit is not repeated)."""
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def dotted_path(parts: Iterable, data: Any = None) -> str:
    """``units[0].programa.code``; with ``data`` (what the path is in), a number that is a mapping's key
    is written as a key (``deadlines.1``), not as a list position (``deadlines[1]``)."""
    out = ""
    for p in parts:
        index = isinstance(p, int) and not isinstance(data, dict)
        out += f"[{p}]" if index else (f".{p}" if out else str(p))
        try:
            data = data[p] if data is not None else None
        except (KeyError, IndexError, TypeError):
            data = None
    return out or "(raíz)"


@lru_cache(maxsize=8)
def _schema(name: str, part: str | None = None) -> dict:
    """A shipped schema, or one of its ``$defs`` (``unit``) or a field of one (``unit.code``) as a schema
    of its own."""
    whole = json.loads(schema_path(name).read_text(encoding="utf-8"))
    if part is None:
        return whole
    definition, _, prop = part.partition(".")
    sub = whole["$defs"][definition]
    return (sub["properties"][prop] if prop else sub) | {"$schema": whole["$schema"], "$defs": whole["$defs"]}


@lru_cache(maxsize=8)
def _fast_validator(name: str, part: str | None = None):
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema(name, part))


class _FastError:
    """A problem only the exact validator sees (ECMA regex: ``$`` is the end, so ``"003\\n"`` is not a code)."""

    validator, validator_value, schema = "exact", None, {}

    def __init__(self, error):
        self.instance, self.absolute_path = error.instance, list(error.instance_path)


def schema_errors(data: Any, name: str = "catalog.schema.json", part: str | None = None) -> list:
    """The JSON Schema errors of ``data`` (jsonschema's error objects, for spanish_error), against the
    schema ``name`` or its ``$defs`` entry ``part`` (``unit``: one unit, as an import checks it; ``unit.code``:
    one field, as a catalog workbook checks a unit's code before the rows of other sheets name it).

    jsonschema-rs decides, fast and with the standard's regex rules (a 10,000-unit catalog in a tenth of
    a second); only an invalid document is walked again by jsonschema to phrase each problem."""
    try:
        if _fast_validator(name, part).is_valid(data):
            return []
        exact = True
    except (ValueError, TypeError, OverflowError):  # a YAML date (2020-07-10 unquoted) or bytes: not JSON
        exact = False
    from jsonschema import Draft202012Validator

    errors = list(Draft202012Validator(_schema(name, part)).iter_errors(data))
    if errors or not exact:
        return errors
    return [_FastError(e) for e in _fast_validator(name, part).iter_errors(data)][:50]


def _validate(data: dict, head: str, origins: list[str], phrase=None) -> None:
    """Validate against the JSON Schema; name the file each problem is in, and the field inside it.

    ``phrase`` (a workbook catalog's) says an error at its sheet, row and column, in the workbook's terms."""
    problems: list[tuple[str, int, str]] = []
    nodes: dict[str, Any] = {}  # each YAML file composed once, only to phrase its problems
    for error in schema_errors(data):
        path = list(error.absolute_path)
        if phrase is not None:
            problems.append(("", 0, phrase(error)))
            continue
        file, base = head, data
        if len(path) >= 2 and path[0] == "units" and isinstance(path[1], int) and path[1] < len(origins):
            file = origins[path[1]]
            if file != head:  # a unit file of its own: the path starts inside the unit
                base, path = data["units"][path[1]], path[2:]
        key = error.instance if _about_key(error) else None
        line = _line(file, path, nodes, key)
        where = _at(file, line)
        field = f"{dotted_path(path, base)}: " if path else ""  # the whole file (or unit file): no field
        message = spanish_error(error, typed_for(error, file, path, nodes))
        problems.append((file, line or 0, f"{where}: {field}{message}"))
    if problems:  # by file and line: the order in which the office reads and corrects them
        raise CatalogError(list(dict.fromkeys(text for *_, text in sorted(problems))))


def _about_key(error) -> bool:
    """The error is about a mapping's key (``deadlines: {7: …}``), not about a value."""
    return "propertyNames" in error.schema_path


def _line(file: str, path: list, nodes: dict[str, Any], key: Any = None) -> int | None:
    """The line of a YAML file where the value at ``path`` (or the entry that lacks it, or with ``key`` that
    mapping's bad key) is written: a catalog of hundreds of units is corrected by line, not by
    units[137].goals[3]."""
    if not path or not str(file).lower().endswith((".yaml", ".yml")):  # the whole file: no line to name
        return None
    from .safeyaml import compose, node_at, typed_keys

    if file not in nodes:
        nodes[file] = compose(file)
    node = node_at(nodes[file], path)
    if node is not None and key is not None:
        typed = typed_keys(node).get(key, str(key))
        node = next((k for k, _ in node.value if not getattr(k, "style", "?") and k.value == typed), node)  # unquoted
    return node.start_mark.line + 1 if node is not None else None


def typed_for(error, file: str, path: list, nodes: dict[str, Any]) -> str | None:
    """What was typed in ``file`` for a value, or a mapping key, that YAML did not read as text (only those
    need it): ``cc: no`` is read as false, a key ``01:`` as the number 1. ``nodes``: each file composed once."""
    key = error.validator == "enum" and "propertyNames" in error.schema_path
    if error.validator not in ("type", "enum") or isinstance(error.instance, (str, dict, list)) \
            or error.instance is None or not str(file).lower().endswith((".yaml", ".yml")):
        return None
    from .safeyaml import compose, node_at, typed_at, typed_keys

    if file not in nodes:
        nodes[file] = compose(file)
    if key:
        return typed_keys(node_at(nodes[file], path)).get(error.instance)
    return typed_at(nodes[file], path) if error.validator == "type" else None


def _shown(file: str, root: Path) -> str:
    """A file name as messages show it: relative to the catalog folder, which is named."""
    base = root if root.is_dir() else root.parent
    inside = str(base).rstrip(os.sep) + os.sep  # files come from base.rglob: the same spelling (string
    if not file.startswith(inside):               # operations: a folder of 10,000 unit files)
        return file
    return os.path.join(base.name, file[len(inside):])


def _coded(d: dict) -> Coded:
    return _coded_pair(str(d["code"]), d["name"])


@lru_cache(maxsize=4096)
def _coded_pair(code: str, name: str) -> Coded:
    """One Coded per code and name: units of a catalog share their programa, funcion... (frozen, so shared)."""
    return Coded(code, name)


def _same_code(a: str, b: str) -> bool:
    """``46`` and ``0046`` are the same code; ``8.1`` and ``08.1`` are not (only whole numbers)."""
    return a.isdigit() and b.isdigit() and a.lstrip("0") == b.lstrip("0")


def _ramos(data: dict) -> tuple[Coded, ...]:
    """``ramo`` (one) or ``ramos`` (several); the schema has already required exactly one of them."""
    if "ramos" in data:
        return tuple(_coded(r) for r in data["ramos"])
    return (_coded(data["ramo"]),)


def _unit_ramo(raw: dict, ramos: tuple[Coded, ...], origin: str) -> Coded:
    """The ramo a unit belongs to: its ``ramo`` field, required when the catalog has several."""
    code = raw.get("ramo")
    if code is None:
        if len(ramos) == 1:
            return ramos[0]
        raise CatalogError([f"{origin}: ramo: falta el campo «ramo» de la unidad {raw['code']}: el catálogo tiene "
                            f"varios ramos ({', '.join(r.code for r in ramos)})."])
    found = _ramo_index(tuple(r.code for r in ramos), str(code))
    if found is None:
        raise CatalogError([f"{origin}: ramo: el ramo «{code}» de la unidad {raw['code']} no está en la lista "
                            f"de ramos del catálogo ({', '.join(r.code for r in ramos)})."])
    return ramos[found]


@lru_cache(maxsize=1024)
def _ramo_index(codes: tuple[str, ...], code: str) -> int | None:
    """Which of the ramo ``codes`` is ``code`` (``5`` is ``05``): asked once per ramo, not per unit."""
    return next((i for i, c in enumerate(codes) if c == code or _same_code(c, code)), None)


def _build(data: dict, origins: list[str], locate=None, head: str = "",
           files: tuple[str, list[str]] | None = None, fitted: bool = False) -> Catalog:
    """The Catalog of validated ``data``; ``locate`` (a workbook's) places each warning at its goal's cell.
    ``fitted``: the stamped built-in catalog, whose texts write_builtin_stamp measured (not again)."""
    ramos = _ramos(data)
    _unique([r.code for r in ramos], lambda code: [f"{origins[0] if origins else ''}: ramos: el ramo «{code}» "
                                                   "está repetido."])
    units = [_unit(raw, origin, ramos) for raw, origin in zip(data["units"], origins)]
    if locate is not None:
        units = [_placed(unit, i, locate) for i, unit in enumerate(units)]
    units_in_order = list(units)  # as in the data, for the places of _refuse_misfits
    order = {r: i for i, r in enumerate(ramos)}
    units.sort(key=lambda u: (order[u.ramo], int(u.code), u.code))
    _refuse_repeated(units_in_order, origins, head, files)
    catalog = Catalog(
        id=data["id"], ayuntamiento=data["ayuntamiento"], year=data["year"], quarter=data["quarter"],
        form_code=data["form_code"], ramo=ramos[0], units=tuple(units), ramos=ramos,
        mail=data.get("mail", {}), source=origins[0] if origins else "",
    )
    if not fitted:
        _refuse_misfits(catalog, units_in_order, origins, locate, head, files)
    warnings = tuple(w for u in units for w in unit_warnings(u, len(ramos) > 1))
    return replace(catalog, warnings=warnings)


def _refuse_misfits(catalog: Catalog, units: list[Unit], origins: list[str], locate=None, head: str = "",
                    files: tuple[str, list[str]] | None = None) -> None:
    """Every text the form prints must fit its row (poaxl/printfit.py): one error per text that does not,
    at its cell of a catalog workbook, else in its file, line and field (``files``: the head's and each
    unit's file as read, to find the line), in the order of the files."""
    from .printfit import catalog_misfits, unit_misfits

    nodes: dict[str, Any] = {}

    def where(path: tuple, origin: str, i: int | None = None) -> tuple[str, int, str]:
        if locate is not None:
            return "", 0, locate(list(path))
        inside = list(path if origin == head else path[2:])  # a unit file of its own: from the unit
        line = _line(files[0] if i is None else files[1][i], inside, nodes) if files else None
        return origin, line or 0, _at(origin, line)

    problems = []
    for m in catalog_misfits(catalog):
        origin, line, shown = where(m.path, head)
        problems.append((origin, line, f"{shown}: {dotted_path(m.path)}: {m.message}"))
    several = catalog.multi_ramo
    for i, (unit, origin) in enumerate(zip(units, origins)):
        title = f"{unit.key} {unit.name}" if several else unit.title
        for m in unit_misfits(unit):
            path = ("units", i, *m.path)
            file, line, shown = where(path, origin, i)
            inside = path if locate is not None or origin == head else path[2:]
            field = "" if locate is not None else f"{dotted_path(inside)}: "
            problems.append((file, line, f"{shown}: {field}unidad {_brief(title)}, {m.message}"))
    if problems:
        raise CatalogError([text for *_, text in sorted(problems, key=lambda p: (p[0], p[1]))])


def _refuse_repeated(units: list[Unit], origins: list[str], head: str,
                     files: tuple[str, list[str]] | None) -> None:
    """A unit code twice in one ramo (``0046`` and ``46`` too): named where the second one is written, with
    the line of the first (in a file of hundreds of units, «ver catalogo.yaml» said nothing). Lines are
    looked for only then: composing a big catalog's YAML on every load would cost seconds."""
    nodes: dict[str, Any] = {}

    def place(i: int) -> tuple[str, int | None, list]:
        own_file = origins[i] != head
        path = ["code"] if own_file else ["units", i, "code"]
        return origins[i], _line(files[1][i] if own_file else files[0], path, nodes) if files else None, path

    seen: dict[tuple, int] = {}
    for i, unit in enumerate(units):
        key = (unit.ramo.code, unit.code.lstrip("0") or "0")
        if key in seen:
            (origin, line, path), (first, first_line, _) = place(i), place(seen[key])
            also = f"{first}, línea {first_line}" if first_line else first
            raise CatalogError([f"{_at(origin, line)}: {dotted_path(path)}: la unidad «{unit.code}» está repetida "
                                f"en el ramo {unit.ramo.code} (ver {also})."])
        seen[key] = i


def _at(file: str, line: int | None) -> str:
    """A file as a problem names it: with the line to correct when it is known."""
    return f"{file} (línea {line})" if line else file


def _placed(unit: Unit, i: int, locate) -> Unit:
    """``unit`` (the ``i``-th of the data) with the cell of each goal field its lint is about: the column
    the finding points to in a form (META, L/A, the goal's number), in the goal's own row."""
    def cell(lint: Lint) -> str:
        column = lint.kind.column
        name = "number" if column == "goal" else column  # the form's goal column starts with the number
        return locate(["units", i, "goals", lint.index, *([name] if name else [])])

    return replace(unit, places={(lint.index, lint.code): cell(lint) for lint in lint_unit(unit)})


def _unique(codes: list[str], problem) -> None:
    seen: set[str] = set()
    for code in codes:
        norm = code.lstrip("0") if code.isdigit() else code
        if norm in seen:
            raise CatalogError(problem(code))
        seen.add(norm)


def _unit(raw: dict, origin: str, ramos: tuple[Coded, ...]) -> Unit:
    goals = tuple(
        Goal(g["la"], g["number"], g["text"], g["measure"], g["meta"], tuple(g["planned"]),
             g.get("aggregation", "sum"))
        for g in raw["goals"]
    )
    return Unit(
        code=raw["code"], label=raw["label"], name=raw["name"], programa=_coded(raw["programa"]),
        finalidad=_coded(raw["finalidad"]), funcion=_coded(raw["funcion"]),
        subfuncion=_coded(raw["subfuncion"]), lineas=tuple(_coded(x) for x in raw["lineas"]),
        goals=goals, signatures=raw["signatures"], contacts=raw.get("contacts", {}), source=origin,
        ramo=_unit_ramo(raw, ramos, origin),
    )


# --------------------------------------------------------------------------- lint

class Lint(NamedTuple):
    """A planning problem in the catalog itself; the checker reports the same ones as findings."""

    kind: FindingType
    goal: Goal
    index: int
    variant: str = ""
    fields: Mapping[str, Any] = MappingProxyType({})  # the message's {fields} (an empty one is shared: read-only)

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def message(self) -> str:
        """What is wrong, in Spanish (the registry's template filled in)."""
        return self.kind.problem(self.variant, **self.fields)


def unit_warnings(unit: Unit, several_ramos: bool = False) -> list[str]:
    """The lint of one unit as the planning office reads it: ``unidad 002 …, meta 6: problem``, and the
    catalog file to correct when it is the office's own (the built-in catalog's files are not theirs).
    With several ramos the unit is named with its ramo: ``unidad 05-002 …``."""
    title = f"{unit.key} {unit.name}" if several_ramos else unit.title
    out = []
    for lint in lint_unit(unit):
        place = unit.places.get((lint.index, lint.code), unit.source)
        out.append(f"unidad {title}, meta {lint.goal.number}: {lint.message}" + (f" (en {place})" if place else ""))
    return out


def _la_key(code: str) -> str:
    return code.strip().rstrip(".")


def lint_unit(unit: Unit) -> list[Lint]:
    """P not adding up to META (sum goals), goal numbering out of sequence, unknown L/A codes."""
    return lint_goals(unit.goals, unit.lineas)


def lint_goals(goals: Sequence[Goal], lineas: Sequence[Coded] | None) -> list[Lint]:
    """The lint rules on a list of goals; ``lineas=None`` skips the L/A rule (unknown líneas)."""
    out: list[Lint] = []
    known = {_la_key(l.code) for l in lineas or ()}
    objective, expected_action, seen = None, 1, set()
    for i, g in enumerate(goals):
        if g.aggregation == "sum" and abs(sum(g.planned) - g.meta) > 1e-9:
            out.append(Lint(PLANNED_SUM_MISMATCH, g, i, fields={
                "parts": "+".join(number(p) for p in g.planned), "total": number(sum(g.planned)),
                "meta": number(g.meta)}))
        head, _, action = g.number.partition(".")
        if g.number in seen:
            out.append(Lint(GOAL_NUMBERING, g, i, "repeated", {"number": g.number}))
        elif not action:
            objective, expected_action = head, 1
        elif head != objective or action != str(expected_action):
            want = f"{objective}.{expected_action}" if objective else "un objetivo antes de las acciones"
            out.append(Lint(GOAL_NUMBERING, g, i, "sequence", {"number": g.number, "expected": want}))
            expected_action += 1
        else:
            expected_action += 1
        seen.add(g.number)
        if lineas is not None and _la_key(g.la) not in known:
            out.append(Lint(UNKNOWN_LINEA, g, i, fields={"la": g.la}))
    return out
