"""Import only the provider submodules a stack uses, instead of all 2,135 of them.

Why: ``import cdktf_cdktf_provider_aws.<anything>`` first runs the package ``__init__.py``, which
imports every submodule of the provider bindings (11-17 s and ~1.5 GB of Python memory on a 2-core
machine) although a stack touches a dozen. Each submodule only needs the package's ``_jsii``
module (which loads the jsii assembly into Node) and the standard library, so a stand-in package
object whose ``__path__`` points at the real directory lets Python import submodules on demand.
The classes are the same classes, so the synthesized JSON is identical; a test checks that.

Call :func:`install` before anything imports ``cdktf_cdktf_provider_aws``. If the stock package
is already imported (someone imported it first), :func:`install` leaves it alone.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types

PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"


def install() -> bool:
    """Register a lazy stand-in for the provider package. Returns False if the stock one is loaded."""
    if PROVIDER_PACKAGE in sys.modules:
        return getattr(sys.modules[PROVIDER_PACKAGE], "__fast_import__", False)
    spec = importlib.util.find_spec(PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PROVIDER_PACKAGE} is not installed; run `make install` (pipenv sync --dev)")
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
