"""How configuration problems are collected and raised: one line each, ``field.path: what is wrong; the fix``."""

from __future__ import annotations


class ConfigError(ValueError):
    """Every problem of one configuration file; ``str()`` is one problem per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Problems(list):
    """Problems found so far; ``add("", ...)`` is a problem of the whole file."""

    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}" if path else message)
