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


SYMBOL = {"error": ("✗", "red"), "warning": ("!", "yellow")}
STATUS_ES = {"ok": "correcto", "warnings": "con avisos", "errors": "con errores", "unreadable": "ilegible"}


def render_report(report, color: bool) -> None:
    """One file's findings: errors first, each with cell and instruction."""
    style = {"ok": "green", "warnings": "yellow", "errors": "red", "unreadable": "red"}[report.status]
    period = f" · {report.unit} · {report.year} T{report.quarter}" if report.unit else ""
    click.echo(click.style(f"{report.path}{period}: {STATUS_ES[report.status]}", fg=style, bold=True)
               if color else f"{report.path}{period}: {STATUS_ES[report.status]}")
    for f in report.findings:
        mark, fg = SYMBOL[f.severity]
        line = f"  {mark} {f.message} [{f.code}]"
        click.echo(click.style(line, fg=fg) if color else line)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text para personas, json para programas (solo el informe en stdout).")
@click.option("--unit", "-u", metavar="CODIGO", help="Unidad esperada (si el archivo no la dice, o para verificarla).")
@click.option("--quarter", "-q", type=click.IntRange(1, 4), help="Trimestre esperado.")
@click.option("--over-ratio", type=click.FloatRange(1.0), default=None,
              help="Avance sobre lo programado (1.5 = 150 %) a partir del cual se pide OBSERVACIÓN.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Escribe en esta carpeta una copia de cada archivo con las celdas señaladas y comentadas.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Archivos revisados en paralelo.")
@catalog_option
@friendly
def check(paths, fmt, unit, quarter, over_ratio, annotate_dir, jobs, catalog_path) -> None:
    """Revisa formatos TMM-F004 llenados y dice, celda por celda, qué está mal.

    PATHS son archivos .xlsx o carpetas (se revisan todos los .xlsx dentro).

    \b
    Estado de salida: 0 sin errores · 1 algún archivo con errores · 2 archivo ilegible o uso incorrecto.
    \b
    Ejemplos:
      poaxl check TMM-F004_2020_T2_003.xlsx
      poaxl check respuestas/ --jobs 2
      poaxl check respuestas/ --format json > informe.json
      poaxl check respuestas/ --annotate revisados/
    """
    import json as _json

    from .check import Policy, annotate, check as run, exit_status, expand

    cat = load(catalog_path, show_warnings=False)
    policy = Policy(over_ratio=over_ratio) if over_ratio else Policy()
    files = expand(paths)
    if not files:
        raise PoaxlError("No se encontró ningún archivo .xlsx en: " + ", ".join(map(str, paths)))
    with progress(range(len(files)), "Revisando") as bar:
        reports = run(files, catalog=cat, unit=unit, quarter=quarter, policy=policy, jobs=jobs,
                      progress=lambda r: bar.update(1))
    if annotate_dir:
        for report in reports:
            try:
                written = annotate(report, annotate_dir)
            except (OSError, ValueError) as exc:
                click.secho(f"Aviso: no se pudo anotar {report.path}: {exc}", fg="yellow", err=True)
            else:
                if written:
                    click.echo(f"Anotado: {written}", err=True)
    if fmt == "json":
        click.echo(_json.dumps({"files": [r.to_dict() for r in reports]}, ensure_ascii=False, indent=2))
    else:
        color = sys.stdout.isatty()
        for report in sorted(reports, key=lambda r: ("unreadable", "errors", "warnings", "ok").index(r.status)):
            render_report(report, color)
        counts = {s: sum(r.status == s for r in reports) for s in STATUS_ES}
        errors = sum(len(r.errors) for r in reports)
        warnings = sum(len(r.findings) for r in reports) - errors
        click.echo(f"\n{len(reports)} archivo(s): {counts['ok']} correcto(s), {counts['warnings']} con avisos, "
                   f"{counts['errors']} con errores, {counts['unreadable']} ilegible(s) · {errors} error(es), "
                   f"{warnings} aviso(s).")
    sys.exit(exit_status(reports))
