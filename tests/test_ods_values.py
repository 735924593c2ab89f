"""Every kind of value a coordinator can put in a cell, typed in a real LibreOffice and saved as .xlsx and as
.ods: both files get the same findings (codes, cells, messages), written here as the contract says them.

Typed as a user types (tests/uno_fill.py "type": Calc's own number recognition, en-US): 90% is 0.9 shown
with a % format, 6/30/2020 a date, 12:30 a time, 30:00:00 a duration, TRUE a boolean."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import cell, on_plan_ops, row_number
from poaxl.check import check_file
from poaxl.generate import generate


def _ops(catalog) -> dict[str, tuple[str, list[list]]]:
    """scenario -> (unit, ops after an on-plan fill of the second quarter)."""
    c3 = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    c5 = lambda goal, key: cell(catalog, "005", goal, key)  # noqa: E731
    return {
        "percent": ("005", [
            ["type", c5("5", "a1"), "90%"], ["type", c5("5", "a2"), "95.5%"],  # a rate planned in points
            ["type", c5("5.4", "a2"), "100%"],  # a count goal: 100% is 1, its plan
            ["type", c5("5.3", "a2"), "50%"],   # a count goal: 50% is 0.5, under its plan of 1
            ["unprotect"], ["type", c5("5.1", "absolute"), "25%"], ["type", c5("5.1", "relative"), "28%"],
            ["protect"]]),
        "moments": ("003", [
            ["type", c3("3", "a1"), "6/30/2020"], ["type", c3("3", "a2"), "6/30/2020 12:30"],
            ["type", c3("3.1", "a1"), "1/15/1900"], ["type", c3("3.1", "a2"), "12:30"],
            ["type", c3("3.2", "a1"), "30:00:00"], ["type", c3("3.2", "a2"), "-1:00:00"],
            ["type", c3("3.3", "a1"), "12:00:00.5"], ["type", c3("3.3", "a2"), "TRUE"]]),
        "texts": ("003", [
            ["string", c3("3", "a1"), "4020"], ["string", c3("3", "a2"), "5,020"],
            ["rich", c3("3.1", "a1"), ["1", "50"]], ["string", c3("3.1", "a2"), " "],
            ["type", c3("3.2", "a1"), "$15.00"], ["formula", c3("3.2", "a2"), "=1/0"],
            ["type", c3("3.3", "a1"), "FALSE"], ["string", c3("3.3", "a2"), "uno\ndos"],
            ["rich", c3("3", "observations"), ["SE ", "SUSPENDIÓ", "  POR COVID"]],
            ["string", c3("3.1", "observations"), "línea uno\nlínea dos"]]),
        "days1904": ("003", [  # a document whose dates count from 1904: its .xlsx says date1904
            ["date1904"], ["type", c3("3", "a1"), "1/1/1904 12:00"], ["type", c3("3", "a2"), "1/15/1900"],
            ["type", c3("3.1", "a2"), "6/30/2020"]]),
        "tabs": ("005", [  # calamine leaves <text:tab/> out: "1\t367" would read as the number-as-text 1367
            ["string", c5("5.1", "a2"), "1\t367"], ["string", c5("5.2", "observations"), "SIN\tAVANCE"]]),
    }


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, catalog, libreoffice):
    """scenario -> (.xlsx report, .ods report) of the same LibreOffice document."""
    tmp = tmp_path_factory.mktemp("ods-values")
    jobs = {}
    for name, (unit, ops) in _ops(catalog).items():
        template = generate([unit], out=tmp / "tpl", catalog=catalog, force=True)[0]
        jobs[name] = {"src": template, "dst": tmp / f"{name}.xlsx", "ods": tmp / f"{name}.ods",
                      "ops": on_plan_ops(catalog, unit) + ops}
    libreoffice.fill(list(jobs.values()))
    return {name: (check_file(job["dst"], catalog), check_file(job["ods"], catalog)) for name, job in jobs.items()}


# scenario -> every finding of both files: (code, goal, column key, message; {cell} and {row} from the layout)
EXPECTED = {
    "percent": {  # 90% and 95.5% in goal 5 (planned in points) are 90 and 95.5: on plan, nothing to say
        ("missing-observation", "5.3", "observations",
         "005 {cell}: meta 5.3, Abr-Jun: avance acumulado 0.5 de 1 programado y OBSERVACIONES vacía — explique por "
         "qué no se alcanzó la meta."),
        ("formula-replaced", "5.1", "absolute", "005 {cell}: meta 5.1: la fórmula de AVANCE ABSOLUTO fue sustituida "
         "por un valor escrito — restaure la fórmula =SUMA(F{row};H{row})."),
        ("absolute-mismatch", "5.1", "absolute", "005 {cell}: meta 5.1, Abr-Jun: AVANCE ABSOLUTO dice 0.25 (25 %) pero "
         "la suma de los avances da 1 — corrija el avance o restaure la fórmula."),
        ("formula-replaced", "5.1", "relative", "005 {cell}: meta 5.1: la fórmula de ACUMULADO RELATIVO fue sustituida "
         "por un valor escrito — restaure la fórmula =SI(D{row}=0;0;M{row}/D{row})."),
        ("relative-mismatch", "5.1", "relative", "005 {cell}: meta 5.1, Abr-Jun: ACUMULADO RELATIVO dice 28 % pero el "
         "avance acumulado entre la META ANUAL da 33 % — corrija el avance o restaure la fórmula."),
        ("planned-sum-mismatch", "5.2", "meta", "005 {cell}: meta 5.2: lo programado (0+0+1+0 = 1) no suma la META "
         "ANUAL 4 — lo corrige la oficina de planeación en el catálogo; la unidad no debe cambiar nada."),
    },
    "moments": {  # dates, times and durations as a spreadsheet in Spanish shows them
        ("not-a-number", "3", "a1", "003 {cell}: meta 3, Ene-Mar: «30/06/2020» no es un número — capture solo la cifra."),
        ("not-a-number", "3", "a2", "003 {cell}: meta 3, Abr-Jun: «30/06/2020 12:30» no es un número — capture solo "
         "la cifra."),
        # LibreOffice's .xlsx holds serial 16, which is 16-jan-1900 in Excel's calendar (its 29-feb-1900)
        ("not-a-number", "3.1", "a1", "003 {cell}: meta 3.1, Ene-Mar: «16/01/1900» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.1", "a2", "003 {cell}: meta 3.1, Abr-Jun: «12:30» no es un número — capture solo la cifra."),
        ("not-a-number", "3.2", "a1", "003 {cell}: meta 3.2, Ene-Mar: «30:00:00» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.2", "a2", "003 {cell}: meta 3.2, Abr-Jun: «-1:00:00» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.3", "a1", "003 {cell}: meta 3.3, Ene-Mar: «12:00:00» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.3", "a2", "003 {cell}: meta 3.3, Abr-Jun: «VERDADERO» no es un número — capture solo la "
         "cifra."),
    },
    "texts": {  # numbers typed as text, rich text, a blank, a currency, an error formula, a boolean, two lines
        ("number-as-text", "3", "a1", "003 {cell}: meta 3, Ene-Mar: «4020» está escrito como texto; se tomó como 4020 "
         "— captúrelo como número."),
        ("number-as-text", "3", "a2", "003 {cell}: meta 3, Abr-Jun: «5,020» está escrito como texto; se tomó como 5020 "
         "— captúrelo como número."),
        ("number-as-text", "3.1", "a1", "003 {cell}: meta 3.1, Ene-Mar: «150» está escrito como texto; se tomó como "
         "150 — captúrelo como número."),
        ("missing-actual", "3.1", "a2", "003 {cell}: meta 3.1, Abr-Jun: falta el avance (A) — capture el avance real "
         "del trimestre (0 si no hubo avance)."),
        ("not-a-number", "3.2", "a2", "003 {cell}: meta 3.2, Abr-Jun: «=1/0» no es un número — capture solo la cifra."),
        ("not-a-number", "3.3", "a1", "003 {cell}: meta 3.3, Ene-Mar: «FALSO» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.3", "a2", "003 {cell}: meta 3.3, Abr-Jun: «uno dos» no es un número — capture solo la "
         "cifra."),
    },
    "days1904": {  # no Excel 29-feb-1900 in this calendar: 15-jan-1900 is itself
        ("not-a-number", "3", "a1", "003 {cell}: meta 3, Ene-Mar: «12:00» no es un número — capture solo la cifra."),
        ("not-a-number", "3", "a2", "003 {cell}: meta 3, Abr-Jun: «15/01/1900» no es un número — capture solo la "
         "cifra."),
        ("not-a-number", "3.1", "a2", "003 {cell}: meta 3.1, Abr-Jun: «30/06/2020» no es un número — capture solo la "
         "cifra."),
    },
    "tabs": {
        ("not-a-number", "5.1", "a2", "005 {cell}: meta 5.1, Abr-Jun: «1 367» no es un número — capture solo la cifra."),
        ("planned-sum-mismatch", "5.2", "meta", "005 {cell}: meta 5.2: lo programado (0+0+1+0 = 1) no suma la META "
         "ANUAL 4 — lo corrige la oficina de planeación en el catálogo; la unidad no debe cambiar nada."),
    },
}


def _found(report) -> set[tuple[str, str, str]]:
    return {(f.code, f.cell, f.message) for f in report.findings}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_ods_has_the_findings_of_the_xlsx(pairs, catalog, name):
    unit = _ops(catalog)[name][0]
    expected = set()
    for code, goal, key, message in EXPECTED[name]:
        at = cell(catalog, unit, goal, key)
        expected.add((code, at, message.format(cell=at, row=row_number(catalog, unit, goal))))
    xlsx, ods = pairs[name]
    assert _found(xlsx) == expected
    assert _found(ods) == expected
    a, b = xlsx.to_dict(), ods.to_dict()  # statuses, unit, quarter... too
    a.pop("path"), b.pop("path")
    assert a == b


def test_percent_numbers_are_points_in_a_goal_planned_in_points(pairs):
    """Goal 5 (META 90, planned in points): the typed 90% and 95.5% count as 90 and 95.5 in both files."""
    for report in pairs["percent"]:
        values = next(v for v in report.goals if v.goal.number == "5")
        assert values.actuals[:2] == [90.0, 95.5] and values.absolute == 92.75
        count = next(v for v in report.goals if v.goal.number == "5.4")
        assert count.actuals[:2] == [1, 1.0]  # 100% in a goal that counts: 1


def test_observations_keep_their_text(pairs):
    """Rich text (a bold run), two paragraphs and a tab read the same from both files."""
    for name, number, text in (("texts", "3", "SE SUSPENDIÓ  POR COVID"), ("texts", "3.1", "línea uno\nlínea dos"),
                               ("tabs", "5.2", "SIN\tAVANCE")):
        for report in pairs[name]:
            assert [v.observation for v in report.goals if v.goal.number == number] == [text]


# --------------------------------------------------------------------------- hand-made: what LibreOffice never writes

def _ods_with(tmp_path, cells: bytes):
    """A one-table .ods whose first row holds ``cells`` (the rest of a real form is not needed here)."""
    import zipfile

    from test_hostile_reader import ods

    path = tmp_path / "hand.ods"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in ods(b"<table:table-row>" + cells + b"</table:table-row>").items():
            zf.writestr(name, data)
    return path


def test_odd_percentages_dates_and_times_are_read_without_failing(tmp_path):
    """Values no calendar holds or no number spells are read as the .xlsx reader reads such a cell (the
    number) or left to calamine's reading: never an exception, never a hang."""
    from poaxl.cellvalues import Percent
    from poaxl.read import read_book

    def cell(kind: str, attr: str, value: str) -> bytes:
        return (b'<table:table-cell office:value-type="%s" office:%s="%s"><text:p>x</text:p></table:table-cell>'
                % (kind.encode(), attr.encode(), value.encode()))

    path = _ods_with(tmp_path, cell("percentage", "value", "0.9") + cell("percentage", "value", "1e999")
                     + cell("time", "time-value", "PT999999999H") + cell("time", "time-value", "P1DT2H")
                     + cell("date", "date-value", "9999-12-31T23:59:59") + cell("time", "time-value", "PT")
                     + cell("time", "time-value", "-PT01H00M00S"))
    row = read_book(path).sheets[0].rows[0]
    values = [c.value for c in row[:7]]
    assert type(values[0]) is Percent and values[0] == 0.9
    assert type(values[1]) is Percent and values[1] == float("inf")  # the checker says not-a-number
    assert values[2] == 999999999 / 24  # a datetime no calendar holds: the serial, as in .xlsx
    assert values[3] == dt.datetime(1900, 1, 1, 2, 0)  # 26 hours, no duration format: Excel's serial 1.08
    assert values[4] == dt.datetime(9999, 12, 31, 23, 59, 59)
    assert values[6] == dt.datetime(1899, 12, 29, 23, 0)  # -1 hour, no duration format: Excel's serial -1/24


@pytest.mark.parametrize("cells", [
    b'<table:table-cell office:value-type="string"><text:p>a<text:s text:c="100000000"/>b</text:p></table:table-cell>',
    b'<table:table-cell office:value-type="string"><text:p>a<text:s text:c="99999999999999999999"/></text:p>'
    b'</table:table-cell>',
    b'<table:table-cell office:value-type="string" table:number-columns-repeated="200"><text:p>' + b"y" * 50_000
    + b"</text:p></table:table-cell>",
], ids=["spaces", "spaces-overflow", "repeated-text"])
def test_text_calamine_would_multiply_is_refused_before_it_reads(tmp_path, cells):
    """python-calamine writes out <text:s text:c="N"/> as N spaces and copies a repeated cell's text once per
    repetition: a 40 KB file asked it for gigabytes. The scan counts both and refuses such a file first."""
    from poaxl.read import Unreadable, read_book

    path = _ods_with(tmp_path, cells)
    with pytest.raises(Unreadable) as caught:
        read_book(path)
    assert str(caught.value) == ("la hoja «003» repite textos o espacios hasta más de 8,000,000 caracteres: no es un "
                                 "formato TMM-F004 — envíe el formato TMM-F004 original llenado.")


def test_spaces_and_repeated_cells_of_a_real_form_are_read(tmp_path):
    """The bound leaves what a form holds: a few spaces, a value repeated along a row."""
    from poaxl.read import read_book

    path = _ods_with(tmp_path, b'<table:table-cell office:value-type="string"><text:p>SE<text:s text:c="3"/>SUSPENDI'
                               b'\xc3\x93</text:p></table:table-cell><table:table-cell office:value-type="float" '
                               b'office:value="15" table:number-columns-repeated="8"><text:p>15</text:p>'
                               b'</table:table-cell>')
    row = read_book(path).sheets[0].rows[0]
    assert [c.value for c in row[:9]] == ["SE   SUSPENDIÓ"] + [15] * 8


def test_a_text_with_tabs_or_line_breaks_is_read_whole(tmp_path):
    """calamine leaves <text:tab/> and <text:line-break/> out; the scan reads such a text itself, as .xlsx
    would hold it: paragraphs and line breaks are lines, spaces as many as said; a comment on the cell
    (office:annotation) is no part of it."""
    from poaxl.read import read_book

    path = _ods_with(tmp_path, b'<table:table-cell office:value-type="string"><office:annotation><text:p>nota<text:tab/>'
                               b'</text:p></office:annotation><text:p>a<text:tab/>b<text:line-break/>c<text:s text:c="2"/>'
                               b'd<text:span text:style-name="T1">e</text:span></text:p><text:p>f</text:p>'
                               b'</table:table-cell><table:table-cell office:value-type="string"><text:p>sin<text:s/>'
                               b'tabulador</text:p></table:table-cell>')
    row = read_book(path).sheets[0].rows[0]
    assert [c.value for c in row[:2]] == ["a\tb\nc  de\nf", "sin tabulador"]


def test_the_annotated_copy_of_an_ods_shows_the_values_as_the_form_did(pairs, catalog, tmp_path):
    """--annotate of an .ods writes an .xlsx: a percentage stays one, a duration a duration, a date a date."""
    import openpyxl

    from poaxl.check import annotate

    c3 = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    c5 = lambda goal, key: cell(catalog, "005", goal, key)  # noqa: E731
    ws = openpyxl.load_workbook(annotate(pairs["percent"][1], tmp_path)).worksheets[0]
    assert [(ws[ref].value, ws[ref].number_format) for ref in (c5("5", "a1"), c5("5", "a2"), c5("5.1", "relative"))] \
        == [(0.9, "0%"), (0.955, "0.0%"), (0.28, "0%")]
    ws = openpyxl.load_workbook(annotate(pairs["moments"][1], tmp_path)).worksheets[0]
    assert ws[c3("3.2", "a1")].value == dt.timedelta(hours=30)
    assert ws[c3("3", "a1")].value == dt.datetime(2020, 6, 30)
    assert ws[c3("3.3", "a2")].value is True
    assert ws[c3("3.2", "a1")].comment.text.startswith("[not-a-number]")
