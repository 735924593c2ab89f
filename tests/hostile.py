"""The hostile-input corpus, made at test time (no binary blobs in the repository): catalogs with
injected text or path tricks, YAML bombs, forms with edited metadata or absurd numbers, and the
checks a hostile-input test makes on whatever poaxl wrote."""
from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import yaml

from poaxl.catalog import builtin_catalog_path  # noqa: F401  (tests use hostile.builtin_catalog_path)
from poaxl.layout import META_SHEET

# text that a spreadsheet would turn into a live formula or a link if written carelessly
INJECTIONS = ('=HYPERLINK("http://x";"y")', "http://evil.example", "mailto:a@b.example", "external:x",
              "+1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")


# --------------------------------------------------------------------------- catalogs

def catalog_data() -> dict:
    """The built-in catalog as one YAML document (catalog.yaml fields plus ``units``)."""
    root = builtin_catalog_path()
    data = yaml.safe_load((root / "catalog.yaml").read_text(encoding="utf-8"))
    data["units"] = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in sorted((root / "units").glob("*.yaml"))]
    return data


def unit_data(data: dict, code: str) -> dict:
    return next(u for u in data["units"] if u["code"] == code)


def write_catalog(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def injected_catalog(path: Path) -> Path:
    """Catalog texts that reach cells, headers and sheets carry formula and link injections."""
    data = catalog_data()
    first, second, third, fourth, fifth, sixth = INJECTIONS
    data["ayuntamiento"] = first
    data["ramo"]["name"] = second
    unit = unit_data(data, "003")
    unit["name"] = third
    unit["programa"]["name"] = fourth
    unit["goals"][1]["text"] = first
    unit["goals"][1]["measure"] = second
    unit["lineas"][0]["name"] = fifth
    unit["signatures"]["elaboro"] = {"cargo": sixth, "name": first}
    return write_catalog(path, data)


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """Billion laughs: each anchor repeats the previous one ``width`` times (width**levels values)."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def bomb_catalog(path: Path) -> Path:
    """A valid-looking catalog whose extra field is a billion-laughs bomb (validation would walk it)."""
    text = write_catalog(path, catalog_data()).read_text(encoding="utf-8")
    path.write_text(alias_bomb() + text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- workbooks

def rezip(src: Path, dst: Path, change) -> Path:
    """Copy an xlsx part by part, letting ``change(name, data)`` alter each part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info)))
    return dst


def replace_value(src: Path, dst: Path, old: str, new: str) -> Path:
    """Replace a numeric cell value ``<v>old</v>`` in the first sheet by ``new`` as raw XML."""
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            assert f"<v>{old}</v>".encode() in data
            return data.replace(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode(), 1)
        return data
    return rezip(src, dst, change)


def meta_of(wb) -> dict[str, str]:
    """The hidden metadata of an openpyxl workbook: cell A1 of _poaxl holds ``key=value`` lines."""
    text = wb[META_SHEET]["A1"].value
    assert text.startswith("poaxl=") and wb[META_SHEET].max_row == 1 and wb[META_SHEET].max_column == 1
    return dict(line.split("=", 1) for line in text.split("\n"))


def set_meta(wb, values: dict[str, str]) -> None:
    """Write the metadata back into A1 as ``key=value`` lines (a hand edit of the hidden sheet)."""
    cell = wb[META_SHEET]["A1"]
    cell.value = "\n".join(f"{k}={v}" for k, v in values.items())
    cell.data_type = "s"


def edit_meta(src: Path, dst: Path, key: str, value: str | None) -> Path:
    """A coordinator editing the hidden metadata sheet (openpyxl, as a hand edit in Excel would);
    ``value`` None removes the key."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    meta = meta_of(wb)
    if value is None:
        del meta[key]
    else:
        meta[key] = value
    set_meta(wb, meta)
    wb.save(dst)
    return dst


# --------------------------------------------------------------------------- what poaxl wrote

def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> sha256): inputs untouched, nothing written astray."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


_SAFE_FORMULA = re.compile(r"[A-Z0-9$(),.:+\-*/<>= ]*")  # the form's own arithmetic: no text, no names


def active_content(path: Path) -> list[str]:
    """Formulas other than plain arithmetic on cells, and every hyperlink, in an .xlsx's raw XML."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            xml = z.read(name).decode("utf-8")
            for formula in re.findall(r"<f(?:\s[^>]*)?>([^<]*)</f>", xml):
                if not _SAFE_FORMULA.fullmatch(formula.replace("&gt;", ">").replace("&lt;", "<")):
                    found.append(f"{name}: formula {formula}")
            found += [f"{name}: {m}" for m in re.findall(r"<hyperlink\b[^>]*>", xml)]
            found += [f"{name}: {m}" for m in re.findall(r"<Relationship\b[^>]*(?:/hyperlink\"|External)[^>]*>", xml)]
    return found


def strings_in(path: Path) -> str:
    """All text an .xlsx holds (shared strings, inline strings, comments), XML-unescaped."""
    from html import unescape

    with zipfile.ZipFile(path) as z:
        return unescape(" ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")))


def big_catalog(path: Path, units: int = 10_000) -> Path:
    """A catalog of ``units`` units (one goal each), written as text: the 10,000-unit stress case."""
    data = catalog_data()
    data["units"] = []
    head = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace("units: []\n", "units:\n")
    one = unit_data(catalog_data(), "003")
    one["goals"] = one["goals"][:1]
    one.pop("contacts", None)
    template = yaml.safe_dump([one], allow_unicode=True, sort_keys=False).replace("'003'", "'{code}'")
    body = "".join(template.replace("{code}", f"{i:05d}") for i in range(1, units + 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + body, encoding="utf-8")
    return path
