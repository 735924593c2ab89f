"""Catalog messages the planning office acts on: each names what it typed and the place to correct it."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from poaxl.catalog_book import export_catalog
from poaxl.cli import main
from test_catalog import copy_catalog


@pytest.fixture
def book(tmp_path):
    return export_catalog(None, tmp_path / "catalogo.xlsx")


def edit(book, change):
    wb = openpyxl.load_workbook(book)
    change(wb)
    wb.save(book)
    return book


def check(catalog) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["catalog", "check", str(catalog)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_bad_unit_code_in_the_workbook_is_one_error_at_its_cell(book):
    """Unit 002's code spoilt in «Unidades»: its líneas, goals, signatures and contacts (11 rows of other
    sheets) each said «la unidad 01-002 no está en la hoja Unidades», and the code itself was never named."""
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", "00A2"))
    assert check(book) == (2, 'Error: catalogo.xlsx, hoja «Unidades», fila 3, columna B (UNIDAD): «00A2» no tiene '
                              'el formato esperado: solo dígitos (p. ej. "003").\n')
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", None))
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «Unidades», fila 3, columna B (UNIDAD): está vacía; "
                              "escriba el código de la unidad.\n")
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", "1"))  # 001's code, without its zeros
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «Unidades», fila 3, columna B (UNIDAD): la unidad 01-1 "
                              "está repetida (ya está en la fila 2); corrija el código de una de las dos.\n")
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", "002"))
    assert check(book)[0] == 0


def test_a_unit_ramo_not_in_the_ramos_sheet_is_one_error_at_its_cell(tmp_path):
    from test_multi_ramo import make_multi_ramo

    book = export_catalog(make_multi_ramo(tmp_path), tmp_path / "municipio.xlsx")
    edit(book, lambda wb: wb["Unidades"].__setitem__("A3", "07"))
    assert check(book) == (2, "Error: municipio.xlsx, hoja «Unidades», fila 3, columna A (RAMO): el ramo «07» no "
                              "está en la hoja Ramos; use uno de: 01, 05.\n")
    edit(book, lambda wb: wb["Unidades"].__setitem__("A3", None))
    assert check(book) == (2, "Error: municipio.xlsx, hoja «Unidades», fila 3, columna A (RAMO): está vacía; "
                              "escriba el ramo de la unidad, uno de: 01, 05.\n")
    edit(book, lambda wb: wb["Unidades"].__setitem__("A3", "1"))  # 1 is 01
    assert check(book)[0] == 0


def test_a_row_naming_a_missing_unit_is_still_reported_when_every_code_is_good(book):
    edit(book, lambda wb: wb["Metas"].append(["01", "009", "1", "8.1.3", "UNA META", "REPORTE", 1, 0, 0, 1, 0,
                                              "suma"]))
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «Metas», fila 30, columna B (UNIDAD): la unidad 01-009 no "
                              "está en la hoja Unidades; agréguela allí o corrija RAMO y UNIDAD.\n")


def test_workbook_warnings_name_the_goal_cell_to_correct(book):
    """They named the unit's row in «Unidades», where nothing can be corrected."""
    edit(book, lambda wb: wb["Metas"].__setitem__("D3", "9.9.9"))
    code, out = check(book)
    assert code == 0
    assert out.splitlines()[:4] == [
        "Aviso: unidad 001 OFICINA DEL TITULAR, meta 2.1: la L/A 9.9.9 no está entre las líneas de acción de la "
        "unidad (en catalogo.xlsx, hoja «Metas», fila 3, columna D (L/A))",
        "Aviso: unidad 002 COORDINACIÓN DE DIRECTORES, meta 6: lo programado (7+7+7+7 = 28) no suma la META ANUAL 21 "
        "(en catalogo.xlsx, hoja «Metas», fila 6, columna G (META ANUAL))",
        "Aviso: unidad 005 COORDINACIÓN ADMINISTRATIVA, meta 5.2: lo programado (0+0+1+0 = 1) no suma la META "
        "ANUAL 4 (en catalogo.xlsx, hoja «Metas», fila 22, columna G (META ANUAL))",
        "Aviso: unidad 0046 UNIDAD COORDINADORA DE TRANSPARENCIA, meta 4.5: numeración fuera de secuencia: 4.5 (se "
        "esperaba 1.4) (en catalogo.xlsx, hoja «Metas», fila 29, columna C (NÚMERO))"]


def test_warnings_of_one_unit_chosen_by_a_command_name_the_goal_cell_too(tmp_path, book):
    result = CliRunner().invoke(main, ["generate", "--unit", "002", "--catalog", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert ("Aviso: unidad 002 COORDINACIÓN DE DIRECTORES, meta 6: lo programado (7+7+7+7 = 28) no suma la META "
            "ANUAL 21 (en catalogo.xlsx, hoja «Metas», fila 6, columna G (META ANUAL))") in result.output


def example_with(tmp_path, old: str, new: str, name: str = "catalogo.yaml"):
    from conftest import ROOT

    text = (ROOT / "examples" / "catalogo-ejemplo.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_an_unquoted_code_is_quoted_as_typed_not_as_yaml_read_it(tmp_path):
    """YAML 1.1 reads 0046 as the octal number 38: «no «38»» named a number the office never typed."""
    path = example_with(tmp_path, 'code: "003"  ', "code: 0046  ")
    path.write_text(path.read_text(encoding="utf-8").replace('programa: {code: "010"', "programa: {code: 010", 1),
                    encoding="utf-8")
    assert check(path) == (2, f'Error: {path} (línea 13): units[0].code: debe ser texto: escriba "0046", entre comillas (sin '
                              "ellas, YAML lee 0046 como el número 38)\n"
                              f'{path} (línea 16): units[0].programa.code: debe ser texto: escriba "010", entre comillas (sin '
                              "ellas, YAML lee 010 como el número 8)\n")


def test_a_unit_file_names_what_was_typed_too(tmp_path):
    cat = copy_catalog(tmp_path)
    unit = cat / "units" / "0046.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace('code: "0046"', "code: 0046", 1)
                    .replace("name: UNIDAD COORDINADORA DE TRANSPARENCIA", "name: no", 1), encoding="utf-8")
    head = cat / "catalog.yaml"
    head.write_text(head.read_text(encoding="utf-8").replace('"2": "2020-07-10"', '"2": 2020-07-10'),
                    encoding="utf-8")
    assert check(cat) == (2, f'Error: {head} (línea 14): mail.deadlines.2: debe ser texto: escriba "2020-07-10", entre comillas\n'
                             f'{unit} (línea 1): code: debe ser texto: escriba "0046", entre comillas (sin ellas, YAML lee 0046 '
                             "como el número 38)\n"
                             f'{unit} (línea 3): name: debe ser texto: escriba "no", entre comillas (sin ellas, YAML lee no '
                             "como un valor sí/no)\n")


def test_the_yaml_cache_does_not_change_the_message(tmp_path, monkeypatch):
    """A big catalog's second read comes from the fast path's cache: what was typed is read from the file."""
    import yaml

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = yaml.safe_load(example_with(tmp_path, 'code: "003"  ', "code: 46    ").read_text(encoding="utf-8"))
    path = tmp_path / "grande.yaml"  # block style, no comment but the padding: a file the fast path vouches for
    path.write_text(yaml.safe_dump(data, allow_unicode=True) + "# " + "relleno " * 130_000 + "\n", encoding="utf-8")
    expected = (2, f'Error: {path} (línea 17): units[0].code: debe ser texto: escriba "46", entre comillas\n')
    assert check(path) == expected
    assert len(list((tmp_path / "cache" / "poaxl" / "yaml").glob("*.json"))) == 1  # the next read is the cache's
    assert check(path) == expected


def test_unquoted_unit_codes_in_a_contacts_file_are_taken_as_typed(tmp_path):
    """``0046:`` was YAML's octal 38 («La unidad «38» no existe»), and ``010:`` the unit 8."""
    contacts = tmp_path / "contactos.yaml"
    contacts.write_text("0046: {to: [transparencia@ejemplo.mx]}\n", encoding="utf-8")
    args = ["send", "--dry-run", str(tmp_path / "correo"), "--out", str(tmp_path / "formatos"), "--contacts",
            str(contacts)]
    result = CliRunner().invoke(main, [*args, "--unit", "0046"])
    assert result.exit_code == 0, result.output
    assert "  0046  escrito (.eml)  transparencia@ejemplo.mx\n" in result.output
    contacts.write_text("010: {to: [transparencia@ejemplo.mx]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "--unit", "003"])
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Contactos inválidos (no se envió nada):\n{contacts}: 010: La unidad «010» "
                                  "no existe en el catálogo mexicali-2020-r01. Unidades válidas: 001, 002, 003, 004, "
                                  "005, 0046.\n")


def test_what_the_workbook_lacks_is_said_as_the_row_to_add(book):
    """The schema's words named YAML fields at the unit's row: «falta el campo obligatorio «elaboro»; p. ej.
    elaboro: {cargo: …}», «debe tener al menos 1 elemento(s)» (of what?), «falta … «id»» in «General»."""
    def spoil(wb):
        wb["Firmas"].delete_rows(5)  # 002's ELABORÓ
        wb["Líneas"].delete_rows(5, 2)  # 002's two líneas
        wb["General"]["B2"] = None  # IDENTIFICADOR
        wb["General"].delete_rows(4)  # AÑO

    edit(book, spoil)
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «General», fila 2, columna B (VALOR): IDENTIFICADOR está "
                              "vacío. Identificador del catálogo: minúsculas, números, «-», «.», «_» (p. ej. "
                              "mexicali-2021).\n"
                              "catalogo.xlsx, hoja «General»: falta la fila de CAMPO AÑO. Año del Programa "
                              "Operativo Anual.\n"
                              "catalogo.xlsx, hoja «Unidades», fila 3: la unidad 01-002 no tiene la firma ELABORÓ; "
                              "agregue su fila en la hoja «Firmas».\n"
                              "catalogo.xlsx, hoja «Unidades», fila 3: la unidad 01-002 no tiene ninguna fila en la "
                              "hoja «Líneas»; agregue al menos una.\n")


def test_a_deadline_key_with_a_leading_zero_is_quoted_as_typed(tmp_path):
    """``01:`` is YAML's number 1: the message named «1», a key the office never wrote."""
    cat = copy_catalog(tmp_path)
    head = cat / "catalog.yaml"
    head.write_text(head.read_text(encoding="utf-8").replace('"1": "2020-04-10"', '01: "2020-04-10"'),
                    encoding="utf-8")
    assert check(cat) == (2, f'Error: {head} (línea 13): mail.deadlines: «01» debe escribirse entre comillas, como texto: "1"\n')


def test_a_contacts_value_is_quoted_as_typed(tmp_path):
    """``cc: no`` is YAML's false: the message named «False», a word the office never wrote."""
    contacts = tmp_path / "contactos.yaml"
    contacts.write_text('"003": {to: [atencion@ejemplo.mx], cc: no}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["send", "--dry-run", str(tmp_path / "correo"), "--out", str(tmp_path / "f"),
                                       "--contacts", str(contacts), "--unit", "003"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.endswith(f"Error: Contactos inválidos (no se envió nada):\n{contacts}: 003.cc: debe ser "
                                  "lista, no «no»\n")


def test_a_one_file_catalog_names_the_line_to_correct(tmp_path):
    """units[137].goals[3] is hard to find in a file of hundreds of units: the line is named, and problems
    are listed in the order of the file (line 9 before line 10). A finalidad's missing name is shown with a
    finalidad's example, not a unit's name."""
    path = example_with(tmp_path, 'code: "003"  ', "code: 3      ")
    text = path.read_text(encoding="utf-8").splitlines()
    code_line = next(i for i, line in enumerate(text, 1) if line.strip().startswith("- code: 3"))
    bad = next(i for i, line in enumerate(text, 1) if "finalidad:" in line)
    text[bad - 1] = text[bad - 1].replace("name:", "nombre:")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, output = check(path)
    assert code == 2
    assert output.splitlines() == [
        f'Error: {path} (línea {code_line}): units[0].code: debe ser texto: escriba "3", entre comillas',
        f"{path} (línea {bad}): units[0].finalidad: campo desconocido «nombre»",
        f'{path} (línea {bad}): units[0].finalidad: falta el campo obligatorio «name»; p. ej. finalidad: '
        '{code: "1", name: GOBIERNO}']


def test_a_bad_deadline_key_is_named_at_its_own_line(tmp_path):
    """Every bad key of a mapping was named at the mapping's first line, and a number key was written as a
    list position (mail.deadlines[1])."""
    path = example_with(tmp_path, '  deadlines: {"1": "2021-04-09", "2": "2021-07-09", "3": "2021-10-08", "4": "2022-01-14"}',
                        '  deadlines:\n    "1": "2021-04-09"\n    "2": "2021-07-09"\n    7: "2021-10-08"\n'
                        '    1: 2022-01-14')
    lines = path.read_text(encoding="utf-8").splitlines()
    seven, one = lines.index('    7: "2021-10-08"') + 1, lines.index("    1: 2022-01-14") + 1
    assert check(path)[1].splitlines() == [
        f"Error: {path} (línea {seven}): mail.deadlines: «7» no es válido; use uno de: 1, 2, 3, 4",
        f'{path} (línea {one}): mail.deadlines.1: debe ser texto: escriba "2022-01-14", entre comillas',
        f'{path} (línea {one}): mail.deadlines: «1» debe escribirse entre comillas, como texto: "1"']


def test_a_unit_file_lacking_a_field_is_named_without_jargon(tmp_path):
    """«units/001.yaml: (raíz): falta…»: the unit file is the unit, «(raíz)» said nothing to the office."""
    cat = copy_catalog(tmp_path)
    unit = cat / "units" / "001.yaml"
    unit.write_text("".join(line for line in unit.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("funcion:")), encoding="utf-8")
    assert check(cat) == (2, f'Error: {unit}: falta el campo obligatorio «funcion»; p. ej. funcion: {{code: "3", '
                             "name: COORDINACIÓN DE LA POLÍTICA DE GOBIERNO}\n")


def test_yaml_slips_are_named_for_what_they_are(tmp_path):
    """A tab in the indentation was «un carácter que no puede iniciar un valor» (libyaml does not say which), and
    a comma inside an unquoted text in braces an unknown field with no hint."""
    tab = tmp_path / "tab.yaml"
    tab.write_text('id: x\nyear: 2020\nunits:\n\t- code: "003"\n', encoding="utf-8")
    assert check(tab) == (2, f"Error: {tab}: YAML inválido (línea 4, columna 1): hay un tabulador en la sangría: use "
                             "espacios.\n")
    comma = example_with(tmp_path, 'finalidad: {code: "1", name: GOBIERNO}', 'finalidad: {code: "1", name: GOBIERNO, '
                                                                                'SEGURIDAD}')
    line = comma.read_text(encoding="utf-8").splitlines().index(
        next(x for x in comma.read_text(encoding="utf-8").splitlines() if "SEGURIDAD" in x)) + 1
    assert check(comma) == (2, f"Error: {comma} (línea {line}): units[0].finalidad: campo desconocido «SEGURIDAD» "
                               '(¿una coma dentro de un texto? póngalo entre comillas, p. ej. name: "SALUD, DEPORTE")\n')


def test_a_repeated_unit_is_named_at_both_lines(tmp_path):
    """«u/dup.yaml: code: … (ver u/dup.yaml)» sent the office to the file it was reading, with no line."""
    from conftest import ROOT

    base = (ROOT / "examples" / "catalogo-ejemplo.yaml").read_text(encoding="utf-8")
    unit = base[base.index('  - code: "003"'):]
    path = tmp_path / "catalogo.yaml"
    path.write_text(base + unit.replace('code: "003"', 'code: "3"  ', 1), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, x in enumerate(lines, 1) if x.startswith('  - code: "003"'))
    second = next(i for i, x in enumerate(lines, 1) if x.startswith('  - code: "3"'))
    shown = f"{tmp_path.name}/catalogo.yaml"
    assert check(path) == (2, f"Error: {shown} (línea {second}): units[1].code: la unidad «3» está repetida en el ramo "
                              f"01 (ver {shown}, línea {first}).\n")
