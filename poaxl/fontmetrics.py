"""How wide a text is in Arial (= Liberation Sans, metric-compatible), from the font's own metrics.

The advance widths come from the font files through fontTools and are shipped as a table
(poaxl/_font_table.py) so that a plain ``pip install`` needs neither fontTools nor any font.
Rebuild the table with ``python -m poaxl.fontmetrics`` (needs fontTools and fonts-liberation);
a test compares the shipped table with the installed fonts.

Only advance widths are used: kerning can only make a line shorter, so a line measured without it
never holds more than the spreadsheet will put on it.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from ._font_table import ASCENT, DESCENT, UNITS_PER_EM, WIDTHS

FONT_FILES = {
    "regular": ("LiberationSans-Regular.ttf",),
    "bold": ("LiberationSans-Bold.ttf",),
}
FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2",
             "/usr/share/fonts/liberation-sans", "/usr/share/fonts/TTF")
# the characters of the table: Latin-1 (Spanish, French, German...) and common typography
CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x100)) + \
    "‐‑‒–—―‘’‚“”„†‡•…‰‹›€™−"

_SPACES = re.compile(r"\s+")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of ``text`` at ``size`` points. A character missing from the table counts
    as the widest one of the font (an overestimate: the text is never cut)."""
    return _units(text, bold) * size / UNITS_PER_EM


@lru_cache(maxsize=4096)
def _units(text: str, bold: bool) -> int:
    """Width of ``text`` in font units: a whole number, so widths of words add up exactly."""
    table = WIDTHS["bold" if bold else "regular"]
    widest = table["\uffff"]
    return sum(table.get(ch, widest) for ch in text)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The lines a spreadsheet shows for ``text`` wrapped in ``width`` points: breaks at spaces and at
    line breaks, a word longer than the line is cut after a hyphen or else where it must be (as Excel
    and LibreOffice do).
    A line's width is the sum of its words' and spaces' (advance widths add up; no kerning), so each
    word is measured once, not the whole line again for every word added."""
    lines: list[str] = []
    space = _units(" ", bold)
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        line, used = "", 0
        for word in _SPACES.split(paragraph.strip()):
            units = _units(word, bold)
            candidate = used + space + units if line else units
            if candidate * size / UNITS_PER_EM <= width:
                line, used = (f"{line} {word}" if line else word), candidate
                continue
            if line:
                lines.append(line)
            while text_width(word, size, bold) > width:  # a word wider than the cell: cut it
                fits = [i for i in range(1, len(word) + 1) if i == 1 or text_width(word[:i], size, bold) <= width]
                hyphens = [i for i in fits if word[i - 1] == "-" and i < len(word)]
                cut = max(hyphens or fits)  # after a hyphen when one fits (LibreOffice: «TMM-» then F004_…)
                lines.append(word[:cut])
                word = word[cut:]
            line, used = word, _units(word, bold)
        lines.append(line)
    return lines


def line_count(text: str, width: float, size: float, bold: bool = False) -> int:
    return len(wrap(text, width, size, bold)) if text else 0


def line_height(size: float) -> float:
    """Distance between two lines of wrapped text: the font's ascent + descent, 1.117 em for Arial.
    LibreOffice draws its lines that far apart (10.0 pt at 9 pt, 8.9 pt at 8 pt in its PDFs:
    tests/test_print_measure.py), and it is the line height Windows gives Excel for the font
    (winAscent + winDescent, the same numbers). The font's line gap (0.033 em) is not between the
    lines of a cell in either; counting it made a 25-line observation a line taller than printed."""
    return (ASCENT + DESCENT) / UNITS_PER_EM * size


def text_height(lines: int, size: float, padding: float = 3.0) -> float:
    """Height in points a cell needs for ``lines`` lines (plus the cell's top and bottom padding)."""
    return math.ceil((lines * line_height(size) + padding) * 4) / 4  # quarter points, as Excel stores them


# --------------------------------------------------------------------------- rebuilding the table

def read_fonts(dirs: tuple[str, ...] = FONT_DIRS) -> dict:
    """Advance widths of CHARACTERS in Liberation Sans Regular and Bold, read with fontTools."""
    from pathlib import Path

    from fontTools.ttLib import TTFont

    out: dict = {"WIDTHS": {}}
    for style, names in FONT_FILES.items():
        path = next((Path(d) / n for d in dirs for n in names if (Path(d) / n).is_file()), None)
        if path is None:
            raise FileNotFoundError(f"Liberation Sans {style} not found in {', '.join(dirs)}")
        font = TTFont(str(path))
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        widths = {ch: hmtx[cmap[ord(ch)]][0] for ch in CHARACTERS if ord(ch) in cmap}
        widths["\uffff"] = max(widths.values())  # stands for any character not in the table
        out["WIDTHS"][style] = widths
        out["UNITS_PER_EM"] = font["head"].unitsPerEm
        out["ASCENT"], out["DESCENT"] = font["hhea"].ascent, -font["hhea"].descent
    return out


def write_table(path) -> None:
    data = read_fonts()
    lines = ['"""Advance widths of Liberation Sans (metric-compatible with Arial), generated by',
             '``python -m poaxl.fontmetrics`` from the font files with fontTools. Do not edit."""',
             f"UNITS_PER_EM = {data['UNITS_PER_EM']}", f"ASCENT = {data['ASCENT']}",
             f"DESCENT = {data['DESCENT']}", "WIDTHS = {"]
    for style, widths in data["WIDTHS"].items():
        lines.append(f"    {style!r}: {{")
        items = [f"{ch!r}: {w}" for ch, w in widths.items()]
        for i in range(0, len(items), 8):
            lines.append("        " + ", ".join(items[i:i + 8]) + ",")
        lines.append("    },")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    from pathlib import Path

    write_table(Path(__file__).with_name("_font_table.py"))
