"""Load only the provider classes a stack uses, in Python and in Node, instead of all of them.

Why: a stock CDKTF app pays twice for the 2,135 resources of the AWS provider bindings although a
stack touches a dozen:

- Python: ``import cdktf_cdktf_provider_aws.<anything>`` first runs the package ``__init__.py``,
  which imports every submodule (11-17 s and ~1.5 GB on a 2-core machine). Each submodule only
  needs the package's ``_jsii`` module and the standard library, so a stand-in package whose
  ``__path__`` points at the real directory lets Python import submodules on demand.
- Node: loading the jsii assembly ``require``s the provider's ``lib/index.js``, which requires all
  2,135 JavaScript files (~250 MB, ~2 s). ``lazy_provider_index.cjs``, preloaded into the jsii Node
  process, defines the same exports as getters that require a file on first use.

The classes are the same classes, so the synthesized JSON is identical; a test checks that.

Call :func:`install` before anything imports ``constructs``, ``cdktf`` or the provider package.
What is already loaded is left alone: if the stock package was imported first, Python keeps it; if
the jsii Node process already runs, Node keeps the stock index. Either way the result is the same,
only slower.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import time
import types
from pathlib import Path

PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
LAZY_INDEX_PRELOAD = Path(__file__).with_name("lazy_provider_index.cjs")


def install() -> bool:
    """Register a lazy stand-in for the provider package. Returns False if the stock one is loaded."""
    if PROVIDER_PACKAGE in sys.modules:
        return is_installed()
    spec = importlib.util.find_spec(PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PROVIDER_PACKAGE} is not installed; run `make install` (pipenv sync --dev)")
    _start_node_with_lazy_index()
    package = types.ModuleType(PROVIDER_PACKAGE, "Lazy stand-in: see fargate_batch.fast_provider_import.")
    package.__path__ = list(spec.submodule_search_locations)
    package.__file__ = spec.origin
    package.__package__ = PROVIDER_PACKAGE
    package.__spec__ = importlib.machinery.ModuleSpec(
        PROVIDER_PACKAGE, loader=None, origin=spec.origin, is_package=True
    )
    package.__spec__.submodule_search_locations = package.__path__
    package.__fast_import__ = True
    sys.modules[PROVIDER_PACKAGE] = package
    return True


def is_installed() -> bool:
    return getattr(sys.modules.get(PROVIDER_PACKAGE), "__fast_import__", False)


def _start_node_with_lazy_index() -> None:
    """Start the jsii Node process now, with the lazy index preloaded, if nothing has started it yet.

    jsii starts Node when the first assembly (``constructs``) loads and passes it this process's
    environment; NODE_OPTIONS is set only for that moment so no other child process sees it.
    """
    if "constructs" in sys.modules:
        return
    previous = os.environ.get("NODE_OPTIONS")
    quoted_path = str(LAZY_INDEX_PRELOAD).replace("\\", "\\\\").replace('"', '\\"')
    os.environ["NODE_OPTIONS"] = " ".join(filter(None, [previous, f'--require "{quoted_path}"']))
    try:
        importlib.import_module("constructs")
    finally:
        if previous is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = previous


def load_assemblies(timeout_seconds: float = 120) -> None:
    """Load the jsii assemblies once (``make install``) and wait until jsii has indexed the provider.

    On its first load after an install, jsii unpacks the AWS provider (34 MB compressed) into its
    package cache and, in a worker thread, writes a runtime index next to it so later loads read a
    2.5 MB index instead of parsing the 120 MB assembly (~0.9 s). A synth exits before that worker is
    done, so without this every synth would parse the assembly and start the worker again.
    """
    install()
    assembly = importlib.import_module(f"{PROVIDER_PACKAGE}._jsii").__jsii_assembly__
    root = _jsii_package_cache_root()
    if root is None:
        return
    deadline = time.monotonic() + timeout_seconds
    package_dirs = list((root / assembly.name / assembly.version).glob("*/"))
    while time.monotonic() < deadline and not all((d / RUNTIME_INDEX_MANIFEST).exists() for d in package_dirs):
        time.sleep(0.2)


# Written last by jsii's runtime index worker (@jsii/kernel, runtime index version 1).
RUNTIME_INDEX_MANIFEST = ".jsii.runtime.v1.json"


def _jsii_package_cache_root() -> Path | None:
    """Where the jsii kernel keeps unpacked packages (its defaultCacheRoot), or None when disabled."""
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled").lower() != "enabled":
        return None
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT"):
        return Path(os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "com.amazonaws.jsii" / "package-cache"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(local) / "AWS" / "jsii" / "package-cache"
    return Path.home() / ".cache" / "aws" / "jsii" / "package-cache"
