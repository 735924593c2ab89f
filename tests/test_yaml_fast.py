"""poaxl/safeyaml.py's fast path (rapidyaml + json, judged by libyaml) gives exactly PyYAML's values or
steps aside: every document here is read both ways and compared value for value and type for type."""
from __future__ import annotations

import random

import pytest
import yaml

import hostile
from poaxl import safeyaml
from poaxl.catalog import load_catalog

EXACT = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# documents where rapidyaml and YAML 1.1 (PyYAML) could disagree, or that the fast path must refuse to judge
CORPUS = {
    "plain catalog": "id: x\nyear: 2020\nramo:\n  code: '01'\n  name: PRESIDENCIA\nunits:\n- code: '003'\n"
                     "  planned: [150, 160, 60, 50]\n  meta: 420\n  rate: 1.5\n",
    "quoted code and the same number": "a: '2'\nb: 2\nc: ['010', 10]\n'4': '2020-07-10'\n",
    "unquoted leading zeros": "code: 003\nprograma: 010\nn: 08\n",
    "unquoted key": "2: x\na: 2\n",
    "flow after a quoted key": '{"a":010, "b":\'010\'}\n',
    "yes and no": "a: yes\nb: 'yes'\nc: NO\nd: 'NO'\ne: On\nf: true\ng: True\n",
    "nulls": "a: ~\nb: '~'\nc: Null\nd:\ne: null\nf: ''\n",
    "dates": "a: 2020-07-10\nb: '2020-07-10'\nc: 2001-12-14 21:59:43.10 -5\nd: 2001-1-4\n  10:00:00\n",
    "quoted dates only": "deadlines:\n  '1': '2020-04-10'\n  '2': \"2020-07-10\"\n",
    "numbers": "a: [1, -1, 1.5, -1.5, 1., 1e3, 1.0e+3, 1_000, 1:20, 0x1F, 0o17, 017, .inf, -.inf, 12345678901234567890]\n",
    "plus sign": "a: +1\n",
    "dots": "a: [.5, 1., -1., .5e+3, 0.5, 1.0, 2.50, 0.0]\n",
    "dots PyYAML reads as text": "a: -.5\nb: .5e3\nc: -.5e+3\n",
    "infinities and nans": "a: [inf, nan, Infinity, .NaN, .Inf, -.INF, +.inf, -inf]\n",
    "quoted nan key": "'nan': 1\n'.inf': 2\n",
    "quoted infinities": "a: ['.inf', 'nan', '-.inf']\n",
    "trailing spaces and empty values": "a: \nb:  # c\nc:\n- \n",
    "question mark in a flow mapping": "a: {?x: 1}\n",
    "number key with a space before the colon": "a: 1\nb: {1 : x}\n",
    "number key with a tab before the colon": "a: 1\n1\t: x\n",
    "number key without a value in a flow mapping": "a: 1\nb: {1, c: 2}\n",
    "flow sequence of numbers beside quoted codes": "code: '1'\nplanned: [1, 3, 0, 0]\n",
    "block scalar ending the file": "a: |\n  x\n  y",
    "plain scalar ending the file": "a: x\nb: 1",
    "merge and value keys": "<<: {a: 1}\nb: =\n",
    "tab after the colon": "a:\t1\n",
    "crlf": "a: 1\r\nb: x y\r\nc: 'q\r\n  r'\r\nd: |\r\n  l1\r\n  l2\r\n",
    "lone carriage return": "a: x\ry\n",
    "unicode line separator": "a: x\u2028y\n",
    "escapes": 'a: "t\\tn\\nq\\"b\\\\s\\/x\\x41\\u00e9\\U0001F600\\N\\_\\L\\P sp\\ end"\n',
    "control escapes": 'a: "\\x01\\x1b[31m\\0x"\n',
    "folding": "a: one\n  two\n\n  three\nb: 'it''s\n  two'\nc: \"x\n  y\\\n  z\"\n",
    "block scalars": "a: |\n  l1\n   l2\n\n  l3\n\n\nb: |-\n  x\n\nc: |+\n  y\n\nd: >\n  f1\n  f2\n\n  f3\n   i\n  f4\ne: |2\n   lead\n",
    "comments and document markers": "--- # c\na: 1 # c\n# c\nb:\n  # c\n  - 1\n...\n",
    "one scalar": "--- 12\n",
    "two documents": "- 1\n---\n- 2\n",
    "anchors": "a: &x [1, 2]\nb: *x\n",
    "tags": "a: !!str 1\nb: ! 2\n",
    "empty key": ": v\n",
    "complex key": "[a, b]: c\n",
    "duplicate keys": "a: 1\na: 2\n",
    "deep nesting": "a: " + "[" * 200 + "]" * 200 + "\n",
    "syntax error": "id: x\nname: UNIDAD: UNO\n",
    "invalid for libyaml only": "a: @x\nb: `y\n",
    "huge integer": "a: " + "9" * 5000 + "\n",
    "names with signs": "a: OBRAS & SERVICIOS\nb: 50 % DE AVANCE!\nc: A * B\nd: x, y [z] {w}\n",
    "empty": "",
}


def exact(text: str) -> str:
    """What PyYAML's safe loader makes of ``text``: the repr (1, 1.0 and True differ) or the error."""
    try:
        return repr(yaml.load(text, Loader=EXACT))
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return f"error {type(exc).__name__}"


@pytest.mark.parametrize("name", CORPUS)
def test_fast_path_gives_pyyamls_values_or_steps_aside(name, capfd):
    text = CORPUS[name]
    try:
        got = repr(safeyaml._fast_load(text))
    except safeyaml._NotFast:
        return
    assert got == exact(text)
    assert capfd.readouterr().err == ""  # rapidyaml's own English reports never reach the user


@pytest.mark.parametrize("name", CORPUS)
def test_load_gives_pyyamls_values_or_a_spanish_refusal(name, tmp_path, capfd):
    path = tmp_path / "c.yaml"
    path.write_bytes(CORPUS[name].encode("utf-8"))
    try:
        got = repr(safeyaml.load(path, "catálogo"))
    except safeyaml.YamlRefused as exc:
        assert str(exc).startswith(f"{path}: ")
        assert not exact(CORPUS[name]).startswith("{") or "alias" in str(exc) or "YAML" in str(exc)
        return
    assert got == exact(CORPUS[name])
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("name", ["plain catalog", "quoted code and the same number", "quoted dates only",
                                  "crlf", "names with signs", "folding", "block scalars", "dots",
                                  "plain scalar ending the file", "flow sequence of numbers beside quoted codes"])
def test_plain_catalogs_take_the_fast_path(name):
    assert repr(safeyaml._fast_load(CORPUS[name])) == exact(CORPUS[name])


@pytest.mark.parametrize("name", ["unquoted leading zeros", "unquoted key", "flow after a quoted key", "yes and no",
                                  "nulls", "dates", "tab after the colon", "lone carriage return", "anchors",
                                  "two documents", "syntax error", "invalid for libyaml only", "huge integer",
                                  "dots PyYAML reads as text", "infinities and nans", "quoted nan key",
                                  "question mark in a flow mapping", "block scalar ending the file",
                                  "number key with a space before the colon", "number key with a tab before the colon",
                                  "number key without a value in a flow mapping"])
def test_what_yaml_1_1_reads_otherwise_goes_to_the_exact_path(name):
    with pytest.raises(safeyaml._NotFast):
        safeyaml._fast_load(CORPUS[name])


def test_syntax_errors_keep_their_line_numbers(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("id: x\nname: UNIDAD: UNO\n", encoding="utf-8")
    with pytest.raises(safeyaml.YamlRefused) as info:
        safeyaml.load(path, "catálogo")
    assert str(info.value) == (f"{path}: YAML inválido (línea 2, columna 13): hay un «:» donde no se esperaba "
                               "(un texto con «: » debe ir entre comillas).")


def test_a_ten_thousand_unit_catalog_loads_the_same_units_both_ways(tmp_path):
    """The fast path is taken for the 10,000-unit stress catalog, and it reads what PyYAML reads."""
    path = hostile.big_catalog(tmp_path / "grande.yaml")
    text = path.read_text(encoding="utf-8")
    fast = safeyaml._fast_load(text)
    assert repr(fast) == repr(safeyaml._plain_load(text))
    cat = load_catalog(path)
    assert len(cat.units) == 10_000
    assert [u.code for u in cat.units] == [f"{i:05d}" for i in range(1, 10_001)]
    assert {u.goals[0].planned for u in cat.units} == {(4020, 5020, 6030, 5030)}


# --------------------------------------------------------------------------- generated documents

WORDS = ("abc", "ATENCIÓN", "x y", "a:b", "x#y", "1", "1.5", "0.5", "-.5", "010", "2020-07-10", "yes", "é ñ", 'a"b',
         "a'b", "a\\b", "-x", "true", "null", "~", "2.3.1", "x  y", "x\ty", " lead", "trail ", "", "a,b", "a]b", "%",
         "@x", "`x", "|x", ">x", "'", '"', "#", "x #c", "«x»", "\U0001F600")


def plain_ok(word: str) -> bool:
    return bool(word) and word == word.strip() and word[0] not in "-?:,[]{}#&*!|>'\"%@` " \
        and ": " not in word and " #" not in word and "\t" not in word


def generated(rng: random.Random) -> str:
    """A random document of block and flow collections, the three scalar styles, block scalars, comments."""
    def scalar(flow: bool = False) -> str:
        word, r = rng.choice(WORDS), rng.random()
        if r < 0.4 and plain_ok(word) and not (flow and any(c in word for c in ",[]{}")):
            return word
        if r < 0.7:
            return "'" + word.replace("'", "''") + "'"
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def flow(depth: int) -> str:
        if depth > 2 or rng.random() < 0.5:
            return scalar(True)
        if rng.random() < 0.5:
            return "[" + rng.choice([", ", ",\n    "]).join(flow(depth + 1) for _ in range(rng.randint(0, 3))) + "]"
        return "{" + ", ".join(f"{scalar(True)}: {flow(depth + 1)}" for _ in range(rng.randint(0, 3))) + "}"

    def value(depth: int, indent: int) -> str:
        r, pad = rng.random(), " " * (indent + 2)
        if depth > 3 or r < 0.3:
            return " " + scalar() + rng.choice(["", " # c", "  "])
        if r < 0.4:
            lines = ["" if rng.random() < 0.2 else pad + rng.choice(WORDS).replace("\t", " ") for _ in range(3)]
            return " " + rng.choice(["|", ">", "|-", ">+"]) + "\n" + "\n".join(lines)
        if r < 0.5:
            return " " + flow(0)
        if r < 0.55:
            return ""
        if r < 0.8:
            return "\n" + "\n".join(f"{pad}{scalar()}:{value(depth + 1, indent + 2)}" for _ in range(rng.randint(1, 3)))
        return "\n" + "\n".join(f"{pad}-{value(depth + 1, indent + 2)}" for _ in range(rng.randint(1, 3)))

    body = "\n".join(f"{scalar()}:{value(0, 0)}" for _ in range(rng.randint(1, 4)))
    return rng.choice(["", "---\n", "# c\n"]) + body + rng.choice(["\n", "", "\n...\n"])


@pytest.mark.parametrize("seed", range(4))
def test_generated_documents_read_as_pyyaml_reads_them(seed):
    rng, taken = random.Random(seed), 0
    for _ in range(400):
        text = generated(rng)
        if rng.random() < 0.3:
            text = text.replace("\n", "\r\n")
        try:
            got = repr(safeyaml._fast_load(text))
        except safeyaml._NotFast:
            continue
        taken += 1
        assert got == exact(text), text
    assert taken > 50  # the fast path was really tried


def test_a_folder_of_unit_files_is_read_as_one_stream_with_each_files_values(tmp_path):
    """safeyaml.load_many: several files read at once give what reading each gives; one bad file makes
    each file be read on its own, so the error names that file and its line."""
    texts = [CORPUS["plain catalog"], CORPUS["quoted dates only"], "code: '004'\nname: OBRAS & SERVICIOS\n"]
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"{i}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    assert repr(safeyaml.load_many(paths)) == repr([yaml.load(t, Loader=EXACT) for t in texts])
    assert repr(safeyaml._fast_load("".join("---\n" + t for t in texts), len(texts))) == repr(
        [yaml.load(t, Loader=EXACT) for t in texts])
    paths[1].write_text("id: x\nname: UNIDAD: UNO\n", encoding="utf-8")
    with pytest.raises(safeyaml.YamlRefused) as info:
        safeyaml.load_many(paths)
    assert str(info.value).startswith(f"{paths[1]}: YAML inválido (línea 2, columna 13)")
    paths[1].write_text("--- 7\n", encoding="utf-8")  # a file with its own document marker: read alone
    assert safeyaml.load_many(paths)[1] == 7
    paths[0].write_text("a: 1\n", encoding="utf-8")
    paths[1].write_text("1 : x\n", encoding="utf-8")  # a number key here, the same number a value there
    assert safeyaml.load_many(paths)[1] == {1: "x"}
