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


def _both(text: str, *, second_look: bool) -> tuple[list, list]:  # type: ignore[type-arg]
    from privacy.detect import detect_all

    fast = detect_all(text, second_look=second_look)
    with accel.pure_python():
        reference = detect_all(text, second_look=second_look)
    return fast, reference


def test_compiled_detect_all_is_the_python_one_with_and_without_the_second_look() -> None:
    import sys
    from pathlib import Path

    detect_module = importlib.import_module("privacy.detect")
    sys.path.insert(0, str(Path(__file__).parent))
    from differential import ascii_corpus

    assert detect_module._C is not None, "privacy._detect is not built"
    texts = [t for t in ascii_corpus() if t != t.lower() or any(c.isdigit() for c in t)][::3]
    texts += ["", " ", "a@b.co", "x dot com", "born 1/2/1990", "one two three four five six seven"]
    for second_look in (False, True):
        pairs = [(t, *_both(t, second_look=second_look)) for t in texts]
        differ = [t for t, fast, reference in pairs if fast != reference]
        assert differ == []


def test_compiled_detect_all_on_generated_texts() -> None:
    import sys
    from pathlib import Path

    from hypothesis import HealthCheck, given, settings

    sys.path.insert(0, str(Path(__file__).parent))
    from differential import tricky_ascii_text

    @settings(max_examples=3000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(tricky_ascii_text())
    def check(text: str) -> None:
        fast, reference = _both(text, second_look=False)
        assert fast == reference

    check()


def test_the_extensions_listed_are_the_ones_pip_builds() -> None:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    built = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["ext-modules"]
    assert sorted(m["name"] for m in built) == sorted(accel.EXTENSIONS)
