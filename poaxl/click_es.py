"""click's own words in Spanish.

click marks every message it prints with gettext (``_("Usage:")``) but ships no Spanish catalogue,
and gettext would only find one through the user's locale. poaxl's users read Spanish whatever
their locale, so the CLI installs this table as click's translation function when it is imported.
The message ids are click's gettext ids (stable across click 8.x); an id missing here stays English,
and a test lists every id click uses, so a new click version cannot slip English back in unseen.
"""
from __future__ import annotations

import importlib

MESSAGES: dict[str, str] = {
    "Usage:": "Uso:",
    "Options": "Opciones",
    "Positional arguments": "Argumentos posicionales",
    "Commands": "Comandos",
    "Show this message and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "%(prog)s, version %(version)s": "%(prog)s, versión %(version)s",
    "Error: {message}": "Error: {message}",
    "Try '{command} {option}' for help.": "Ayuda: «{command} {option}».",
    "Missing command.": "Falta el comando.",
    "Missing argument": "Falta el argumento",
    "Missing option": "Falta la opción",
    "Missing parameter": "Falta el parámetro",
    "Missing {param_type}": "Falta {param_type}",
    "Missing parameter: {param_name}": "Falta el parámetro: {param_name}",
    "No such option {name!r}.": "No existe la opción {name!r}.",
    "No such command {name!r}.": "No existe el comando {name!r}.",
    "Invalid value: {message}": "Valor no válido: {message}",
    "Invalid value for {param_hint}: {message}": "Valor no válido para {param_hint}: {message}",
    "Did you mean {possibility}?": "¿Quiso decir {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(¿Quiso decir alguna de: {possibilities}?)",
    "Got unexpected extra argument ({args})": "Argumento adicional inesperado ({args})",
    "Got unexpected extra arguments ({args})": "Argumentos adicionales inesperados ({args})",
    "Option {name!r} requires an argument.": "La opción {name!r} requiere un valor.",
    "Option {name!r} requires {nargs} arguments.": "La opción {name!r} requiere {nargs} valores.",
    "Option {name!r} does not take a value.": "La opción {name!r} no lleva valor.",
    "Argument {name!r} takes {nargs} values.": "El argumento {name!r} lleva {nargs} valores.",
    "Invalid start character for option ({option})": "Carácter inicial no válido en la opción ({option})",
    "Takes {nargs} values but 1 was given.": "Lleva {nargs} valores, pero se dio 1.",
    "Takes {nargs} values but {len} were given.": "Lleva {nargs} valores, pero se dieron {len}.",
    "Value must be an iterable.": "El valor debe ser una lista.",
    "{value!r} is not {choice}.": "{value!r} no es {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} no es uno de {choices}.",
    "Choose from:\n\t{choices}": "Elija entre:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} no está en el rango {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} no es un {number_type} válido.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} no es un valor sí/no válido. Valores reconocidos: {states}",
    "{value!r} does not match the format {format}.": "{value!r} no tiene el formato {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} no tiene ninguno de los formatos {formats}.",
    "{len_type} values are required, but {len_value} was given.":
        "Se requieren {len_type} valores, pero se dio {len_value}.",
    "{len_type} values are required, but {len_value} were given.":
        "Se requieren {len_type} valores, pero se dieron {len_value}.",
    "file": "archivo",
    "directory": "carpeta",
    "path": "ruta",
    "{name} {filename!r} does not exist.": "No existe {filename!r} ({name}).",
    "{name} {filename!r} is a file.": "{filename!r} es un archivo; se esperaba: {name}.",
    "{name} {filename!r} is a directory.": "{filename!r} es una carpeta; se esperaba: {name}.",
    "{name} {filename!r} is not readable.": "No se puede leer {filename!r} ({name}).",
    "{name} {filename!r} is not writable.": "No se puede escribir en {filename!r} ({name}).",
    "{name} {filename!r} is not executable.": "{filename!r} no es ejecutable ({name}).",
    "Could not open file {filename!r}: {message}": "No se pudo abrir el archivo {filename!r}: {message}",
    "unknown error": "error desconocido",
    "env var: {var}": "variable de entorno: {var}",
    "default: {default}": "por omisión: {default}",
    "(dynamic)": "(dinámico)",
    "deprecated": "obsoleto",
    "required": "obligatoria",  # --help's «[required]»: click passes it to _() as a variable, not a literal
    "Aborted!": "Interrumpido.",
    "Do you want to continue?": "¿Desea continuar?",
    "Confirm the action without prompting.": "Confirma la acción sin preguntar.",
    "Repeat for confirmation": "Repita para confirmar",
    "Error: The two entered values do not match.": "Error: los dos valores escritos no coinciden.",
    "Error: invalid input": "Error: valor no válido",
    "Press any key to continue...": "Pulse una tecla para continuar…",
}

# the modules of click that call ``_``/``ngettext`` for text a user can read
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")

OPTIONS_METAVAR = "[OPCIONES]"
COMMAND_METAVAR = "COMANDO [ARGUMENTOS]..."


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


# click's names of option types, shown as metavars in --help (``--password TEXT``)
TYPE_NAMES = {"text": "TEXTO", "integer": "ENTERO", "float": "NÚMERO", "integer range": "ENTERO",
              "float range": "NÚMERO", "boolean": "SÍ/NO"}


def spanish_metavars(params) -> None:
    """Give options of click's basic types a Spanish metavar (``--password TEXTO``)."""
    import click

    for param in params:
        name = getattr(param.type, "name", "")
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag and name in TYPE_NAMES:
            param.metavar = TYPE_NAMES[name]


def install() -> None:
    """Make click speak Spanish in this process (poaxl's CLI is the program, not a library)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
