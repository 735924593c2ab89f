"""Read YAML from outside (catalogs, contacts, send's --config) without letting it hang or exhaust poaxl.

PyYAML shares an aliased node instead of copying it, so loading a "billion laughs" document is cheap;
what explodes is whatever walks the result afterwards (schema validation, error messages). So after
loading, the size of the value *as if aliases were copied* is computed once per distinct object (a
memoised walk, linear in the document), and a document whose aliases repeat more than
``MAX_ALIAS_NODES`` values, or that refers to itself, is refused before anything else sees it.
Only regular files are read (a FIFO or a device would block forever), and at most ``MAX_BYTES``.
"""
from __future__ import annotations

import gc
import json
import os
import re
import stat
from contextlib import contextmanager
from functools import lru_cache
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
    with paused_gc():
        return _load(path, what)


@contextmanager
def paused_gc():
    """No cyclic garbage collection for a while: reading a big catalog makes a million objects, none in a
    cycle, and the collector would walk them all again every few thousand (~15 % of a 10,000-unit load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_many(paths: list[Path], what: str = "archivo") -> list[Any]:
    """Several YAML files of one document each (a catalog's units/), read like ``load`` reads each.

    When the fast path can vouch for them all, they are read as one stream (10,000 small files read
    like one big file); otherwise each file is read on its own, so a problem names its file and line."""
    texts = [read_text(path, what) for path in paths]
    with paused_gc():
        if len(texts) > 1 and sum(map(len, texts)) <= MAX_BYTES and all(
                text.endswith("\n") and text.strip() and not _DOCUMENT_MARK.search(text) for text in texts):
            try:
                return _fast_load("".join("---\n" + text for text in texts), len(texts))
            except _NotFast:
                pass
        return [_load_text(path, text, what) for path, text in zip(paths, texts)]


def _load(path: Path, what: str) -> Any:
    return _load_text(path, read_text(path, what), what)


def _load_text(path: Path, text: str, what: str) -> Any:
    import yaml

    try:
        try:
            return _fast_load(text)
        except _NotFast:
            pass
        try:
            return _plain_load(text)
        except _NotPlain:
            pass
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        from .catalog import yaml_problem

        raise YamlRefused(f"{path}: {yaml_problem(exc, text)}.") from None
    except yaml.YAMLError:
        raise YamlRefused(f"{path}: YAML inválido.") from None
    except ValueError:  # int("9" * 5000): Python's limit on digits in a number
        raise YamlRefused(f"{path}: un número tiene demasiados dígitos.") from None
    except RecursionError:
        raise YamlRefused(f"{path}: el YAML está anidado demasiado profundo.") from None
    check_aliases(data, path)
    return data


def compose(path: str | Path) -> Any:
    """The node graph of the YAML file ``path`` (PyYAML's: each value with the text typed for it), or None
    when it cannot be read. Only asked to phrase a problem of a file already loaded, whichever way
    (fast path, cache) its values came: what was typed is read from the file itself."""
    import yaml

    try:
        return yaml.compose(read_text(Path(path)), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (YamlRefused, yaml.YAMLError, ValueError, RecursionError):
        return None


def typed_at(node: Any, keys: list) -> str | None:
    """The text typed for the unquoted value at ``keys`` (``["units", 0, "code"]``) below ``node``, or None.

    YAML 1.1 reads ``code: 0046`` as the octal number 38 and ``name: no`` as false: a message must show
    the 0046 or the no the office wrote, not the value PyYAML made of it."""
    from yaml.nodes import ScalarNode

    node = node_at(node, keys)
    return node.value if isinstance(node, ScalarNode) and not node.style else None  # plain: libyaml's ''


def node_at(node: Any, keys: list) -> Any:
    """The node at ``keys`` below ``node`` (a composed YAML file), or None."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    for key in keys:
        if isinstance(node, MappingNode):  # the last of repeated keys, as PyYAML keeps it
            node = next((v for k, v in reversed(node.value) if isinstance(k, ScalarNode) and k.value == str(key)),
                        None)
        elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def typed_keys(node: Any) -> dict[Any, str]:
    """The text typed for each unquoted key of a mapping node that YAML reads as something else, by the
    value YAML made of it: ``0046:`` is the octal number 38 and ``010:`` is 8, another unit's code."""
    from yaml.nodes import MappingNode, ScalarNode

    out: dict[Any, str] = {}
    for key, _ in node.value if isinstance(node, MappingNode) else ():
        if isinstance(key, ScalarNode) and not key.style:
            try:
                value = _plain_value(key.value)
            except _NotFast:
                continue
            if not isinstance(value, str):
                out[value] = key.value
    return out


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


# --------------------------------------------------------------------------- the fast path

FAST_EVENTS = 4_000_000  # libyaml events (a 10,000-unit catalog has ~1 million): rapidyaml's tree stays small

# where a value starts: an anchor, alias or tag, or "?" (in [..] and {..} libyaml takes ?x as the key x)
_NODE_PROPERTY = re.compile(r"(?<![^\s\[{,:])(?:[&*]\S|[!?])")
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")  # line breaks of YAML 1.1 that rapidyaml keeps as text
# every run where a typed plain scalar could be, and what follows it: a ":" (maybe after spaces) makes it a
# key; in a flow mapping "," or "}" too ({1, c: 2}: 1 is a key without a value). rapidyaml writes keys as text
_DIGIT_LED = re.compile(r"([-+.0-9~<=][^\s\[\]{},:]*)(\s*[:,}]?)")


_DOCUMENT_MARK = re.compile(r"^(?:---|\.\.\.|%)", re.M)  # a file that ends or starts documents itself

# rapidyaml writes every spelling of infinity and NaN (inf, .NaN, 'nan' as a key...) as one of these
_REWRITTEN = frozenset({".inf", "-.inf", ".nan"})


class _NotFast(Exception):
    """The fast path cannot vouch for this document: the exact path (PyYAML) reads it."""


def _fast_load(text: str, documents: int = 1) -> Any:
    """What ``yaml.load(text, SafeLoader)`` returns, or _NotFast, about five times faster than _plain_load
    (with several ``documents``: the list of what ``yaml.load_all`` returns).

    rapidyaml (C++) parses and writes the values as JSON, which json reads; PyYAML is kept as the judge:
    libyaml (PyYAML's parser, in C) checks the syntax and counts the document's events, and the fast
    result is taken only when it has the same number of values, every number is PyYAML's reading of its
    text, and no text that PyYAML would read as something else (``010``, ``yes``, a date) was written
    without quotes. A document with anchors, aliases, tags or YAML 1.1's rare line breaks, a syntax error,
    or anything rapidyaml refuses goes to the exact path, which gives PyYAML's values and messages."""
    import yaml

    from . import yaml_cache

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None or not text.strip() or _has(text, "&*!?", _NODE_PROPERTY) \
            or _has(text, "\r\x85\u2028\u2029", _OTHER_BREAKS) or not text.endswith("\n") and ("|" in text or ">" in text):
        raise _NotFast  # (a block scalar ending the file without a line break ends with one for rapidyaml)
    encoded = text.encode("utf-8")
    entry = yaml_cache.key(encoded)
    cached = yaml_cache.read(entry)
    if cached is not None:  # these very bytes passed every check below before
        try:
            return _json_values(cached)[0]
        except _NotFast:  # a damaged entry: the file is read again
            pass
    try:
        events = loader(text).raw_parse()  # libyaml in C, no Python object per event
    except yaml.YAMLError:
        raise _NotFast from None
    if events > FAST_EVENTS:
        raise _NotFast
    written = _ryml_json(encoded, documents)
    data, numbers = _json_values(written)
    strings, count = _strings_and_events(data)
    if (count + 4 if documents == 1 else count + 2 * documents) != events:  # stream and document starts
        raise _NotFast  # and ends (a list of documents counts its own two): libyaml read another structure
    typed = {s for s in strings if _typed(s)}
    if typed and (typed & _REWRITTEN or any(not s or s.isalpha() or any(c.isspace() or c == ":" for c in s)
                                             for s in typed)):
        raise _NotFast  # "", yes, NULL, a date with a time: no cheap proof that they were quoted
    # a run of text that rapidyaml wrote as a number, and not as a key, was not one of these texts
    flow_maps = "{" in text
    if typed and typed & {run for run, after in _DIGIT_LED.findall(text)
                          if ":" in after or flow_maps and after.strip() or run not in numbers.seen}:
        raise _NotFast  # maybe written without quotes: PyYAML would read a number or a date
    yaml_cache.write(entry, written)
    return data


def _json_values(written: str) -> tuple[Any, "_Scalars"]:
    """The values of rapidyaml's JSON, numbers read as PyYAML reads them; _NotFast if json refuses it."""
    numbers = _Scalars()
    try:  # a control character rapidyaml wrote unescaped, nesting deeper than json reads: the exact path
        return json.loads(written, parse_int=numbers, parse_float=numbers, parse_constant=numbers), numbers
    except (ValueError, RecursionError):
        raise _NotFast from None


def _has(text: str, chars: str, pattern: re.Pattern) -> bool:
    """``pattern`` is in ``text`` (searched only when one of ``chars`` is: most catalogs have none)."""
    return any(c in text for c in chars) and pattern.search(text) is not None


def _ryml_json(encoded: bytes, documents: int = 1) -> str:
    """The document (or the list of ``documents``) as JSON, written by rapidyaml (C++); _NotFast when
    rapidyaml refuses it or finds another number of documents."""
    try:
        import ryml
    except ImportError:
        raise _NotFast from None
    with _quiet_stderr():  # rapidyaml reports its own errors (in English) on stderr before raising
        try:
            tree = ryml.parse_in_arena(encoded)
            node = tree.root_id()
            if tree.is_stream(node) and tree.num_children(node) == documents == 1:
                node = tree.first_child(node)
            elif documents > 1 and not (tree.is_stream(node) and tree.num_children(node) == documents) \
                    or tree.is_stream(node) and documents == 1:
                raise _NotFast
            out = ryml.emit_json_malloc(tree, node)
        except Exception:  # whatever rapidyaml refuses (or a version whose API moved): PyYAML reads it
            raise _NotFast from None
    if not isinstance(out, str):
        raise _NotFast
    return out


class _Scalars:
    """A number as rapidyaml wrote it, read as PyYAML reads that plain scalar (``1e3`` is text there);
    ``seen`` keeps the texts rapidyaml wrote as numbers in this document."""

    def __init__(self):
        self.seen: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        if text in self.seen:
            return self.seen[text]
        value = self.seen[text] = _plain_value(text)
        # rapidyaml writes .5 as 0.5, -.5 as -0.5 and 1. as 1.0: either text may have been in the file
        written = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else \
            text[:-1] if text.endswith(".0") else text
        if written != text and repr(_plain_value(written)) != repr(value):
            raise _NotFast  # -.5 is text for PyYAML, -0.5 a number
        return value


@lru_cache(maxsize=1)
def _pyyaml() -> tuple[Any, Any]:
    """PyYAML's resolver and safe constructor (the judges of what a plain scalar means)."""
    import yaml

    return yaml.resolver.Resolver(), yaml.constructor.SafeConstructor()


@lru_cache(maxsize=1 << 16)  # a catalog folder repeats its numbers in every file
def _plain_value(text: str) -> Any:
    """PyYAML's value of the plain scalar ``text`` (never a mutable one: numbers, dates, text...)."""
    from yaml.nodes import ScalarNode

    resolver, constructor = _pyyaml()
    tag = resolver.resolve(ScalarNode, text, (True, False))
    build = constructor.yaml_constructors.get(tag)
    if build is None or tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
        raise _NotFast
    try:
        return build(constructor, ScalarNode(tag, text))
    except ValueError:  # 5,000 digits: the exact path says so
        raise _NotFast from None


@lru_cache(maxsize=1 << 16)
def _typed(text: str) -> bool:
    """Would PyYAML read ``text``, written without quotes, as something other than text?"""
    from yaml.nodes import ScalarNode

    resolver = _pyyaml()[0]
    if text and text[0] not in resolver.yaml_implicit_resolvers:
        return False
    return resolver.resolve(ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"


def _strings_and_events(data: Any) -> tuple[set[str], int]:
    """The distinct texts (keys and values) of a JSON value, and how many libyaml events it makes."""
    strings: set[str] = set()
    count, stack = 0, [data]
    pop, push, add, update = stack.pop, stack.extend, strings.add, strings.update
    while stack:
        value = pop()
        kind = value.__class__
        if kind is dict:
            if "" in value:
                raise _NotFast  # an empty key: PyYAML's is None
            count += 2 + len(value)
            update(value)
            push(value.values())
        elif kind is list:
            count += 2
            push(value)
        else:
            count += 1
            if kind is str:
                add(value)
    return strings, count


@contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to the null device for a while (what C++ code prints there is not for users)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
