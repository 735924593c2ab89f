"""Errors meant for people: the CLI prints their message (in Spanish) and exits 2, never a traceback."""
from __future__ import annotations


class PoaxlError(Exception):
    """A problem with the user's input (file, option, catalog) that the user can fix."""

    exit_code = 2


class CatalogError(PoaxlError):
    """The catalog does not load or does not validate; one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))
