"""`poaxl catalog import` validates each unit with the catalog loader's own validator: a unit that the
catalog would refuse is reported as that unit's problem, and the other units are imported."""
from __future__ import annotations

import hostile
from poaxl.catalog import load_catalog
from poaxl.generate import generate
from poaxl.importer import import_catalog


def test_a_code_with_an_invisible_character_is_that_units_error_and_the_import_goes_on(tmp_path, catalog):
    forms = generate(["003", "005"], out=tmp_path / "f", catalog=catalog)
    bad = forms[0]
    hostile.edit_meta(bad, bad, "unit", "003\u200b")  # the hidden sheet edited by hand
    result = import_catalog([tmp_path / "f"], tmp_path / "cat")
    assert [(where.split(", hoja")[0], why) for where, why in result.unreadable] == [
        (str(bad), "la unidad 003\u200b no se importó: code: «'003\\u200b'» no es válido (¿un espacio, salto de línea o "
                   "carácter invisible de más?)")]
    assert [u.code for u in load_catalog(tmp_path / "cat").units] == ["005"]
