"""The MiniLM runtimes: the ONNX export matches torch, batches match one-by-one, failures fall back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from pipelines.escalation.exceptions import SignalError
from pipelines.escalation.signals import minilm
from pipelines.escalation.signals.minilm import (
    OnnxMiniLM,
    TorchMiniLM,
    load_runtime,
    model_dir,
    onnx_path,
)
from pipelines.escalation.signals.rephrase import MiniLMEncoder, RephraseScorer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "escalation"
TEXTS = ["hi", "where is my card?", "My card still hasn't arrived after two weeks, what should I do now?",
         "can I change my address", "I was charged twice for the same coffee", "refund please"]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fp32 export for the module, in a private cache directory."""
    directory = tmp_path_factory.mktemp("model-cache")
    minilm.export_onnx(model_dir(), onnx_path(cache_dir=directory, source=model_dir(), quantize=False))
    return directory


@pytest.fixture(scope="module")
def torch_runtime() -> TorchMiniLM:
    return TorchMiniLM()


def test_onnx_and_torch_embeddings_agree_to_1e3_cosine(cache_dir: Path, torch_runtime: TorchMiniLM) -> None:
    onnx = load_runtime(backend="onnx", cache_dir=cache_dir)
    assert isinstance(onnx, OnnxMiniLM) and onnx.name == "onnx"
    cosines = (onnx.embed(TEXTS, batch_size=4) * torch_runtime.embed(TEXTS, batch_size=4)).sum(axis=1)
    # same network, same tokenizer, same pooling: only float rounding differs
    assert float(cosines.min()) > 1 - 1e-3, cosines


def test_onnx_batches_match_one_by_one_whatever_the_padding(cache_dir: Path) -> None:
    onnx = load_runtime(backend="onnx", cache_dir=cache_dir)
    batched = onnx.embed(TEXTS, batch_size=len(TEXTS))  # one batch: short texts padded to the longest
    alone = np.vstack([onnx.embed([t], batch_size=1) for t in TEXTS])
    assert np.allclose(batched, alone, atol=1e-4)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)  # unit length, input order kept


def test_encoder_scores_equal_on_onnx_and_torch(cache_dir: Path, torch_runtime: TorchMiniLM) -> None:
    rows = [json.loads(line) for line in (FIXTURES / "rephrase_pairs.jsonl").read_text().splitlines()][:40]
    pairs = [(r["a"], r["b"]) for r in rows]
    on_onnx = RephraseScorer(encoder=MiniLMEncoder(cache_dir=cache_dir, backend="onnx")).score_pairs(pairs)
    on_torch = RephraseScorer(encoder=MiniLMEncoder(runtime=torch_runtime)).score_pairs(pairs)
    assert max(abs(a - b) for a, b in zip(on_onnx, on_torch, strict=True)) <= 2e-4


def test_failed_export_falls_back_to_torch_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> Path:
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(minilm, "export_onnx", broken)
    with caplog.at_level(logging.WARNING, logger="pipelines.escalation.signals.minilm"):
        runtime = load_runtime(backend="auto", cache_dir=tmp_path)
    assert isinstance(runtime, TorchMiniLM)  # still scores, on torch
    assert "falling back to torch" in caplog.text and "exporter broke" in caplog.text
    assert runtime.embed(["where is my card"], batch_size=1).shape == (1, 384)


def test_forced_onnx_backend_raises_instead_of_falling_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "export_onnx", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no exporter")))
    with pytest.raises(SignalError, match=r"backend 'onnx'.*no exporter"):
        load_runtime(backend="onnx", cache_dir=tmp_path)


def test_unknown_backend_is_named_in_the_error() -> None:
    with pytest.raises(SignalError, match="'tensorflow'"):
        load_runtime(backend="tensorflow", cache_dir=Path("/nonexistent"))  # type: ignore[arg-type]


def test_damaged_cache_file_is_exported_again(tmp_path: Path, cache_dir: Path) -> None:
    good = onnx_path(cache_dir=cache_dir, source=model_dir(), quantize=False)
    damaged = onnx_path(cache_dir=tmp_path, source=model_dir(), quantize=False)
    damaged.write_bytes(good.read_bytes()[:1000])  # a truncated copy, as a killed process might leave
    runtime = load_runtime(backend="onnx", cache_dir=tmp_path)
    assert isinstance(runtime, OnnxMiniLM)
    assert damaged.stat().st_size == good.stat().st_size


def test_int8_model_keeps_rephrase_auc_above_094(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (FIXTURES / "rephrase_pairs.jsonl").read_text().splitlines()]
    encoder = MiniLMEncoder(cache_dir=tmp_path, backend="onnx", quantize=True)
    scores = RephraseScorer(encoder=encoder).score_pairs([(r["a"], r["b"]) for r in rows])
    assert encoder.runtime.name == "onnx-int8"
    assert roc_auc_score([r["same"] for r in rows], scores) >= 0.94
