"""Optional compiled fast paths of the detectors.

Each hot detector has a C twin (``privacy/**/_*.c``, built by ``pip install`` with the package)
that handles ASCII texts; the Python function stays the reference, handles every other text,
and is what runs when the extension is missing or ``LOOPLINE_PRIVACY_PURE=1`` is set. The unit
tests compare each twin with its reference on the development corpora and on generated text, and
``tests/unit/privacy/test_accel.py`` fails when an extension that should be built is not.

>>> load("privacy.no_such_module") is None
True
>>> from privacy import detect
>>> with pure_python():
...     reference = detect("call 212-555-0143")
>>> detect("call 212-555-0143") == reference
True
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

#: the compiled modules ``pip install`` builds (``[tool.setuptools] ext-modules``)
EXTENSIONS: tuple[str, ...] = (
    "privacy._prefilter",
    "privacy._spoken",
    "privacy._detect",
    "privacy.detectors._names",
    "privacy.detectors._addresses",
    "privacy.detectors._numbers",
)

PURE = os.environ.get("LOOPLINE_PRIVACY_PURE", "") == "1"


def load(name: str) -> ModuleType | None:
    """The compiled module ``name``, or None (not built, or pure Python asked for)."""
    if PURE:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@contextmanager
def pure_python() -> Iterator[None]:
    """Run every detector's Python reference for the duration of the block (differential tests
    and fuzzing compare both paths). Each module keeps its compiled twin in ``_C``; this sets
    those to None and puts them back. Not thread-safe: for tests and tools only."""
    saved: list[tuple[ModuleType, ModuleType]] = []
    for name, module in list(sys.modules.items()):
        twin = getattr(module, "_C", None) if name.startswith("privacy.") else None
        if isinstance(twin, ModuleType):
            saved.append((module, twin))
            module._C = None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, twin in saved:
            module._C = twin  # type: ignore[attr-defined]
