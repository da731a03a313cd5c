"""The bundle of signal scorers handed to the escalation core.

:class:`Signals` bundles the scorers handed to :func:`pipelines.escalation.core.step`, so a test or
benchmark can run the core without the embedding model (``Signals.lexical()``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.escalation.kb import KnowledgeBase, load_kb
from pipelines.escalation.signals.human_request import score_human_request
from pipelines.escalation.signals.rephrase import MiniLMEncoder, RephraseScorer
from pipelines.escalation.signals.sentiment import score_sentiment


@dataclass
class Signals:
    rephrase: RephraseScorer
    kb: KnowledgeBase | None = None
    human_request: Callable[[str], float] = score_human_request
    sentiment: Callable[..., float] = score_sentiment

    @classmethod
    def lexical(cls, *, with_kb: bool = True) -> Signals:
        """No embedding model: rephrase and KB retrieval use word overlap only."""
        return cls(rephrase=RephraseScorer(encoder=None), kb=load_kb() if with_kb else None)

    @classmethod
    def with_model(cls, *, encoder: MiniLMEncoder | None = None, cache_dir: Path | None = None) -> Signals:
        """The production bundle: MiniLM embeddings for rephrase and KB retrieval, on ONNX Runtime
        (exported once into ``cache_dir``, default ~/.cache/loopline/models; torch if that fails),
        batched and cached."""
        encoder = encoder or MiniLMEncoder(cache_dir=cache_dir)
        return cls(rephrase=RephraseScorer(encoder=encoder), kb=load_kb(encoder=encoder))


__all__ = ["Signals", "score_human_request", "score_sentiment"]
