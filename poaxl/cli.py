"""Command line: parses options, calls the library, prints. No logic of the form lives here."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PoaxlError

CATALOG_HELP = "Catálogo (archivo YAML o carpeta). Por omisión $POAXL_CATALOG o el catálogo integrado."


def _fail(message: str, code: int = 2) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(code)


def friendly(func):
    """Turn the library's PoaxlError into a Spanish message and exit 2: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PoaxlError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("Interrumpido por el usuario.", 130)

    return wrapper


def catalog_option(func):
    return click.option("--catalog", "catalog_path", type=click.Path(path_type=Path),
                        envvar="POAXL_CATALOG", help=CATALOG_HELP)(func)


def load(catalog_path: Path | None, show_warnings: bool = True):
    from .catalog import load_catalog

    cat = load_catalog(catalog_path)
    if show_warnings:
        for warning in cat.warnings:
            click.secho(f"Aviso: {warning}", fg="yellow", err=True)
    return cat


def progress(items, label: str):
    """A progress bar on stderr, only on a terminal (pipes and JSON stay clean)."""
    shown = sys.stderr.isatty()
    return click.progressbar(items, label=label, file=sys.stderr if shown else open_null(), show_pos=True)


def open_null():
    import os

    return open(os.devnull, "w")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="poaxl", message="%(prog)s %(version)s")
def main() -> None:
    """poaxl: formato TMM-F004 «Avance Físico Programático» del POA municipal.

    \b
    Ejemplos:
      poaxl units                          # unidades del catálogo
      poaxl generate --unit 003            # formato del 2.º trimestre para 003
      poaxl generate --all --quarter 3 --out formatos/
      poaxl check respuestas/              # revisa los formatos llenados
      poaxl check f.xlsx --format json     # el mismo informe, para programas
      poaxl send --all --dry-run correos/  # prepara los correos sin enviarlos
      poaxl report respuestas/ --out consolidado.xlsx
    """


@main.command()
@catalog_option
@friendly
def units(catalog_path: Path | None) -> None:
    """Lista las unidades del catálogo (código, nombre, número de metas).

    \b
    Ejemplo:
      poaxl units --catalog otro-catalogo/
    """
    cat = load(catalog_path)
    click.echo(f"Catálogo {cat.id} · {cat.year} · Ramo {cat.ramo.code} {cat.ramo.name}")
    for unit in cat.units:
        click.echo(f"  {unit.code:>5}  {unit.name}  ({len(unit.goals)} metas)")


@main.command()
@click.option("--unit", "-u", "unit_codes", multiple=True, metavar="CODIGO",
              help="Unidad a generar (repetible). 46 equivale a 0046.")
@click.option("--all", "all_units", is_flag=True, help="Todas las unidades del catálogo.")
@click.option("--quarter", "-q", type=click.IntRange(1, 4), help="Trimestre (1-4). Por omisión el del catálogo.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Carpeta de salida, o archivo .xlsx si es una sola unidad.")
@click.option("--password", help="Contraseña de protección de la hoja (opcional).")
@click.option("--force", is_flag=True, help="Sobrescribe archivos existentes.")
@click.option("--from", "from_paths", multiple=True, type=click.Path(path_type=Path),
              help="Formatos aceptados de trimestres anteriores (archivos o carpetas): sus avances se copian y bloquean.")
@catalog_option
@friendly
def generate(unit_codes, all_units, quarter, out, password, force, from_paths, catalog_path) -> None:
    """Genera el formato TMM-F004 de cada unidad, listo para llenar.

    \b
    Ejemplos:
      poaxl generate --unit 003
      poaxl generate --unit 003 --unit 46 --quarter 3 --out formatos/
      poaxl generate --all --password secreta --force
      poaxl generate --all --quarter 3 --from respuestas-T2/
    """
    from .generate import generate as run

    cat = load(catalog_path)
    if not unit_codes and not all_units:
        raise PoaxlError("Indique --unit CODIGO (repetible) o --all. Unidades: "
                         + ", ".join(u.code for u in cat.units))
    prefill = None
    if from_paths:
        from .report import carry_forward

        prefill = carry_forward(from_paths, cat, quarter or cat.quarter, warn=lambda m: click.secho(
            f"Aviso: {m}", fg="yellow", err=True))
    count = len(cat.units) if all_units else len(unit_codes)
    with progress(range(count), "Generando") as bar:
        paths = run(unit_codes, all_units=all_units, quarter=quarter, out=out, catalog=cat,
                    password=password, force=force, prefill=prefill, progress=lambda u: bar.update(1))
    for path in paths:
        click.echo(str(path))
