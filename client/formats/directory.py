"""Inputs named as directories: every file inside whose format is known by its extension
(a folder of JSONL or Parquet parts, as Spark, Ray or pandas write them), in name order."""

from __future__ import annotations

import os
from typing import Iterator, Sequence

from lacuna.client.formats import EXTENSIONS


def _known(name: str) -> bool:
    return not name.startswith((".", "_")) and os.path.splitext(name)[1].lower() in EXTENSIONS


def files_in(directory: str) -> list[str]:
    """The known-format files under `directory` (recursively), sorted by path."""
    found = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        found.extend(os.path.join(root, n) for n in names if _known(n))
    return sorted(found)


def expand_inputs(paths: Sequence[str]) -> Iterator[str]:
    """Each path as given, except a directory, which stands for the files in it. An empty
    directory is passed on as it is, so the reader names it as a problem."""
    for path in paths:
        if os.path.isdir(path):
            inside = files_in(path)
            yield from inside if inside else [path]
        else:
            yield path
