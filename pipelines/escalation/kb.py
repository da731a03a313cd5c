"""The governed knowledge base (``policies/kb/*.yaml``): only approved articles, each with an id and
a version, retrieved by embedding similarity (lexical overlap when no encoder is given).

>>> kb = load_kb()
>>> [a.article_id for a in kb.suggest("how do I activate my new card", intent="card_activation", k=1)]
['kb-0001']
>>> "kb-0012" in {a.article_id for a in kb.articles}  # a draft is never served
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from pipelines.catalogue import POLICIES_DIR
from pipelines.escalation.exceptions import KnowledgeBaseError
from pipelines.escalation.signals.rephrase import Encoder, lexical_similarity
from topics.outputs import KbArticleRef

DEFAULT_KB_DIR = POLICIES_DIR / "kb"
_REQUIRED = ("id", "version", "status", "title", "body")


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    version: str
    title: str
    body: str
    intents: tuple[str, ...]
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}. {self.body}"


@dataclass
class KnowledgeBase:
    articles: tuple[Article, ...]
    encoder: Encoder | None = None
    _matrix: np.ndarray | None = field(default=None, repr=False)

    def suggest(
        self, text: str, *, intent: str | None = None, k: int = 2, min_similarity: float = 0.35
    ) -> list[KbArticleRef]:
        """Up to ``k`` approved articles most similar to ``text`` (articles tagged with ``intent`` get a
        +0.2 boost), best first, each at least ``min_similarity``."""
        if not self.articles or k <= 0:
            return []
        if self.encoder is not None:
            if self._matrix is None:
                self._matrix = self.encoder.encode([a.text for a in self.articles])
            query = self.encoder.encode([text])[0]
            sims = [float(v) for v in self._matrix @ query]
        else:
            sims = [lexical_similarity(text, a.text) * 2.0 for a in self.articles]
        scored = []
        for article, sim in zip(self.articles, sims, strict=True):
            score = min(1.0, sim + (0.2 if intent and intent in article.intents else 0.0))
            if score >= min_similarity:
                scored.append((-score, article.article_id, article))
        scored.sort()
        return [
            KbArticleRef(article_id=a.article_id, version=a.version, title=a.title, url=a.url, score=round(-s, 4))
            for s, _, a in scored[:k]
        ]


def load_kb(directory: Path | str = DEFAULT_KB_DIR, *, encoder: Encoder | None = None) -> KnowledgeBase:
    """Approved articles of ``directory``; raise :class:`KnowledgeBaseError` listing every problem."""
    problems = check_kb(directory)
    if problems:
        raise KnowledgeBaseError("\n".join(problems))
    articles = []
    for path in sorted(Path(directory).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if raw.get("status") != "approved":
            continue
        articles.append(Article(
            article_id=str(raw["id"]), version=str(raw["version"]), title=str(raw["title"]),
            body=str(raw["body"]), intents=tuple(raw.get("intents") or ()), url=str(raw.get("url", "")),
        ))
    return KnowledgeBase(articles=tuple(articles), encoder=encoder)


def check_kb(directory: Path | str, *, known_intents: set[str] | None = None) -> list[str]:
    """Every problem of the articles in ``directory``, with file, field and value."""
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{path}: cannot read the article: {exc}")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{path}: <root>: expected a mapping (value: {type(raw).__name__})")
            continue
        for key in _REQUIRED:
            if raw.get(key) in (None, ""):
                problems.append(f"{path}: {key}: required field is missing (value: {raw.get(key)!r})")
        status = raw.get("status")
        if status not in ("approved", "draft", "retired"):
            problems.append(f"{path}: status: expected approved, draft or retired (value: {status!r})")
        if status == "approved" and not raw.get("approved_by"):
            problems.append(f"{path}: approved_by: an approved article names its approver (value: {raw.get('approved_by')!r})")
        article_id = str(raw.get("id"))
        if article_id in seen:
            problems.append(f"{path}: id: duplicate article id, also in {seen[article_id]} (value: {article_id!r})")
        seen[article_id] = path
        intents = raw.get("intents") or []
        if not isinstance(intents, list):
            problems.append(f"{path}: intents: expected a list (value: {intents!r})")
        elif known_intents is not None:
            for i, name in enumerate(intents):
                if name not in known_intents:
                    problems.append(f"{path}: intents[{i}]: unknown intent (value: {name!r})")
    return problems
