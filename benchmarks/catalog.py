"""A whole municipality: a catalog of 300 units across 25 ramos loads, validates and generates in seconds;
a one-file catalog of 10,000 units loads in about 1.5-2.5 s the first time, under 1 s from the YAML cache.

    python benchmarks/catalog.py [units] [ramos] [one-file units]
Writes the catalog as YAML (catalog.yaml + units/<ramo>/<unit>.yaml, the built-in units' goals
repeated), then times: reading + JSON-Schema validation + lint (cold, no cache), the cached
reload, and generating every unit's form. Then writes one YAML file of 10,000 units and times its
load (first, then from the YAML cache), and reading its YAML by the fast path (rapidyaml, judged by
libyaml) and by the exact path (PyYAML's events) that documents the fast path cannot vouch for take.
Prints seconds for each.
"""
from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from poaxl import safeyaml
from poaxl.catalog import _load_cached, builtin_catalog_path, load_catalog
from poaxl.generate import generate


def write_catalog(root: Path, n_units: int, n_ramos: int) -> Path:
    """``n_units`` units spread over ``n_ramos`` ramos; each ramo numbers its units from 001."""
    base = builtin_catalog_path()
    head = yaml.safe_load((base / "catalog.yaml").read_text(encoding="utf-8"))
    head.pop("ramo")
    head.update(id="municipio-2020", ramos=[{"code": f"{r:02d}", "name": f"RAMO {r}"} for r in range(1, n_ramos + 1)])
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    models = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((base / "units").glob("*.yaml"))]
    for i in range(n_units):
        ramo, number = i % n_ramos + 1, i // n_ramos + 1
        unit = dict(models[i % len(models)], code=f"{number:03d}", ramo=f"{ramo:02d}")
        folder = root / "units" / f"{ramo:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number:03d}.yaml").write_text(yaml.safe_dump(unit, allow_unicode=True), encoding="utf-8")
    return root


def write_one_file(path: Path, n_units: int) -> Path:
    """One YAML file: the built-in catalog's head and ``n_units`` copies of unit 003 (codes 00001...)."""
    base = builtin_catalog_path()
    data = yaml.safe_load((base / "catalog.yaml").read_text(encoding="utf-8"))
    unit = yaml.safe_load((base / "units" / "003.yaml").read_text(encoding="utf-8"))
    data["units"] = [dict(copy.deepcopy(unit), code=f"{i:05d}") for i in range(1, n_units + 1)]  # no aliases
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def best(run, times: int = 3) -> float:
    """The shortest of a few runs, in seconds (the machine is shared: the minimum is the cost)."""
    spent = []
    for _ in range(times):
        _load_cached.cache_clear()
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return min(spent)


def one_file(n_units: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_one_file(Path(tmp) / "catalogo.yaml", n_units)
        text = path.read_text(encoding="utf-8")
        size = path.stat().st_size / 1e6
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # poaxl/yaml_cache.py: a folder of this run
        first = best(lambda: (shutil.rmtree(Path(tmp) / "cache", ignore_errors=True), load_catalog(path)))
        again = best(lambda: load_catalog(path))
        fast = best(lambda: (shutil.rmtree(Path(tmp) / "cache", ignore_errors=True), safeyaml._fast_load(text)))
        exact = best(lambda: safeyaml._plain_load(text), times=1)
    print(f"one file of {n_units} units ({size:.1f} MB):")
    print(f"  load + validate + lint (first): {first:5.2f} s")
    print(f"  the same file again (cached):   {again:5.2f} s")
    print(f"  its YAML, fast path:            {fast:5.2f} s")
    print(f"  its YAML, exact path:           {exact:5.2f} s")


def main(n_units: int = 300, n_ramos: int = 25, one_file_units: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_catalog(Path(tmp) / "catalogo", n_units, n_ramos)
        _load_cached.cache_clear()
        start = time.perf_counter()
        cat = load_catalog(root)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        load_catalog(root)
        warm = time.perf_counter() - start
        goals = sum(len(u.goals) for u in cat.units)
        start = time.perf_counter()
        paths = generate(all_units=True, out=Path(tmp) / "formatos", catalog=cat)
        gen = time.perf_counter() - start
    print(f"catalog: {len(cat.units)} units, {len(cat.ramos)} ramos, {goals} goals, {len(cat.warnings)} lint warnings")
    print(f"load + validate + lint (cold): {cold:6.2f} s")
    print(f"load again (unchanged files):  {warm:6.3f} s")
    print(f"generate all {len(paths)} forms:      {gen:6.2f} s ({gen / len(paths) * 1000:.1f} ms per form)")
    one_file(one_file_units)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
