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


def test_whole_detection_is_the_pure_python_one_on_the_corpora() -> None:
    """All compiled twins together (quick reject, normaliser, detectors) give, text for text,
    what the Python references give: the dev corpora, the PII sets, title/upper-cased variants."""
    import sys
    from pathlib import Path

    from privacy import detect, detect_many

    sys.path.insert(0, str(Path(__file__).parent))
    from differential import ascii_corpus

    texts = list(ascii_corpus())
    fast = [detect(t) for t in texts]
    fast_many = detect_many(texts)
    with accel.pure_python():
        assert all(
            getattr(m, "_C", None) is None
            for n, m in sys.modules.items()
            if n.startswith("privacy.")
        )
        reference = [detect(t) for t in texts]
    assert sum(map(bool, reference)) > 1000  # the corpora hold PII-bearing texts too
    assert [t for t, a, b in zip(texts, fast, reference, strict=True) if a != b] == []
    assert fast_many == reference
