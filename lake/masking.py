"""What the lake needs from the privacy library, as a small Protocol, and the glue that files every
token under its data subject in the vault (so an erasure finds the subject's tokens).

``privacy.Masker.for_destination("lake", ...)`` satisfies :class:`TextMasker`.

>>> hook = SubjectTokens()
>>> with hook.subject("cust-1"):
...     hook("tok:email:ab", "EMAIL", "ann@example.org")
>>> hook.filed
1
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class SpanLike(Protocol):
    @property
    def kind(self) -> str: ...


class MaskedLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def spans(self) -> Sequence[SpanLike]: ...


class TextMasker(Protocol):
    def mask(self, text: str) -> MaskedLike: ...

    def token(self, kind: str, value: str) -> str: ...


@runtime_checkable
class BatchTextMasker(TextMasker, Protocol):
    """A masker with a batch path (``privacy.Masker``): detect a batch's texts at once, then
    replace each text's spans, so that tokens are still filed under each row's subject."""

    def detect_many(self, texts: Sequence[str]) -> Sequence[Sequence[Any]]: ...

    def apply(self, text: str, spans: Sequence[Any]) -> MaskedLike: ...


class TokenStore(Protocol):
    """``privacy.Vault`` satisfies this."""

    def put(self, subject_id: str, token: str, kind: str, value: str) -> None: ...


@dataclass
class SubjectTokens:
    """An ``on_token`` hook for the masker: files each token under the current subject."""

    store: TokenStore | None = None
    current: str | None = None
    filed: int = 0

    @contextmanager
    def subject(self, subject_id: str | None) -> Iterator[None]:
        previous, self.current = self.current, subject_id
        try:
            yield
        finally:
            self.current = previous

    def __call__(self, token: str, kind: str, value: str) -> None:
        if self.current is None:
            return
        self.filed += 1
        if self.store is not None:
            self.store.put(self.current, token, kind, value)


@dataclass
class CustomerIndex:
    """conversation id -> customer id, learnt from ``cx.conversation.started`` (bounded LRU).

    >>> idx = CustomerIndex(capacity=1)
    >>> idx.remember("c1", "cust-1"); idx.remember("c2", "cust-2")
    >>> idx.get("c1"), idx.get("c2")
    (None, 'cust-2')
    """

    capacity: int = 200_000
    _map: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def remember(self, conversation_id: str, customer_id: str) -> None:
        self._map[conversation_id] = customer_id
        self._map.move_to_end(conversation_id)
        while len(self._map) > self.capacity:
            self._map.popitem(last=False)

    def get(self, conversation_id: str) -> str | None:
        return self._map.get(conversation_id)
