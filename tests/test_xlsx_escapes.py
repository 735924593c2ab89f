"""Excel writes a character XML cannot hold as _xHHHH_ (a soft line break pasted from Word: _x000B_) and a typed
«_x0041_» as _x005F_x0041_: the reader gives the text the coordinator typed, in shared and inline strings."""
from __future__ import annotations

from conftest import apply_openpyxl, on_plan_ops
from poaxl.cellvalues import read_shared_strings
from poaxl.generate import generate
from poaxl.layout import SheetLayout
from poaxl.read import read_book
from test_review_reader import SHEET, put, raw_edit, shared_strings

TYPED = "SE SUSPENDIÓ\x0bPOR COVID (folio _x0041_)"
ESCAPED = "SE SUSPENDIÓ_x000B_POR COVID (folio _x005F_x0041_)"


def test_shared_strings_are_unescaped():
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + ESCAPED + "</t></si>"
           "<si><t>_x</t></si><si><t>_x12_ y _xZZZZ_</t></si></sst>").encode()
    assert read_shared_strings(sst, "xl/sharedStrings.xml") == [TYPED, "_x", "_x12_ y _xZZZZ_"]


def test_a_form_reads_what_was_typed_in_inline_and_shared_strings(tmp_path, catalog):
    template = generate(units=["003"], out=tmp_path / "tpl", catalog=catalog)[0]
    filled = apply_openpyxl(template, tmp_path / "f.xlsx", on_plan_ops(catalog, "003"))
    layout = SheetLayout.for_unit(catalog.unit("003"))
    row = layout.goal_row(0)
    ref = f"O{row + 1}"
    inline = raw_edit(filled, tmp_path / "inline.xlsx",
                      {SHEET: put(ref, f'<c r="{ref}" t="inlineStr"><is><t>{ESCAPED}</t></is></c>')})
    shared = shared_strings(inline, tmp_path / "shared.xlsx", rich="SE SUSPENDI")  # its runs, as Excel writes rich text
    for path in (inline, shared):
        book = read_book(path)
        assert book.sheets[0].get(row, 14).value == TYPED, path.name
