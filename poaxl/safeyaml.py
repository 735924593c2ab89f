"""Read YAML from outside (catalogs, contacts, send's --config) without letting it hang or exhaust poaxl.

PyYAML shares an aliased node instead of copying it, so loading a "billion laughs" document is cheap;
what explodes is whatever walks the result afterwards (schema validation, error messages). So after
loading, the size of the value *as if aliases were copied* is computed once per distinct object (a
memoised walk, linear in the document), and a document whose aliases repeat more than
``MAX_ALIAS_NODES`` values, or that refers to itself, is refused before anything else sees it.
Only regular files are read (a FIFO or a device would block forever), and at most ``MAX_BYTES``.
"""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from .errors import PoaxlError, os_reason

MAX_BYTES = 64 * 1024 * 1024      # a 10,000-unit catalog is about 20 MB
MAX_ALIAS_NODES = 10_000          # values that aliases (*name) may repeat, in all


class YamlRefused(PoaxlError):
    """The YAML file cannot be used; the message names the file and says why, in Spanish."""


def read_text(path: Path, what: str = "archivo") -> str:
    """The text of a regular UTF-8 file of at most MAX_BYTES; Spanish errors otherwise."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise YamlRefused(f"{path}: no se pudo leer el {what}: {os_reason(exc)}.") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "una carpeta" if stat.S_ISDIR(info.st_mode) else "un FIFO, socket o dispositivo"
        raise YamlRefused(f"{path}: no es un archivo normal ({kind}); el {what} debe ser un archivo YAML.")
    if info.st_size > MAX_BYTES:
        raise YamlRefused(f"{path}: mide {info.st_size // 1048576} MB, más del límite de {MAX_BYTES // 1048576} MB "
                          f"para un {what}.")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlRefused(f"{path}: no se pudo leer el {what}: {os_reason(exc)}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlRefused(f"{path}: el {what} no está en UTF-8 (byte no válido en la posición {exc.start}); "
                          "guárdelo con codificación UTF-8.") from None


def load(path: Path, what: str = "archivo") -> Any:
    """Parse one YAML document from ``path`` safely (no Python objects, bounded aliases)."""
    import yaml

    text = read_text(path, what)
    try:
        try:
            return _plain_load(text)
        except _NotPlain:
            pass
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        from .catalog import yaml_problem

        raise YamlRefused(f"{path}: {yaml_problem(exc)}.") from None
    except yaml.YAMLError:
        raise YamlRefused(f"{path}: YAML inválido.") from None
    except ValueError:  # int("9" * 5000): Python's limit on digits in a number
        raise YamlRefused(f"{path}: un número tiene demasiados dígitos.") from None
    except RecursionError:
        raise YamlRefused(f"{path}: el YAML está anidado demasiado profundo.") from None
    check_aliases(data, path)
    return data


def check_aliases(data: Any, path: Path) -> None:
    """Refuse a value whose aliases would repeat more than MAX_ALIAS_NODES values, or that contains itself."""
    sizes: dict[int, int] = {}
    distinct = 0
    active: set[int] = set()

    def size(value: Any) -> int:
        nonlocal distinct
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlRefused(f"{path}: el YAML se contiene a sí mismo (un alias dentro de su propia ancla).")
        active.add(key)
        distinct += 1
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        distinct += sum(1 for c in children if not isinstance(c, (dict, list)))
        sizes[key] = total
        return total

    try:
        expanded = size(data)
    except RecursionError:
        raise YamlRefused(f"{path}: el YAML está anidado demasiado profundo.") from None
    if expanded - distinct > MAX_ALIAS_NODES:
        raise YamlRefused(f"{path}: los alias de YAML (*nombre) repiten {expanded - distinct:,} valores; se admiten "
                          f"a lo más {MAX_ALIAS_NODES:,}. Escriba los valores sin alias.".replace(",", " "))


class _NotPlain(Exception):
    """The document uses anchors, aliases, tags, merge keys or several documents: PyYAML's loader reads it."""


def _plain_load(text: str) -> Any:
    """What ``yaml.load(text, SafeLoader)`` returns, built straight from libyaml's events.

    For the plain YAML catalogs are written in (no anchors, aliases, tags or merge keys) this gives the
    same values as PyYAML — scalars are resolved and constructed by PyYAML's own resolver and
    SafeConstructor — about eight times faster on a 20 MB catalog, because PyYAML's node graph is never
    built. Anything else raises _NotPlain and PyYAML does the whole job (with the alias budget)."""
    import yaml
    from yaml import events
    from yaml.nodes import ScalarNode

    resolver, constructor = yaml.resolver.Resolver(), yaml.constructor.SafeConstructor()
    build = yaml.constructor.SafeConstructor.yaml_constructors
    first_chars = resolver.yaml_implicit_resolvers
    unsafe_tags = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
    no_key = object()
    stack: list[list] = []  # [container, pending mapping key]
    root, documents = None, 0
    plain: dict[str, Any] = {}  # a plain scalar -> its value (catalogs repeat codes and numbers a lot)
    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    while True:
        event = parser.get_event()
        kind = event.__class__
        if kind is events.StreamEndEvent:
            break
        if kind is events.ScalarEvent:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _NotPlain
            value = event.value
            if event.implicit[0]:  # plain scalar: 12, 1.5, true, null, 2020-07-10 ... as PyYAML resolves them
                if not value:
                    value = None
                elif value[0] in first_chars:
                    if value in plain:
                        value = plain[value]
                    else:
                        tag = resolver.resolve(ScalarNode, value, event.implicit)
                        if tag in unsafe_tags:
                            raise _NotPlain
                        if tag != "tag:yaml.org,2002:str":
                            value = plain[value] = build[tag](constructor, ScalarNode(tag, value))
                        else:
                            plain[value] = value
        elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _NotPlain
            stack.append([{} if kind is events.MappingStartEvent else [], no_key])
            continue
        elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is events.AliasEvent:
            raise _NotPlain
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _NotPlain  # PyYAML says what is wrong with several documents
            continue
        else:
            continue
        if not stack:
            root = value
            continue
        top = stack[-1]
        if top[0].__class__ is list:
            top[0].append(value)
        elif top[1] is no_key:
            if value.__class__ in (dict, list):
                raise _NotPlain  # a complex key: PyYAML refuses it with its own message
            top[1] = value
        else:
            top[0][top[1]] = value
            top[1] = no_key
    return root
