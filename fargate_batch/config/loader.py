"""Load ``config/<env>.toml`` into :class:`ProjectConfig`, reporting every problem at once.

Two passes: this module reads the file and shapes the TOML generically from the schema's dataclasses
(known keys with a did-you-mean for the others, types, required fields, defaults, keys that moved);
then :mod:`fargate_batch.config.checks` checks the values (ranges, patterns, cross-field rules, name
clashes) against the AWS limits of :mod:`fargate_batch.config.rules`. A problem is one line:
``field.path: what is wrong; what is allowed / the fix``.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import math
import os
import stat
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from fargate_batch.config import rules
from fargate_batch.config.checks import check_config
from fargate_batch.config.problems import ConfigError, Problems
from fargate_batch.config.schema import ProjectConfig

__all__ = ["ConfigError", "claim_stack", "config_paths", "load_config", "load_configs"]

_MISSING = object()


def _type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    if annotation is str:
        return "a string"
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number"
    if annotation is float:
        return "a number"
    if origin is tuple:
        return "a list"
    if origin in (Mapping, dict) or annotation is Mapping:
        return "a table of strings"
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if dataclasses.is_dataclass(annotation):
        return "a table"
    return str(annotation)


def _convert(value, annotation, path: str, problems: Problems):
    """``value`` as ``annotation``, or _MISSING after recording a problem."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _convert(value, options[0], path, problems)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            problems.add(path, f"{value!r} is not a table; write [{path.split('.')[-1]}] with keys")
            return _MISSING
        return _build(annotation, value, path, problems)
    if origin is tuple:
        if not isinstance(value, list):
            problems.add(path, f"{value!r} is not a list; write [ ... ]")
            return _MISSING
        (item_type, _ellipsis) = typing.get_args(annotation)
        items = [_convert(item, item_type, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        return _MISSING if _MISSING in items else tuple(items)
    if origin is Mapping or annotation is Mapping:
        if not isinstance(value, dict):
            problems.add(path, f'{value!r} is not a table; write {{ NAME = "value" }}')
            return _MISSING
        bad = {k: v for k, v in value.items() if not isinstance(v, str)}
        for key, item in bad.items():
            problems.add(f"{path}.{key}", f'{item!r} is not a string; quote it: "{item}"')
        return _MISSING if bad else MappingProxyType(dict(value))
    if origin is typing.Literal:
        allowed = typing.get_args(annotation)
        if value not in allowed:
            problems.add(
                path,
                f"{value!r} is not allowed; use one of {', '.join(map(repr, allowed))}"
                f"{rules.suggest(str(value), allowed)}",
            )
            return _MISSING
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is float and isinstance(value, float) and not math.isfinite(value):
        # TOML has nan and inf; every range check passes nan, and AWS takes neither.
        problems.add(path, f"{value!r} is not a finite number; a finite number is required here, e.g. 2.0")
        return _MISSING
    if (annotation in (int, float) and isinstance(value, bool)) or not isinstance(value, annotation):
        problems.add(path, f"{value!r} is not {_type_name(annotation)}")
        return _MISSING
    return value


def _moved(value, new_place: tuple[str, str]) -> str:
    """The message for a key that moved: where it lives now, and the line to write there."""
    table, key = new_place
    written = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
    return (
        f"{value!r}: this key has moved to [{table}] {key}; remove it here and write "
        f"`{key} = {written}` under [{table}]"
    )


def _build(cls, table: dict, path: str, problems: Problems):
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in table:
        if key not in fields:
            where = f"{path}.{key}" if path else key
            if where in rules.MOVED_KEYS:
                problems.add(where, _moved(table[key], rules.MOVED_KEYS[where]))
                continue
            hint = (
                "; credentials never go in configuration files: use `terraform login` or TF_TOKEN_app_terraform_io"
                if key in ("token", "access_key", "secret_key", "password")
                else rules.suggest(key, fields)
            )
            problems.add(where, f"unknown key; allowed keys here: {', '.join(sorted(fields))}{hint}")
    kwargs = {}
    before = len(problems)
    for name, field in fields.items():
        where = f"{path}.{name}" if path else name
        if name not in table:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                problems.add(where, f"is required ({_type_name(hints[name])})")
            continue
        converted = _convert(table[name], hints[name], where, problems)
        if converted is not _MISSING:
            kwargs[name] = converted
    if len(problems) > before:
        return _MISSING
    return cls(**kwargs)


# What a configuration path names when it is not a regular file, and why it is refused.
_NOT_A_FILE = (
    (stat.S_ISDIR, "is a directory; give a configuration file such as config/dev.toml"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISSOCK, "is a socket, not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISCHR, "is a character device, not a regular file; give a configuration file such as config/dev.toml"),
    (stat.S_ISBLK, "is a block device, not a regular file; give a configuration file such as config/dev.toml"),
)
# Files saved as UTF-16 or UTF-32 start with one of these; UTF-8's own mark is read and dropped.
_OTHER_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def _not_a_regular_file(mode: int) -> str:
    for is_kind, message in _NOT_A_FILE:
        if is_kind(mode):
            return message
    return "is not a regular file; give a configuration file such as config/dev.toml"


def _cannot_open(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT:
        if path.is_symlink():
            return (
                f"is a symbolic link to {os.readlink(path)!r}, which does not exist; point it at a configuration file"
            )
        return "no such configuration file; create it (see config/dev.toml)"
    if error.errno == errno.ELOOP:
        return "is a symbolic link loop (its links lead back to themselves, never to a file); point it at a file"
    if error.errno == errno.ENOTDIR:
        return "part of the path is a file, not a directory; check the path"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"cannot be read ({error.strerror}); check its permissions"
    return f"cannot be read ({error.strerror})"


def _read_text(path: Path) -> str:
    """The file's text; anything but a readable regular UTF-8 file is one line, never a hang or a traceback."""
    try:
        # stat, not open: opening a named pipe waits for a writer, for ever.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError([f"{path}: {_not_a_regular_file(mode)}"])
        # Non-blocking, and checked again on the open file: a path swapped for a pipe after the stat
        # must not hang either. O_NONBLOCK changes nothing for a regular file.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise ConfigError([f"{path}: {_not_a_regular_file(mode)}"])
            data = file.read()
    except OSError as error:
        raise ConfigError([f"{path}: {_cannot_open(path, error)}"]) from None
    # Windows editors save a UTF-8 byte-order mark; TOML would call it an invalid statement at line 1.
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    for mark, encoding in _OTHER_BOMS.items():
        if data.startswith(mark):
            raise ConfigError(
                [f"{path}: is {encoding} text (it starts with a {encoding} byte-order mark); save it as UTF-8"]
            )
    try:
        return data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            [f"{path}: is not UTF-8 text (at byte offset {len(bom) + error.start}); save the file as UTF-8"]
        ) from None


def claim_stack(path: str | Path, claimed: dict[str, Path]) -> None:
    """Refuse ``path`` when an earlier file of the same run names the same stack; else record it in ``claimed``.

    The file name is the environment and the stack (see load_config); two stacks of one name stop the
    app in jsii with a traceback about construct ids.
    """
    path = Path(path)
    environment = path.stem
    if not environment:
        return
    earlier = claimed.setdefault(environment, path)
    if earlier is path:
        return
    try:
        same_file = os.path.samefile(earlier, path)
    except OSError:
        same_file = False
    if same_file:
        raise ConfigError([f"{path}: is {earlier} given a second time; give each configuration file once"])
    raise ConfigError(
        [
            f"{path}: names the stack 'fargate-batch-{environment}', as {earlier} does (a file's name is its "
            "environment); give one file per environment, or rename one of them"
        ]
    )


def load_config(path: str | Path) -> ProjectConfig:
    """Parse and validate one configuration file; raises ConfigError listing every problem."""
    if not str(path).strip():
        # Path("") is the current directory, which would be reported as "is a directory".
        raise ConfigError(
            [
                "the configuration path is empty (an empty entry in a comma-separated list?); "
                "give a file such as config/dev.toml"
            ]
        )
    path = Path(path)
    try:
        table = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    problems = Problems()
    if not rules.ENVIRONMENT_PATTERN.match(path.stem):
        problems.add(
            "",
            f"the file name {path.name!r} names the environment {path.stem!r} and the stack "
            f"'fargate-batch-{path.stem}'; use lowercase letters, digits, '-' and '_' (e.g. config/staging.toml)",
        )
    table = {"environment": path.stem, **table}
    config = _build(ProjectConfig, table, "", problems)
    if config is not _MISSING:
        check_config(config, problems)
    if problems:
        raise ConfigError([f"{path}: {p}" for p in problems])
    return config


def config_paths(value: str) -> list[str]:
    """The files a ``FARGATE_BATCH_CONFIG``-style list names: comma-separated, spaces and empty entries ignored
    (``config/dev.toml,`` is one file, not a file and a directory)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def load_configs(paths: Iterable[str | Path]) -> list[ProjectConfig]:
    """Load the files of one app: every problem of every file at once, and no two files for one stack."""
    problems: list[str] = []
    configs: list[ProjectConfig] = []
    claimed: dict[str, Path] = {}
    for path in paths:
        try:
            claim_stack(path, claimed)
            configs.append(load_config(path))
        except ConfigError as error:
            problems += error.problems
    if problems:
        raise ConfigError(problems)
    return configs
