"""Start-up: what a command imports before it needs it, and the built-in catalog's validation stamp."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES
from poaxl.catalog import (STAMP, _build, _read_tree, _validate, builtin_catalog_path, builtin_data, load_catalog,
                           write_builtin_stamp)
from poaxl.errors import CatalogError

HEAVY = {"openpyxl", "xlsxwriter", "jsonschema", "yaml"}


def imports(*args: str, cwd, full: bool = False) -> set[str]:
    """Top-level names (``full``: whole names) of every module a new ``python -m poaxl ARGS`` process imports."""
    env = {k: v for k, v in os.environ.items() if k != "POAXL_CATALOG"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "poaxl", *args], cwd=cwd,
                            capture_output=True, text=True, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    names = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return names if full else {name.split(".")[0] for name in names}


@pytest.mark.parametrize("args", [["--version"], ["check", "--help"], ["--help"]])
def test_help_and_version_import_nothing_heavy(tmp_path, args):
    loaded = imports(*args, cwd=tmp_path)
    assert "click" in loaded
    assert not (HEAVY | {"python_calamine"}) & loaded, HEAVY & loaded


def test_checking_one_file_with_the_builtin_catalog_skips_yaml_and_jsonschema(tmp_path):
    loaded = imports("check", str(EXAMPLES / "TMM-F004_2020_T2_003.xlsx"), cwd=tmp_path)
    assert "poaxl" in loaded and "pyexpat" in loaded
    assert not (HEAVY | {"python_calamine"}) & loaded, HEAVY & loaded  # calamine reads only .ods


def test_the_stamped_builtin_catalog_is_not_measured_again(tmp_path):
    """write_builtin_stamp measured every text against its printed row: a check does not load the measuring."""
    loaded = imports("check", str(EXAMPLES / "TMM-F004_2020_T2_003.xlsx"), cwd=tmp_path, full=True)
    assert "poaxl.check" in loaded
    assert not {"poaxl.printfit", "poaxl.fontmetrics", "poaxl.paper", "poaxl.safeyaml"} & loaded


def test_a_catalog_given_by_the_user_is_still_validated(tmp_path):
    copy = tmp_path / "catalogo"
    shutil.copytree(builtin_catalog_path(), copy)
    loaded = imports("check", str(EXAMPLES / "TMM-F004_2020_T2_003.xlsx"), "--catalog", str(copy), cwd=tmp_path)
    assert {"yaml", "jsonschema_rs"} <= loaded  # the same bytes as the built-in, but not the built-in: validated
    unit = copy / "units" / "003.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("meta: 60", "meta: sesenta"), encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_catalog(copy)
    assert "debe ser número" in str(error.value)


def test_the_builtin_stamp_is_current_and_its_catalog_validates():
    data, head, origins = _read_tree(builtin_catalog_path())
    _validate(data, head, origins)  # the stamp only vouches for what passes the schema
    _build(data, origins, head=head, files=(head, origins))  # and the texts fit their rows (poaxl/printfit.py)
    assert builtin_data() == data, (
        f"templates/{STAMP} is stale (templates/ or the catalog schema changed): run\n"
        "  python -c \"from poaxl.catalog import write_builtin_stamp; write_builtin_stamp()\"")


def test_a_stale_stamp_means_validation(monkeypatch, tmp_path):
    """An installation whose built-in files were edited is read and validated as any other catalog."""
    import poaxl.catalog as catalog

    fake = tmp_path / "templates"
    shutil.copytree(builtin_catalog_path(), fake)
    monkeypatch.setattr(catalog, "builtin_catalog_path", lambda: fake)
    assert builtin_data() is not None
    (fake / "catalog.yaml").write_text((fake / "catalog.yaml").read_text(encoding="utf-8") + "\n# editado\n",
                                       encoding="utf-8")
    assert builtin_data() is None


WIDE = ("MMMMWWWW " * 250)[:2000]  # fits no printed row (tests/test_form_fit.py)


def _builtin_copy_with_a_text_too_long(monkeypatch, tmp_path):
    import poaxl.catalog as catalog

    fake = tmp_path / "templates"
    shutil.copytree(builtin_catalog_path(), fake)
    unit = fake / "units" / "003.yaml"
    old = "text: ATENDER A PERSONAS EN SITUACIÓN DE VULNERABILIDAD, MEDIANTE LA ENTREGA DE APOYOS."
    assert old in unit.read_text(encoding="utf-8")
    unit.write_text(unit.read_text(encoding="utf-8").replace(old, f"text: {WIDE}"), encoding="utf-8")
    monkeypatch.setattr(catalog, "builtin_catalog_path", lambda: fake)
    return fake


def test_an_edited_builtin_catalog_whose_text_does_not_fit_is_refused(monkeypatch, tmp_path):
    """The stamp spares measuring the texts only while it matches: an edited installation is measured."""
    fake = _builtin_copy_with_a_text_too_long(monkeypatch, tmp_path)
    assert builtin_data() is None
    with pytest.raises(CatalogError) as error:
        load_catalog(fake)
    assert "meta 3.1: la descripción de la meta no cabe en su fila del formato impreso" in str(error.value)


def test_a_catalog_whose_text_does_not_fit_is_never_stamped(monkeypatch, tmp_path):
    fake = _builtin_copy_with_a_text_too_long(monkeypatch, tmp_path)
    before = (fake / STAMP).read_bytes()
    with pytest.raises(CatalogError) as error:
        write_builtin_stamp()
    assert "no cabe en su fila" in str(error.value)
    assert (fake / STAMP).read_bytes() == before and builtin_data() is None
