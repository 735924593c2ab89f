"""poaxl/yaml_cache.py: a big YAML file read twice is read the second time from the user's cache; the
cache is untrusted (a damaged entry, or a FIFO in its place, is ignored) and bounded."""
from __future__ import annotations

import os

import pytest

import hostile
from poaxl import safeyaml, yaml_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "poaxl" / "yaml"


def big(tmp_path, units: int = 900):
    path = hostile.big_catalog(tmp_path / f"c{units}.yaml", units)
    assert path.stat().st_size >= yaml_cache.MIN_BYTES
    return path


def test_a_big_file_read_twice_is_read_from_the_cache_the_second_time(tmp_path, cache):
    path = big(tmp_path)
    first = safeyaml.load(path)
    [entry] = cache.iterdir()
    assert entry.name == yaml_cache.key(path.read_bytes()) and entry.stat().st_mode & 0o777 == 0o666 & ~umask()
    entry.write_bytes(entry.read_bytes().replace(b'"00001"', b'"ABCDE"'))  # proof of use: an edited entry...
    assert safeyaml.load(path) == first  # ...whose digest no longer matches is not used
    [entry] = cache.iterdir()  # and is written again
    assert b'"ABCDE"' not in entry.read_bytes()
    os.utime(path)
    assert repr(safeyaml.load(path)) == repr(first) == repr(safeyaml._plain_load(path.read_text(encoding="utf-8")))


def test_an_entry_is_used_when_it_matches(tmp_path, cache):
    path = big(tmp_path)
    safeyaml.load(path)
    [entry] = cache.iterdir()
    digest, _, body = entry.read_bytes().partition(b"\n")
    body = body.replace(b'"00001"', b'"ABCDE"')  # a consistent entry is trusted: it is the user's own cache
    import hashlib

    entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    assert safeyaml.load(path)["units"][0]["code"] == "ABCDE"


def test_damaged_entries_and_fifos_are_ignored(tmp_path, cache):
    path = big(tmp_path)
    name = yaml_cache.key(path.read_bytes())
    cache.mkdir(parents=True)
    for damage in (b"", b"not a digest\n{}", b"\xff\xfe" * 10):
        (cache / name).write_bytes(damage)
        assert safeyaml.load(path)["units"][0]["code"] == "00001"
    (cache / name).unlink()
    os.mkfifo(cache / name)  # reading it would block forever
    assert yaml_cache.read(name) is None or not (cache / name).exists()
    assert safeyaml.load(path)["units"][0]["code"] == "00001"


def test_small_files_make_no_entry_and_the_cache_keeps_the_newest(tmp_path, cache, monkeypatch):
    safeyaml.load(hostile.write_catalog(tmp_path / "small.yaml", hostile.catalog_data()))
    assert not cache.exists()
    monkeypatch.setattr(yaml_cache, "ENTRIES", 2)
    for units in (900, 901, 902):
        safeyaml.load(big(tmp_path, units))
    assert len(list(cache.iterdir())) == 2


def test_an_unwritable_cache_is_no_cache(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # not a folder: nothing can be written
    path = big(tmp_path)
    assert safeyaml.load(path)["units"][-1]["code"] == "00900"


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
