"""Every compiled twin that ``pip install`` builds is there and is the one in use: a missing
compiler would otherwise fall back to pure Python silently (right results, far slower)."""

from __future__ import annotations

import importlib

from privacy import accel


def test_every_extension_is_built_and_loaded() -> None:
    assert not accel.PURE, "LOOPLINE_PRIVACY_PURE=1 is set: the compiled paths are off"
    missing = [name for name in accel.EXTENSIONS if accel.load(name) is None]
    assert missing == [], f"not built (run pip install -e .): {missing}"


def test_pure_mode_loads_nothing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(accel, "PURE", True)
    assert [accel.load(name) for name in accel.EXTENSIONS] == [None] * len(accel.EXTENSIONS)
    assert importlib.import_module("privacy.accel") is accel
