"""What the XML of an .xlsx cell means as a Python value, as openpyxl reads it.

poaxl reads a returned form's values in the same expat pass that bounds the sheet (sheetscan.py):
handing the sheet to a second reader (python-calamine, openpyxl) costs more than the rest of the check.
This module holds the few rules that pass needs, each the one openpyxl applies (tests/test_reader.py
compares both readers on every workbook the suite makes): the shared strings table, which cell styles
are dates (a date is a number with a date format), and the Excel serial date. It also marks a number
shown with a % format (Percent), which openpyxl leaves to the caller: the checker needs it for goals
planned in percentage points.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from .package import parse_part, safe_parser

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
BUILTIN_DATES = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
                 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss",
                 46: "[h]:mm:ss", 47: "mmss.0"}  # the built-in number formats that are dates (ECMA-376 18.8.30)
BUILTIN_PERCENTS = {9: "0%", 10: "0.00%"}
_LITERAL = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # quoted text, [Red], [$-409]: not date parts
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


MAX_FORMAT_CODE = 255   # Excel's own limit for a number format; longer ones are not read as dates
MAX_CELL_STYLES = 65536  # Excel keeps at most 64,000 cell formats; styles beyond this are plain numbers


def is_date_format(code: str) -> bool:
    """A number format that shows a date or a time (its first section has d, m, y, h or s outside text).
    Only formats of Excel's length are looked at: the patterns below are quadratic on a hostile megabyte."""
    if len(code) > MAX_FORMAT_CODE:
        return False
    return _DATE_PART.search(_LITERAL.sub("", code.split(";")[0])) is not None


def is_elapsed_format(code: str) -> bool:
    """[h]:mm:ss and the like: a duration, not a moment."""
    return _ELAPSED.search(code.split(";")[0]) is not None


def is_percent_format(code: str) -> bool:
    """A number format that shows the number times 100 with a % sign (0%, 0.0%, #,##0 %)."""
    return len(code) <= MAX_FORMAT_CODE and "%" in _LITERAL.sub("", code.split(";")[0])


class Percent(float):
    """A number shown with a % format: 0.9 in the file, «90%» on the coordinator's screen. It is a float
    for every purpose; the checker uses the mark where a goal is planned in percentage points."""

    __slots__ = ()


class Styles(NamedTuple):
    """Which cell styles (a cell's ``s`` attribute, as written) make a number a date, a duration or a percentage."""

    dates: frozenset[str] = frozenset()
    elapsed: frozenset[str] = frozenset()
    percents: frozenset[str] = frozenset()


def read_styles(data: bytes, part: str) -> Styles:
    """The date, duration and percent styles of xl/styles.xml (read once per distinct part:
    Package.parsed; a municipality's forms share a few)."""
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    in_xfs = False  # inside <cellXfs>: its <xf> are the styles cells point at (others are named styles)

    def start(name: str, attrs: dict) -> None:
        nonlocal in_xfs
        name = name.rpartition(":")[2]
        if name == "numFmt":
            fid = attrs.get("numFmtId", "")
            if fid.isdigit() and len(fid) < 7:
                custom[int(fid)] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            in_xfs = True
        elif name == "xf" and in_xfs and len(xf_formats) < MAX_CELL_STYLES:
            fid = attrs.get("numFmtId", "0")
            xf_formats.append(int(fid) if fid.isdigit() and len(fid) < 7 else 0)

    def end(name: str) -> None:
        nonlocal in_xfs
        if name.rpartition(":")[2] == "cellXfs":
            in_xfs = False

    p = safe_parser()
    p.StartElementHandler, p.EndElementHandler = start, end
    parse_part(p, data, part)
    dates, elapsed, percents = set(), set(), set()
    for index, fid in enumerate(xf_formats):
        code = custom.get(fid) if fid in custom else BUILTIN_DATES.get(fid, BUILTIN_PERCENTS.get(fid))
        if code and is_date_format(code):
            dates.add(str(index))
            if is_elapsed_format(code):
                elapsed.add(str(index))
        elif code and is_percent_format(code):
            percents.add(str(index))
    return Styles(frozenset(dates), frozenset(elapsed), frozenset(percents))


def excel_date(serial: float, date1904: bool = False, elapsed: bool = False):
    """An Excel serial number as openpyxl gives it: a datetime, a time (under one day) or a timedelta.
    Raises OverflowError/ValueError outside the dates Python can hold."""
    if elapsed:
        td = dt.timedelta(days=serial)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(serial, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= serial < 1 and diff.days == 0:
        seconds = diff.seconds
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, diff.microseconds)
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    if 0 < serial < 60 and not date1904:
        day += 1  # Excel's 29-feb-1900, which never was
    return epoch + dt.timedelta(days=day) + diff


_DURATION = re.compile(r"(-?)P(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,20})?)S)?)?")


def odf_serial(kind: str, text: str, date1904: bool = False) -> float | None:
    """An ODF date (office:date-value, "2020-06-30T12:30:00") or time (office:time-value, a duration:
    "PT30H00M00S") as the serial number LibreOffice writes for it in .xlsx: days since 30-dec-1899, or
    1-jan-1904 in a document that counts from there (a time: days of duration). None when the text is
    not one (the value reader's own reading stays)."""
    if len(text) > 64:
        return None
    if kind == "time":
        m = _DURATION.fullmatch(text)
        if m is None or not any(m.groups()[1:]):
            return None
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups()[1:])
        serial = days + hours / 24 + minutes / 1440 + seconds / 86400
        return -serial if m.group(1) else serial
    try:
        moment = dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return None
    return (moment.replace(tzinfo=None) - (MAC_EPOCH if date1904 else WINDOWS_EPOCH)) / dt.timedelta(days=1)


def number(text: str) -> int | float:
    """A number as stored in <v>: whole numbers are int (as the checker compares them), inf stays inf
    (the checker calls it not-a-number)."""
    return whole(float(text))


def whole(value: float) -> int | float:
    """A float that holds a whole number as an int (5.0 -> 5), as the checker compares values from every
    reader; huge values and inf stay floats."""
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def iso_date(text: str):
    """A cell of type d (ISO 8601, strict OOXML) as a datetime; unreadable text stays text."""
    try:
        return dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """A string as Excel means it: a character XML cannot hold is written _xHHHH_ (a soft line break pasted
    from Word is _x000B_), and a typed «_x0041_» is written _x005F_x0041_ (ECMA-376 22.9.2.19)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def read_shared_strings(data: bytes, part: str) -> list[str]:
    """The shared strings table: one text per <si>, its <t> runs joined and phonetic runs (<rPh>) left
    out, as openpyxl reads it. Four Python calls per string (a form's table has ~60): the text of a <t>
    goes straight into the runs list, and attributes come as expat's list, which is cheaper to make."""
    strings: list[str] = []
    runs: list[str] = []
    phonetic = 0
    p = safe_parser()
    p.ordered_attributes = True

    def start(name: str, _attrs: list) -> None:
        nonlocal phonetic
        if name == "t":
            if not phonetic:
                p.CharacterDataHandler = runs.append
        elif name == "si":
            runs.clear()
            phonetic = 0
        elif ":" in name:
            start(name.rpartition(":")[2], _attrs)  # a prefixed x:si
        elif name == "rPh":
            phonetic += 1

    def end(name: str) -> None:
        nonlocal phonetic
        if name == "t":
            p.CharacterDataHandler = None
        elif name == "si":
            strings.append(unescape("".join(runs)))
        elif ":" in name:
            end(name.rpartition(":")[2])
        elif name == "rPh":
            phonetic -= 1

    p.StartElementHandler, p.EndElementHandler = start, end
    parse_part(p, data, part)
    return strings


__all__ = ["Percent", "Styles", "read_styles", "read_shared_strings", "unescape", "excel_date", "odf_serial", "number",
           "whole", "iso_date", "is_date_format", "is_elapsed_format", "is_percent_format"]
