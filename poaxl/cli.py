"""Command line: parses options, calls the library, prints. No logic of the form lives here."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__, click_es
from .errors import PoaxlError, os_reason

click_es.install()  # before the decorators below: click's help texts are made when they run

CATALOG_HELP = ("Catálogo: archivo YAML, carpeta o libro de catálogo .xlsx (el de poaxl catalog export). "
                "Por omisión $POAXL_CATALOG o el catálogo integrado.")


def printable(text: object, one_line: bool = False) -> str:
    """Outside text (file names, cell text, catalog text) as a terminal may show it: control and
    format characters (ESC sequences, CR, bidi overrides) written as ``\\x1b``-style escapes; line breaks
    kept, except in ``one_line`` output (a table row, a file's heading), where a name must not break the line."""
    import unicodedata

    text = str(text)
    if text.isprintable():
        return text
    kept = "" if one_line else "\n\t"
    return "".join(c if c in kept or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs")
                   else c.encode("unicode_escape").decode("ascii") for c in text)


class Finite(click.FloatRange):
    """A number option within [min, max]: ``nan`` and ``inf`` (which click's FloatRange lets through, and
    which would end up in a form's formulas or in a socket timeout) are refused like any bad value."""

    def convert(self, value, param, ctx):
        import math

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} no es un número finito.", param, ctx)
        return number


def _fail(message: str, code: int = 2) -> None:
    click.secho(f"Error: {printable(message)}", fg="red", err=True)
    sys.exit(code)


def stop_quietly() -> None:
    """The reader of stdout went away: end now, without a message and without Python's own
    complaint when it flushes stdout at exit (the file descriptor points to /dev/null)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(BROKEN_PIPE_EXIT)


BROKEN_PIPE_EXIT = 141  # what a shell reports for a program ended by SIGPIPE (128 + 13)


def friendly(func):
    """Turn the library's PoaxlError into a Spanish message and exit 2: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PoaxlError as exc:
            _fail(str(exc), exc.exit_code)
        except BrokenPipeError:  # `poaxl check DIR | head -1`: the reader has what it wanted
            stop_quietly()
        except OSError as exc:  # a folder we cannot write, a disk that is full...
            where = f" {exc.filename}" if exc.filename else ""
            _fail(f"no se pudo leer o escribir{where}: {os_reason(exc)}", 2)
        except KeyboardInterrupt:
            _fail("Interrumpido por el usuario.", 130)

    return wrapper


def format_option(func):
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                        help="text para personas, json para programas (solo JSON en stdout).")(func)


def echo_json(data) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def catalog_option(func):
    return click.option("--catalog", "catalog_path", type=click.Path(path_type=Path),
                        envvar="POAXL_CATALOG", help=CATALOG_HELP)(func)


def ramo_option(func):
    return click.option("--ramo", "-r", metavar="RAMO",
                        help="Ramo (p. ej. 05): solo sus unidades; distingue una unidad que existe en varios ramos.")(func)


def quarter_option(text: str = "Trimestre. Por omisión el del catálogo."):
    return click.option("--quarter", "-q", type=click.IntRange(1, 4), help=text)


force_option = click.option("--force", is_flag=True, help="Reemplaza --out si ya existe.")


def quiet_option(func):
    """--quiet: no «Aviso:» lines (errors and results are still printed)."""
    def remember(ctx: click.Context, _param, value: bool) -> bool:
        ctx.meta["poaxl.quiet"] = value
        return value

    return click.option("--quiet", is_flag=True, expose_value=False, is_eager=True, callback=remember,
                        help="Sin avisos (del catálogo y otros); los errores se muestran siempre.")(func)


def warn(message: str) -> None:
    """One «Aviso:» line on stderr, unless --quiet."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.meta.get("poaxl.quiet"):
        click.secho(f"Aviso: {printable(message)}", fg="yellow", err=True)


def load(catalog_path: Path | None, warn_all: bool = False, ramo: str | None = None):
    """Load the catalog (checking --ramo); with ``warn_all`` print the planning warnings of every
    unit (of ``ramo``), once."""
    from .catalog import load_catalog, unit_warnings

    cat = load_catalog(catalog_path)
    if ramo is not None:
        cat.find_ramo(ramo)
    if warn_all:  # all units: the catalog linted them when it was loaded
        warnings = cat.warnings if ramo is None else (w for u in cat.units_of(ramo)
                                                      for w in unit_warnings(u, cat.multi_ramo))
        for warning in dict.fromkeys(warnings):
            warn(warning)
    return cat


def select(cat, unit_codes: tuple[str, ...], all_units: bool, ramo: str | None = None) -> list:
    """The units a command works on (usage errors first), then their planning warnings, once."""
    from .catalog import unit_warnings

    chosen = cat.select(unit_codes, all_units, ramo)
    for warning in dict.fromkeys(w for unit in chosen for w in unit_warnings(unit, cat.multi_ramo)):
        warn(warning)
    return chosen


class _NoBar:
    """What ``progress`` gives when no bar is shown: click's costs ~2 ms to build, a tenth of checking a file."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, steps: int) -> None:
        pass


def progress(items, label: str):
    """A progress bar on stderr, only on a terminal (pipes and JSON stay clean) and for more than one item."""
    if len(items) < 2 or not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True)


class SpanishCommand(click.Command):
    """A command whose usage line is Spanish too (click's texts are translated by click_es)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", click_es.OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        click_es.spanish_metavars(self.params)


class SpanishGroup(click.Group):
    """The poaxl group: Spanish usage line, help (exit 0) when called with nothing, usage errors
    said in Spanish with exit 2, and the same for its subcommands and subgroups."""

    command_class = SpanishCommand
    group_class = type  # subgroups are SpanishGroups too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", click_es.OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", click_es.COMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def main(self, *args, **kwargs):
        kwargs.pop("standalone_mode", None)
        no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
        argv = list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:])
        if "--verbose" not in argv:  # library warnings (openpyxl's, in English) are technical detail
            import warnings

            warnings.simplefilter("ignore")
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except no_args as exc:  # `poaxl` or `poaxl catalog` alone: the help is the answer
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
                click.echo(f"Ayuda: {exc.ctx.command_path} --help", err=True)
            click.secho(f"Error: {exc.format_message()}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.secho("Interrumpido.", fg="red", err=True)
            sys.exit(1)
        except BrokenPipeError:
            stop_quietly()
        except KeyboardInterrupt:
            click.secho("Interrumpido por el usuario.", fg="red", err=True)
            sys.exit(130)
        except Exception:  # the last line of defence: a bug in poaxl, never the user's input
            sys.exit(internal_error(argv))


INTERNAL_ERROR_EXIT = 3


def internal_error(argv: list[str]) -> int:
    """Save the traceback of an unexpected error to a file in the temp folder and say, in one Spanish line,
    which command failed and where the detail is. Returns the exit status (3)."""
    import datetime
    import os
    import tempfile
    import traceback

    command = " ".join(a for a in argv if not a.startswith("-"))[:60] or "(sin comando)"
    shown = [("***" if i and "password" in argv[i - 1] else a) for i, a in enumerate(argv)]
    try:
        fd, path = tempfile.mkstemp(prefix="poaxl-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"poaxl {__version__} · Python {sys.version.split()[0]} · "
                     f"{datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
                     f"argumentos: {shown!r}\n\n{traceback.format_exc()}")
        where = f"el detalle quedó en {path}"
    except OSError:
        where = "no se pudo guardar el detalle (use --verbose)"
    click.secho(printable(f"Error interno de poaxl al ejecutar «poaxl {command}» (no es un problema de sus "
                          f"archivos): {where}; envíelo a quien mantiene poaxl."), fg="red", err=True)
    if "--verbose" in argv:
        click.echo(traceback.format_exc(), err=True)
    return INTERNAL_ERROR_EXIT


def _verbose(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        import warnings

        warnings.simplefilter("default")
        ctx.meta["poaxl.verbose"] = True
    return value


@click.group(cls=SpanishGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="poaxl", message="%(prog)s %(version)s")
@click.option("--verbose", is_flag=True, expose_value=False, is_eager=True, callback=_verbose,
              help="Muestra el detalle técnico (avisos de las bibliotecas, causa de un error interno).")
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


@main.command(short_help="Lista las unidades del catálogo y sus metas.")
@format_option
@ramo_option
@quiet_option
@catalog_option
@friendly
def units(fmt: str, ramo: str | None, catalog_path: Path | None) -> None:
    """Lista las unidades del catálogo (código, nombre, número de metas).

    \b
    Estado de salida: 0 · 2 uso incorrecto o catálogo inválido.
    \b
    Ejemplos:
      poaxl units --catalog otro-catalogo/
      poaxl units --format json
    """
    cat = load(catalog_path, warn_all=True, ramo=ramo)
    if fmt == "json":
        echo_json(cat.to_dict(ramo))
        return
    lines = [printable(f"Catálogo {cat.id} · {cat.year}"
                       + ("" if cat.multi_ramo else f" · Ramo {cat.ramo.code} {cat.ramo.name}"))]
    for r in cat.ramos if ramo is None else [cat.find_ramo(ramo)]:
        if cat.multi_ramo:
            lines.append(printable(f"Ramo {r.code} {r.name}", one_line=True))
        lines += (printable(f"  {cat.unit_id(unit):>8}  {unit.name}  ({len(unit.goals)} metas)", one_line=True)
                  for unit in cat.units_of(r))
    click.echo("\n".join(lines))  # one write: a catalog may list 10,000 units


def over_ratio_option(func):
    """One policy value for the checker and the generated form's amber rows (poaxl.policy)."""
    return click.option("--over-ratio", type=Finite(1.0, 100.0), default=None,
                        help="Avance sobre lo programado (1.5 = 150 %) a partir del cual se pide OBSERVACIÓN "
                             "(fila ámbar en el formato, aviso en la revisión).")(func)


def policy_from(over_ratio: float | None):
    from .policy import Policy

    return Policy(over_ratio=over_ratio) if over_ratio else Policy()


@main.command(short_help="Genera el formato TMM-F004 de cada unidad.")
@click.option("--unit", "-u", "unit_codes", multiple=True, metavar="CODIGO",
              help="Unidad a generar (repetible). 46 equivale a 0046.")
@click.option("--all", "all_units", is_flag=True, help="Todas las unidades del catálogo.")
@quarter_option("Trimestre (1-4). Por omisión el del catálogo.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Carpeta de salida, o archivo .xlsx si es una sola unidad.")
@click.option("--password", help="Contraseña de protección de la hoja (opcional).")
@click.option("--force", is_flag=True, help="Sobrescribe archivos existentes.")
@click.option("--from", "from_paths", multiple=True, type=click.Path(readable=False, path_type=Path),
              help="Formatos aceptados de trimestres anteriores (archivos o carpetas): "
                   "sus avances se copian y bloquean.")
@over_ratio_option
@ramo_option
@quiet_option
@catalog_option
@friendly
def generate(unit_codes, all_units, quarter, out, password, force, from_paths, over_ratio, ramo,
             catalog_path) -> None:
    """Genera el formato TMM-F004 de cada unidad, listo para llenar.

    \b
    Estado de salida: 0 formatos escritos · 2 uso o datos incorrectos (catálogo inválido, archivo que ya existe
    sin --force).
    \b
    Ejemplos:
      poaxl generate --unit 003
      poaxl generate --unit 003 --unit 46 --quarter 3 --out formatos/
      poaxl generate --all --password secreta --force
      poaxl generate --all --quarter 3 --from respuestas-T2/
      poaxl generate --ramo 05 --out formatos/     # todas las unidades del ramo 05
      poaxl generate --unit 05-001                 # la 001 del ramo 05
    """
    from .generate import check_out, empty_history_warning, generate as run

    cat = load(catalog_path, ramo=ramo)
    count = len(select(cat, unit_codes, all_units, ramo))
    check_out(out)
    prefill = None
    if from_paths:
        from .report import carry_forward

        prefill = carry_forward(from_paths, cat, quarter or cat.quarter, warn=warn)
    elif (quarter or cat.quarter) > 1:
        warn(empty_history_warning(quarter or cat.quarter))
    with progress(range(count), "Generando") as bar:
        paths = run(unit_codes, all_units=all_units, quarter=quarter, out=out, catalog=cat,
                    password=password, force=force, prefill=prefill, progress=lambda u: bar.update(1), ramo=ramo,
                    policy=policy_from(over_ratio))
    for path in paths:
        click.echo(printable(path))


SYMBOL = {"error": ("✗", "red"), "warning": ("!", "yellow")}


def render_report(report, color: bool) -> None:
    """One file's findings: the unit's first (errors first), then the planning office's own, under a heading
    that says they are not the unit's fault."""
    from .findings import OFFICE, STATUS_LABEL as STATUS_ES, of_fault, text

    style = {"ok": "green", "warnings": "yellow", "errors": "red", "unreadable": "red"}[report.status]
    when = " ".join(filter(None, [str(report.year or ""), f"T{report.quarter}" if report.quarter else ""]))
    period = "".join(f" · {part}" for part in (report.unit, when) if part) if report.unit else ""
    status = STATUS_ES[report.status]
    # only the office's errors: the unit's delivery is fine (not said of a form of no catalog unit)
    if report.status == "errors" and not report.delivery_errors and report.key:
        status = text("office-errors-status")
    head = printable(f"{report.where}{period}: {status}", one_line=True)
    click.echo(click.style(head, fg=style, bold=True) if color else head)
    office = of_fault(report.findings, OFFICE)
    for f in [f for f in report.findings if f not in office] + office:
        if office and f is office[0]:
            click.echo(f"  {text('office-heading')}")
        mark, fg = SYMBOL[f.severity]
        line = printable(f"  {mark} {f.message} [{f.code}]")
        click.echo(click.style(line, fg=fg) if color else line)


@main.command(short_help="Revisa los formatos llenados, celda por celda.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path),
                metavar="ARCHIVOS...")  # an unreadable file is reported as 'unreadable'; the batch goes on
@format_option
@click.option("--unit", "-u", metavar="CODIGO", help="Unidad esperada (si el archivo no la dice, o para verificarla).")
@quarter_option("Trimestre esperado.")
@over_ratio_option
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Escribe en esta carpeta una copia de cada archivo con las celdas señaladas y comentadas.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Archivos revisados en paralelo.")
@ramo_option
@quiet_option
@catalog_option
@friendly
def check(paths, fmt, unit, quarter, over_ratio, annotate_dir, jobs, ramo, catalog_path) -> None:
    """Revisa formatos TMM-F004 llenados y dice, celda por celda, qué está mal.

    ARCHIVOS son formatos (.xlsx, .xlsm u .ods) o carpetas (se revisan todos los formatos dentro).

    \b
    Estado de salida: 0 sin errores · 1 algún archivo con errores · 2 archivo ilegible o uso incorrecto.
    \b
    Ejemplos:
      poaxl check TMM-F004_2020_T2_003.xlsx
      poaxl check respuestas/ --jobs 2
      poaxl check respuestas/ --format json > informe.json
      poaxl check respuestas/ --annotate revisados/
    """
    from .check import annotate, by_file, check as run, exit_status, expand, nothing_to_check
    from .findings import STATUS_LABEL, text

    cat = load(catalog_path, ramo=ramo)
    policy = policy_from(over_ratio)
    files = expand(paths)
    if not files:
        raise PoaxlError(nothing_to_check(paths))
    with progress(range(len(files)), "Revisando") as bar:
        reports = run(files, catalog=cat, unit=unit, quarter=quarter, policy=policy, jobs=jobs,
                      progress=lambda r: bar.update(1), ramo=ramo)
    if annotate_dir:
        for report in by_file(reports):  # one copy of a workbook of several forms, every form marked
            try:
                written = annotate(report, annotate_dir)
            except (OSError, ValueError) as exc:
                why = os_reason(exc) if isinstance(exc, OSError) else exc
                click.secho(printable(f"Aviso: no se pudo anotar {report.path}: {why}"), fg="yellow", err=True)
            else:
                if written:
                    note = (" (el original es .ods: la copia es un .xlsx con sus valores)"
                            if str(report.path).lower().endswith(".ods") else "")
                    click.echo(printable(f"Anotado: {written}{note}"), err=True)
    if click.get_current_context().meta.get("poaxl.verbose"):  # the reader's technical cause, on request
        for report in reports:
            if report.detail:
                click.echo(printable(f"Detalle técnico de {report.path}: {report.detail}"), err=True)
    if fmt == "json":
        echo_json({"files": [r.to_dict() for r in reports]})
    else:
        color = sys.stdout.isatty()
        for report in sorted(reports, key=lambda r: ("unreadable", "errors", "warnings", "ok").index(r.status)):
            render_report(report, color)
        counts = {s: sum(r.status == s for r in reports) for s in STATUS_LABEL}
        errors = sum(len(r.errors) for r in reports)
        warnings = sum(len(r.findings) for r in reports) - errors
        files = len({r.path for r in reports})
        forms = text("check-forms", forms=len(reports)) if files != len(reports) else ""
        click.echo("\n" + text("check-summary", files=files, forms=forms, n_errors=errors, n_warnings=warnings,
                                **counts))
    sys.exit(exit_status(reports))


SMTP_OPTIONS = (
    click.option("--contacts", type=click.Path(dir_okay=False, path_type=Path),
                 help="Archivo de contactos YAML o CSV (unit,to,cc). Por omisión los del catálogo."),
    click.option("--smtp-host", help="Servidor SMTP [$POAXL_SMTP_HOST]."),
    click.option("--smtp-port", type=int, help="Puerto [$POAXL_SMTP_PORT]."),
    click.option("--smtp-security", type=click.Choice(["starttls", "ssl", "none"]),
                 help="Seguridad [$POAXL_SMTP_SECURITY]."),
    click.option("--smtp-user", help="Usuario [$POAXL_SMTP_USER]. La contraseña: $POAXL_SMTP_PASSWORD o se pregunta."),
    click.option("--cafile", type=click.Path(dir_okay=False),
                 help="Certificado de la CA del servidor [$POAXL_SMTP_CAFILE]."),
    click.option("--from-addr", help="Remitente [$POAXL_SMTP_FROM]; por omisión el del catálogo."),
    click.option("--reply-to", help="Dirección de respuesta; por omisión la del catálogo."),
)


def smtp_options(func):
    """The contacts and SMTP options shared by send and collect (one definition, one help text)."""
    for option in reversed(SMTP_OPTIONS):
        func = option(func)
    return func


@main.command(short_help="Envía a cada coordinador su formato por correo.")
@click.option("--unit", "-u", "unit_codes", multiple=True, metavar="CODIGO", help="Unidad (repetible).")
@click.option("--all", "all_units", is_flag=True, help="Todas las unidades.")
@quarter_option()
@click.option("--from", "from_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Toma los formatos ya generados de esta carpeta.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Carpeta donde se generan los formatos (y la bitácora de envíos).")
@click.option("--dry-run", "dry_run", type=click.Path(file_okay=False, path_type=Path),
              help="No envía: escribe los mensajes .eml en esta carpeta para revisarlos.")
@click.option("--deadline", help="Fecha límite AAAA-MM-DD (por omisión la del catálogo).")
@click.option("--resend", is_flag=True, help="Envía de nuevo aunque la bitácora diga que ya se envió.")
@smtp_options
@click.option("--pause", type=Finite(0, 3600), default=0.0, show_default=True, help="Segundos entre mensajes.")
@click.option("--timeout", type=Finite(1, 3600), default=30.0, show_default=True,
              help="Segundos de espera del servidor.")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Reintentos ante fallas temporales (4xx).")
@click.option("--config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Archivo YAML con una sección smtp: (host, port, security, user, from, reply_to, cafile).")
@format_option
@ramo_option
@quiet_option
@catalog_option
@friendly
def send(ramo, fmt, unit_codes, all_units, quarter, from_dir, out, dry_run, deadline, resend, contacts, smtp_host, smtp_port,
         smtp_security, smtp_user, cafile, from_addr, reply_to, pause, timeout, retries, config, catalog_path) -> None:
    """Envía a cada coordinador el formato de su unidad por correo.

    Una segunda ejecución no envía de nuevo lo ya enviado (bitácora poaxl-envios.jsonl).

    \b
    Estado de salida: 0 todo enviado u omitido · 1 algún envío falló · 2 uso o datos incorrectos.
    \b
    Ejemplos:
      poaxl send --all --dry-run correos/
      POAXL_SMTP_PASSWORD=... poaxl send --all --smtp-host smtp.municipio.gob.mx --smtp-user planeacion
      poaxl send --unit 003 --resend --deadline 2020-07-15
    """
    from .mail import send as run, smtp_settings

    cat = load(catalog_path, ramo=ramo)
    count = len(select(cat, unit_codes, all_units, ramo))  # before any password prompt
    settings = smtp_settings(config, host=smtp_host, port=smtp_port, security=smtp_security, user=smtp_user,
                             cafile=cafile, timeout=timeout, sender=from_addr, reply_to=reply_to)
    if settings.user and settings.password is None and not dry_run:
        if not sys.stdin.isatty():
            raise PoaxlError("Falta la contraseña SMTP: defina POAXL_SMTP_PASSWORD (no se acepta como argumento).")
        settings.password = click.prompt(f"Contraseña SMTP de {settings.user}", hide_input=True, err=True)
    with progress(range(count), "Enviando") as bar:
        outcomes = run(unit_codes, all_units=all_units, quarter=quarter, catalog=cat, settings=settings,
                       sender=settings.sender, reply_to=settings.reply_to, contacts=contacts, from_dir=from_dir, out=out,
                       dry_run=dry_run, deadline=deadline, resend=resend, pause=pause, retries=retries,
                       progress=lambda o: bar.update(1), ramo=ramo)
    failed = any(o.result in ("failed", "partial") for o in outcomes)
    if fmt == "json":
        echo_json({"outcomes": [o.to_dict() for o in outcomes]})
        sys.exit(1 if failed else 0)
    from .findings import SEND_LABEL as label, text

    colour = {"sent": "green", "partial": "yellow", "skipped": "cyan", "failed": "red", "dry-run": "blue"}
    color = sys.stdout.isatty()
    click.echo(f"{'unidad':>6}  {'resultado':<15} destinatarios / motivo")
    for o in outcomes:
        line = printable(f"{o.unit:>6}  {label[o.result]:<15} {', '.join(o.recipients)}"
                         + (f" — {o.reason}" if o.reason else ""))
        click.echo(click.style(line, fg=colour[o.result]) if color else line)
    for o in outcomes:
        if o.generated:
            click.echo(printable(f"Formato generado: {o.form}"))
    totals = {k: sum(o.result == k for o in outcomes) for k in label}
    written = text("send-written", count=totals["dry-run"], folder=dry_run) if dry_run else ""
    click.echo("\n" + text("send-summary", sent=totals["sent"], partial=totals["partial"], skipped=totals["skipped"],
                           failed=totals["failed"], written=written))
    sys.exit(1 if failed else 0)


@main.command(short_help="Consolida los formatos revisados de un ramo.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path),
                metavar="ARCHIVOS...")  # an unreadable file is reported as 'unreadable'; the batch goes on
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Libro consolidado a escribir (.xlsx).")
@quarter_option("Trimestre esperado.")
@click.option("--include-errors", is_flag=True, help="Consolida también los formatos con errores.")
@force_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Revisión en paralelo.")
@format_option
@ramo_option
@quiet_option
@catalog_option
@friendly
def report(paths, out, quarter, include_errors, force, jobs, fmt, ramo, catalog_path) -> None:
    """Consolida los formatos de un ramo: resumen por unidad, una hoja por unidad, hallazgos y gráficas.

    Los archivos con errores se rechazan (con la lista de motivos) salvo --include-errors; dos archivos
    de la misma unidad son un error.

    \b
    Estado de salida: 0 consolidado sin rechazos · 1 hubo archivos rechazados · 2 uso o datos incorrectos.
    \b
    Ejemplos:
      poaxl report respuestas/ --out consolidado.xlsx
      poaxl report respuestas/ --out consolidado.xlsx --include-errors --force
    """
    from .report import report as run

    from .check import expand, nothing_to_check

    cat = load(catalog_path, ramo=ramo)
    files = expand(paths)  # walked once: the bar's length and the report's input
    if not files:
        raise PoaxlError(nothing_to_check(paths))  # named here: the library sees only the (empty) file list
    with progress(range(len(files)), "Revisando") as bar:
        result = run(files, out, catalog=cat, quarter=quarter, include_errors=include_errors, force=force,
                     jobs=jobs, progress=lambda r: bar.update(1), ramo=ramo)
    if fmt == "json":
        echo_json(result.to_dict(cat))
        sys.exit(1 if result.refused else 0)
    click.echo(printable(f"Consolidado T{result.quarter}: {result.path}"))
    click.echo(f"{'unidad':>8}  {'metas':>5}  {'en prog.':>8}  {'bajo':>4}  {'hallazgos':>9}  {'avance':>6}  estado")
    pct = lambda x: f"{x:.0%}" if x is not None else "—"  # noqa: E731
    for u in result.units:
        click.echo(f"{cat.unit_id(u.unit):>8}  {u.goals:>5}  {u.on_programme:>8}  {u.under_programme:>4}  "
                   f"{u.with_findings:>9}  {pct(u.average_relative):>6}  {u.status}")
    if cat.multi_ramo:
        for r in [*result.ramos, result.total]:
            click.echo(f"{r.label}: {r.delivered} de {r.units} unidades entregadas, {r.goals} metas, "
                       f"{r.on_programme} en o sobre lo programado, {r.under_programme} bajo, "
                       f"avance promedio {pct(r.average_relative)}")
    for line in result.refused:
        click.secho(f"Rechazado: {printable(line)}", fg="yellow", err=True)
    sys.exit(1 if result.refused else 0)


@main.command(short_help="Explica un hallazgo: qué significa y cómo corregirlo.")
@click.argument("code", required=False, metavar="[CODIGO]")
@format_option
@friendly
def explain(code: str | None, fmt: str) -> None:
    """Explica un hallazgo de poaxl check: qué significa, por qué importa, un ejemplo y cómo corregirlo.

    Sin CODIGO, lista todos los hallazgos con su severidad y quién los corrige.

    \b
    Estado de salida: 0 · 2 hallazgo desconocido.
    \b
    Ejemplos:
      poaxl explain missing-observation
      poaxl explain
      poaxl explain planned-sum-mismatch --format json
    """
    from . import findings

    kinds = [findings.find(code)] if code else list(findings.REGISTRY.values())
    if fmt == "json":
        echo_json(kinds[0].as_dict() if code else {"findings": [k.as_dict() for k in kinds]})
    else:
        click.echo(findings.explain(kinds[0]) if code else findings.listing(), nl=False)


@main.group("catalog", short_help="Valida, crea, importa o exporta el catálogo.")
def catalog_group() -> None:
    """Operaciones sobre el catálogo: validarlo, crearlo, importarlo de formatos, exportarlo a Excel.

    \b
    Ejemplos:
      poaxl catalog check catalogo-2021/           # valida antes de generar o enviar
      poaxl catalog init catalogo/                 # catálogo inicial comentado
      poaxl catalog import formatos-2020/ --out catalogo-2021/
      poaxl catalog export --out catalogo.xlsx     # para revisarlo y editarlo en Excel
    """


@catalog_group.command("check", short_help="Valida un catálogo antes de usarlo.")
@click.argument("path", required=False, type=click.Path(path_type=Path), metavar="[CATALOGO]")
@friendly
def catalog_check(path: Path | None) -> None:
    """Valida un catálogo (esquema y revisión de la planeación) antes de enviarlo.

    \b
    Estado de salida: 0 válido (puede tener avisos) · 2 inválido.
    \b
    Ejemplos:
      poaxl catalog check                  # el catálogo integrado
      poaxl catalog check catalogo-2021/
    """
    from .catalog import load_catalog

    cat = load_catalog(path)
    for warning in cat.warnings:
        click.secho(f"Aviso: {printable(warning)}", fg="yellow")
    goals = sum(len(u.goals) for u in cat.units)
    click.echo(f"Catálogo {cat.id} válido: {len(cat.units)} unidad(es), {goals} meta(s), {len(cat.warnings)} aviso(s).")


# --------------------------------------------------------------------------- collect, status

def _secret(current: str | None, variable: str, what: str, user: str | None) -> str | None:
    """A password from the environment or, on a terminal, a hidden prompt; never an argument."""
    if current is not None or not user:
        return current
    if not sys.stdin.isatty():
        raise PoaxlError(f"Falta la contraseña {what}: defina {variable} (no se acepta como argumento).")
    return click.prompt(f"Contraseña {what} de {user}", hide_input=True, err=True)


COLLECT_LABEL = {"procesado": "procesado", "ignorado": "ignorado", "demasiado grande": "DEMASIADO GRANDE",
                 "fallido": "FALLÓ"}
COLLECT_COLOUR = {"procesado": "green", "ignorado": "cyan", "demasiado grande": "yellow", "fallido": "red"}


def _collect_line(m) -> str:
    forms = "; ".join(f"{f.unit or '?'} {f.state}" for f in m.forms)
    reply = f" · respuesta {m.reply}" if m.reply else ""
    why = f" — {m.reason}" if m.reason else ""
    return printable(f"{m.uid:>6}  {COLLECT_LABEL[m.result]:<16} {m.sender or '?'}" + (f" · {forms}" if forms else "")
                     + reply + why)


def _collect_table(run, color: bool) -> None:
    if run.messages:
        click.echo(f"{'UID':>6}  {'resultado':<16} remitente · formatos · respuesta")
    for m in run.messages:
        line = printable(_collect_line(m))
        colour = "red" if m.reply == "rechazada" else COLLECT_COLOUR[m.result]
        click.echo(click.style(line, fg=colour) if color else line)
    t = run.totals()
    click.echo(f"{t['received']} recibido(s): {t['accepted']} aceptado(s), {t['rejected']} rechazado(s), "
               f"{t['quarantined']} en cuarentena, {t['ignored']} ignorado(s), {t['failed']} fallido(s)."
               + (f" Quedan {t['pending']} para la siguiente ejecución (--max-messages)." if t["pending"] else ""))


@main.command(short_help="Lee las respuestas del buzón, revisa, archiva y contesta.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("respuestas"),
              show_default=True, help="Carpeta de respuestas: formatos vigentes, historial/, cuarentena/ y bitácora.")
@click.option("--folder", help="Carpeta del buzón (por omisión INBOX).")
@click.option("--imap-host", help="Servidor IMAP [$POAXL_IMAP_HOST].")
@click.option("--imap-port", type=int, help="Puerto IMAP [$POAXL_IMAP_PORT].")
@click.option("--imap-security", type=click.Choice(["ssl", "starttls", "none"]),
              help="Seguridad IMAP [$POAXL_IMAP_SECURITY]; por omisión ssl.")
@click.option("--imap-user", help="Usuario del buzón [$POAXL_IMAP_USER]. La contraseña: $POAXL_IMAP_PASSWORD o se "
                                  "pregunta.")
@click.option("--imap-cafile", type=click.Path(dir_okay=False),
              help="Certificado de la CA del servidor IMAP [$POAXL_IMAP_CAFILE].")
@smtp_options
@quarter_option("Trimestre esperado (por omisión el del archivo).")
@click.option("--dry-run", "dry_run", type=click.Path(file_okay=False, path_type=Path),
              help="No registra ni responde: escribe las respuestas .eml en esta carpeta.")
@click.option("--watch", type=Finite(1, 86400), metavar="SEGUNDOS",
              help="Revisa el buzón cada SEGUNDOS hasta Ctrl-C.")
@click.option("--timeout", type=Finite(1, 3600), default=30.0, show_default=True,
              help="Segundos de espera de los servidores.")
@click.option("--max-size", type=Finite(0.01, 1024), default=25.0, show_default=True,
              help="Tamaño máximo de un mensaje en MB (los mayores no se descargan y se informan).")
@click.option("--max-attachment", type=Finite(0.01, 1024), default=20.0, show_default=True,
              help="Tamaño máximo de un archivo adjunto en MB.")
@click.option("--max-attachments", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Archivos revisados por mensaje.")
@click.option("--max-messages", type=click.IntRange(1), default=200, show_default=True,
              help="Mensajes nuevos procesados por ejecución (los demás, en la siguiente).")
@click.option("--resend-unconfirmed", is_flag=True,
              help="Envía de nuevo las respuestas «sin confirmar» (una ejecución se interrumpió mientras las "
                   "enviaba; el coordinador podría recibirlas dos veces: la copia lo advierte).")
@click.option("--config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Archivo YAML con secciones imap: (host, port, security, user, folder, cafile) y smtp:.")
@format_option
@quiet_option
@catalog_option
@friendly
def collect(out, folder, imap_host, imap_port, imap_security, imap_user, imap_cafile, contacts, smtp_host, smtp_port,
            smtp_security, smtp_user, cafile, from_addr, reply_to, quarter, dry_run, watch, timeout, max_size,
            max_attachment, max_attachments, max_messages, resend_unconfirmed, config, fmt, catalog_path) -> None:
    """Lee las respuestas del buzón, revisa cada formato, lo archiva y contesta al coordinador.

    Cada formato correcto queda como la entrega vigente de su unidad en --out
    (TMM-F004_<año>_T<trim>_<unidad>.xlsx); toda versión recibida se guarda en historial/; los
    formatos de quien no es contacto de la unidad van a cuarentena/ sin respuesta. Los mensajes
    automáticos (rebotes, respuestas de ausencia) nunca se contestan. Una segunda ejecución no
    procesa de nuevo lo ya procesado (bitácora poaxl-recepcion.jsonl).

    \b
    Estado de salida: 0 sin fallas · 1 algún mensaje falló o no se pudo leer el buzón · 2 uso incorrecto.
    \b
    Ejemplos:
      POAXL_IMAP_PASSWORD=... poaxl collect --imap-host imap.municipio.gob.mx --imap-user planeacion
      poaxl collect --config correo.yaml --out respuestas/ --watch 60
      poaxl collect --config correo.yaml --dry-run revision/
    """
    import time

    from .collect import Limits, collect as run
    from .imap import imap_settings
    from .mail import smtp_settings

    cat = load(catalog_path)
    imap = imap_settings(config, host=imap_host, port=imap_port, security=imap_security, user=imap_user,
                         folder=folder, cafile=imap_cafile, timeout=timeout)
    smtp = smtp_settings(config, host=smtp_host, port=smtp_port, security=smtp_security, user=smtp_user,
                         cafile=cafile, timeout=timeout, sender=from_addr, reply_to=reply_to)
    imap.password = _secret(imap.password, "POAXL_IMAP_PASSWORD", "IMAP", imap.user)
    if not dry_run:
        smtp.password = _secret(smtp.password, "POAXL_SMTP_PASSWORD", "SMTP", smtp.user)
    mb = 1024 * 1024
    limits = Limits(message_bytes=int(max_size * mb), attachment_bytes=int(max_attachment * mb),
                    attachments=max_attachments, messages=max_messages)
    color = sys.stdout.isatty()

    def once():
        return run(imap, out=out, catalog=cat, contacts=contacts, smtp=smtp,
                   sender=smtp.sender, reply_to=smtp.reply_to, dry_run=dry_run, quarter=quarter, limits=limits,
                   resend_unconfirmed=resend_unconfirmed, progress=lambda m: click.echo(_collect_line(m), err=True) if sys.stderr.isatty() else None)

    def show(result) -> None:
        if fmt == "json":
            import json

            click.echo(json.dumps({"messages": [m.to_dict() for m in result.messages], "totals": result.totals()},
                                  ensure_ascii=False, indent=None if watch else 2))
        else:
            _collect_table(result, color)

    if not watch:
        result = once()
        show(result)
        sys.exit(1 if result.failed else 0)
    from .imap import MailboxError

    _stop_on_signals()
    try:
        while True:
            try:
                show(once())
            except MailboxError as exc:  # the server may come back: keep watching
                click.secho(f"Error: {printable(exc)}", fg="red", err=True)
            time.sleep(watch)
    except KeyboardInterrupt:
        click.echo("Recepción detenida.", err=True)
        sys.exit(0)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM end --watch cleanly, also when the shell started us with SIGINT ignored
    (a background job or a service manager), where Python would never raise KeyboardInterrupt."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


@main.command(short_help="Muestra el avance de la entrega, unidad por unidad.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("respuestas"),
              show_default=True, help="Carpeta de respuestas de poaxl collect.")
@click.option("--sent", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Carpeta de los formatos enviados (con la bitácora poaxl-envios.jsonl).")
@quarter_option()
@format_option
@ramo_option
@quiet_option
@catalog_option
@friendly
def status(out, sent, quarter, ramo, fmt, catalog_path) -> None:
    """Muestra, unidad por unidad, el avance de la entrega del trimestre.

    Enviado, último formato recibido (cuándo y de quién), su estado (correcto, con avisos, con
    errores, sin entregar, en cuarentena) y la última respuesta enviada.

    \b
    Estado de salida: 0 · 2 uso incorrecto (p. ej. una carpeta --out o --sent que no existe; antes del primer
    poaxl collect, que crea --out, solo un aviso).
    \b
    Ejemplos:
      poaxl status --out respuestas/ --sent formatos/
      poaxl status --quarter 3 --format json
    """
    from .status import status as run

    cat = load(catalog_path, ramo=ramo)
    rows = run(out=out, sent=sent, catalog=cat, quarter=quarter, ramo=ramo, warn=warn)
    if fmt == "json":
        echo_json({"catalog": cat.id, "quarter": quarter or cat.quarter, "units": [r.to_dict() for r in rows]})
        return
    colour = {"correcto": "green", "con avisos": "yellow", "con errores": "red", "en cuarentena": "magenta"}
    color = sys.stdout.isatty()
    day = lambda stamp: (stamp or "—")[:16].replace("T", " ")  # noqa: E731
    click.echo(f"{'unidad':>6}  {'enviado':<16}  {'recibido':<16}  {'de':<32}  {'estado':<13}  respuesta")
    for r in rows:
        reply = day(r.reply) + (" (sin confirmar)" if r.reply_result == "pendiente" else "")
        line = printable(f"{r.unit:>6}  {day(r.sent):<16}  {day(r.received):<16}  {(r.received_from or '—')[:32]:<32}  "
                         f"{r.state:<13}  {reply}")
        click.echo(click.style(line, fg=colour.get(r.state)) if color and r.state in colour else line)
    done = sum(r.state in ("correcto", "con avisos") for r in rows)
    click.echo(f"\n{done} de {len(rows)} unidad(es) con entrega aceptada.")
    if unconfirmed := sum(r.reply_result == "pendiente" for r in rows):
        click.echo(f"{unconfirmed} respuesta(s) sin confirmar: pudieron llegar o no; para enviarlas de nuevo use "
                   "poaxl collect --resend-unconfirmed.")


@catalog_group.command("import", short_help="Crea un catálogo a partir de los formatos que ya tiene la oficina.")
@click.argument("sources", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path),
                metavar="FORMATOS...")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Carpeta del catálogo a escribir (catalog.yaml + units/).")
@click.option("--id", "catalog_id", help="Identificador del catálogo (p. ej. mexicali-2021); por omisión se deduce.")
@force_option
@format_option
@friendly
def catalog_import(sources, out, catalog_id, force, fmt) -> None:
    """Lee los formatos TMM-F004 de la oficina (hechos a mano o generados por poaxl, archivos o carpetas)
    y escribe un catálogo validado: unidades, metas, programación, líneas de acción y firmas.

    Los avances (A) y las observaciones no son del catálogo: se ignoran. Una meta cuyos P son todos
    iguales a la META ANUAL se toma como porcentaje a mantener (average) con un comentario para revisarla.

    \b
    Estado de salida: 0 todo importado · 1 algún archivo no se pudo leer (el resto sí se importó) ·
    2 nada que importar o uso incorrecto.
    \b
    Ejemplos:
      poaxl catalog import formatos-2020/ --out catalogo-2021/
      poaxl catalog import T4/*.xlsx --out catalogo/ --id mexicali-2021 --force
    """
    from .importer import import_catalog, sources as expand_sources

    files = expand_sources(sources)
    with progress(range(len(files)), "Importando") as bar:
        result = import_catalog(files, out, force=force, catalog_id=catalog_id, progress=lambda p: bar.update(1))
    if fmt == "json":
        echo_json(result.to_dict())
        sys.exit(1 if result.unreadable else 0)
    cat = result.catalog
    click.echo(f"Catálogo {cat.id} escrito en {result.out}: {len(cat.units)} unidad(es), "
               f"{sum(len(u.goals) for u in cat.units)} metas, {len(cat.ramos)} ramo(s).")
    for u in result.units:
        extra = f"; promedio (revise): metas {', '.join(u.averaged)}" if u.averaged else ""
        click.echo(f"  {u.ramo['code']}-{u.data['code']} {u.data['name']}: {len(u.data['goals'])} metas "
                   f"({Path(u.source).name}, hoja «{u.sheet}»){extra}")
        for note in u.notes:
            click.secho(f"      revise: {note}", fg="yellow")
    for line in result.ambiguities:
        click.secho(f"Ambiguo: {line}", fg="yellow", err=True)
    for path, why in result.unreadable:
        click.secho(printable(f"No se pudo leer: {path}: {why}"), fg="red", err=True)
    for warning in result.warnings:
        click.secho(f"Aviso: {warning}", fg="yellow", err=True)
    click.echo(f"Revise el catálogo (poaxl catalog export --catalog {result.out} --out catalogo.xlsx lo abre en "
               "Excel) y genere los formatos con poaxl generate --catalog " + str(result.out) + " --all.")
    sys.exit(1 if result.unreadable else 0)


@catalog_group.command("export", short_help="Escribe el catálogo como libro de Excel para revisarlo y editarlo.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Libro a escribir (.xlsx).")
@force_option
@catalog_option
@friendly
def catalog_export(out, force, catalog_path) -> None:
    """Escribe el catálogo como un libro de Excel editable: hojas General, Ramos, Unidades, Líneas,
    Metas, Firmas y Contactos, con notas en cada encabezado y listas de valores válidos.

    El libro se usa directamente con --catalog catalogo.xlsx en todos los comandos.

    \b
    Estado de salida: 0 libro escrito · 2 uso o datos incorrectos (catálogo inválido, libro que ya existe sin
    --force).
    \b
    Ejemplos:
      poaxl catalog export --out catalogo.xlsx
      poaxl catalog export --catalog catalogo-2021/ --out catalogo-2021.xlsx --force
      poaxl catalog check catalogo-2021.xlsx
      poaxl generate --all --catalog catalogo-2021.xlsx
    """
    from .catalog_book import export_catalog

    cat = load(catalog_path)
    path = export_catalog(cat, out, force=force)
    click.echo(f"Catálogo {cat.id} escrito en {path}: {len(cat.ramos)} ramo(s), {len(cat.units)} unidad(es), "
               f"{sum(len(u.goals) for u in cat.units)} metas.")


@catalog_group.command("init", short_help="Crea un catálogo inicial comentado para empezar desde cero.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="CARPETA")
@click.option("--year", type=click.IntRange(2000, 2100), help="Año del POA (por omisión el actual).")
@click.option("--force", is_flag=True, help="Reemplaza la carpeta si ya tiene archivos.")
@friendly
def catalog_init(folder, year, force) -> None:
    """Crea en CARPETA un catálogo inicial comentado (un ramo, una unidad, dos metas) que valida y
    genera; edítelo con los datos de su municipio.

    \b
    Estado de salida: 0 catálogo creado · 2 uso incorrecto (carpeta con archivos, sin --force).
    \b
    Ejemplos:
      poaxl catalog init catalogo/
      poaxl catalog check catalogo/ && poaxl generate --all --catalog catalogo/
    """
    import datetime as dt

    from .catalog_files import init_catalog

    cat = init_catalog(folder, year or dt.date.today().year, force=force)
    click.echo(f"Catálogo inicial {cat.id} escrito en {folder} (catalog.yaml y units/001.yaml): edítelo y "
               f"valídelo con poaxl catalog check {folder}.")
