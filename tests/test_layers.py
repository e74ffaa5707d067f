"""The house has floors: every import runs down (or stays on its floor), never up.

Configuration → CDKTF bindings → constructs (``modules/``) → ``stacks/`` → the app (``main.py``) →
tools. The emulator and the batch program stand apart: they import nothing of the project, and only
tools may use the emulator. Read from the source with ``ast``, so an import inside a function counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".venv-checkov", "node_modules", "cdktf.out", "tests", ".git", ".local", "__pycache__"}

# Lowest floor first. The longest matching prefix decides a module's floor.
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("configuration", ("fargate_batch.config",)),
    ("bindings", ("fargate_batch.tf", "fargate_batch.fast_provider_import", "fargate_batch.checkov_skips")),
    ("constructs", ("modules",)),
    ("stacks", ("stacks",)),
    ("app", ("main",)),
    ("tools", ("fargate_batch", "benchmarks")),
)
APART = ("local_emulator", "batch_container")
PRIVATE_HELPERS = "modules._private"


def _prefix_matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def floor_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, floor)
    for floor, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if _prefix_matches(module, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), floor)
    return None if best is None else best[1]


def apart_of(module: str) -> str | None:
    return next((root for root in APART if _prefix_matches(module, root)), None)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_sources() -> list[Path]:
    return sorted(
        path for path in REPO.rglob("*.py") if not SKIPPED_DIRS.intersection(path.relative_to(REPO).parts[:-1])
    )


def imports_of(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement, resolving relative imports."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from package import submodule` imports the submodule.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def violations(planted: dict[str, str] | None = None) -> list[str]:
    """Every upward import; ``planted`` adds sources (repository path → text) that exist only in memory."""
    found = []
    sources = {path: None for path in project_sources()}
    sources.update({REPO / relative: text for relative, text in (planted or {}).items()})
    for path, text in sources.items():
        importer = module_name(path)
        where = path.relative_to(REPO)
        importer_floor, importer_apart = floor_of(importer), apart_of(importer)
        for line, imported in imports_of(path, text):
            imported_apart = apart_of(imported)
            imported_floor = floor_of(imported)
            if importer_apart:
                if imported_floor is not None or (imported_apart and imported_apart != importer_apart):
                    found.append(f"{where}:{line}: {importer_apart}/ stands apart but imports {imported}")
                continue
            if imported_apart:
                if importer_apart is None and importer_floor != len(FLOORS) - 1 and imported_apart == "local_emulator":
                    found.append(f"{where}:{line}: only tools may use the emulator; {importer} imports {imported}")
                elif imported_apart == "batch_container":
                    found.append(f"{where}:{line}: batch_container/ is its own program; {importer} imports {imported}")
                continue
            if imported_floor is None or importer_floor is None:
                continue
            if imported_floor > importer_floor:
                found.append(
                    f"{where}:{line}: {importer} ({FLOORS[importer_floor][0]}) imports {imported} "
                    f"({FLOORS[imported_floor][0]}), a floor above"
                )
            if _prefix_matches(imported, PRIVATE_HELPERS) and not _prefix_matches(importer, "modules"):
                found.append(f"{where}:{line}: {importer} imports {imported}, private to modules/")
    return found


def test_every_import_runs_down_the_floors():
    assert violations() == []


def test_the_walk_sees_the_whole_house():
    sources = {module_name(path) for path in project_sources()}
    # If the walk misses a floor, the test above would pass vacuously.
    for expected in ("main", "stacks.batch_stack", "modules.schedule", "fargate_batch.config.loader"):
        assert expected in sources
    assert not any(name.startswith("tests") for name in sources)


@pytest.mark.parametrize(
    ("importer", "imported", "complaint"),
    [
        ("modules/planted.py", "fargate_batch.plan_report.render", "a floor above"),
        ("fargate_batch/config/planted.py", "modules.schedule", "a floor above"),
        ("stacks/planted.py", "modules._private.asl", "private to modules/"),
        ("local_emulator/planted.py", "fargate_batch.config", "stands apart"),
        ("modules/planted_emulator.py", "local_emulator.server", "only tools may use the emulator"),
    ],
)
def test_a_planted_upward_import_is_found(importer, imported, complaint):
    found = violations({importer: f"import {imported}\n"})
    assert any(complaint in violation and importer in violation for violation in found)
