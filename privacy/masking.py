"""Masking operators chosen per entity kind and per destination.

Operators: ``redact`` (``<EMAIL>``), ``token`` (keyed HMAC-SHA-256, ``tok:email:3f9a…``: the same
value always gives the same token, so analysts can join without seeing it), ``partial`` (cards and
phones keep their last four digits) and ``keep``.

>>> m = Masker.for_destination("lake", key=MaskingKey.from_value("11" * 32))
>>> r = m.mask("mail ann@example.org")
>>> r.text
'mail tok:email:14670f76eb8a0607b074'
>>> [(s.start, s.end, s.kind) for s in r.spans]
[(5, 20, 'EMAIL')]
>>> Masker.for_destination("logs", key=MaskingKey.from_value("11" * 32)).mask("card 4111 1111 1111 1111").text
'card <CREDIT_CARD>'
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from privacy.batch import detect_many
from privacy.detect import detect
from privacy.exceptions import UnknownOperatorError
from privacy.keys import MaskingKey
from privacy.spans import Span

Operator = Literal["redact", "token", "partial", "keep"]
Destination = Literal["lake", "logs", "escalation", "vector"]
OPERATORS: tuple[str, ...] = ("redact", "token", "partial", "keep")
TOKEN_HEX_CHARS = 20  # 80 bits: collision-free for any realistic number of customers

#: Per destination: default operator and per-kind overrides.
#: lake: joinable tokens; logs and vector store: plain redaction (nothing joinable leaks into
#: embeddings or log search); escalation: the human agent sees the card's last four digits.
DESTINATION_POLICY: dict[str, tuple[str, dict[str, str]]] = {
    "lake": ("token", {"NUMBER": "redact", "DATE_OF_BIRTH": "redact"}),
    "logs": ("redact", {}),
    "escalation": ("token", {"CREDIT_CARD": "partial", "PHONE": "partial", "PERSON": "keep"}),
    "vector": ("redact", {}),
}


#: Destinations that keep IP addresses which identify no one: loopback, unspecified, link-local
#: and documentation ranges ("metrics on http://127.0.0.1:39233", "listening on 0.0.0.0:8080").
#: Worker logs are full of them and masking them hides what an operator needs. Private-range and
#: public addresses stay masked everywhere. Customer text (lake, escalation, vector) keeps masking
#: every address: there an address is rare, and over-masking one costs nothing.
KEEPS_NON_PERSONAL_IPS: frozenset[str] = frozenset(["logs"])
_DOCUMENTATION_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


def is_non_personal_ip(value: str) -> bool:
    """True for an address that points at no person's machine: loopback, unspecified,
    link-local or a documentation range (RFC 5737, RFC 3849).

    >>> [is_non_personal_ip(v) for v in ("127.0.0.1", "0.0.0.0", "169.254.1.2", "fe80::1")]
    [True, True, True, True]
    >>> [is_non_personal_ip(v) for v in ("192.0.2.7", "2001:db8::5", "10.1.2.3", "8.8.8.8")]
    [True, True, False, False]
    >>> is_non_personal_ip("not an ip")
    False
    """
    try:
        ip = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local:
        return True
    return any(ip in net for net in _DOCUMENTATION_NETS if net.version == ip.version)


def normalise_value(kind: str, value: str) -> str:
    """Canonical form before hashing, so "Ann@Example.org" and "ann@example.org" join."""
    # NFKC leaves ASCII as it is: skip the call for the common case
    text = (value if value.isascii() else unicodedata.normalize("NFKC", value)).strip()
    if kind in {"EMAIL", "PERSON", "ADDRESS", "UK_NINO", "IBAN"}:
        text = " ".join(text.lower().split())
    if kind in {"CREDIT_CARD", "PHONE", "US_SSN", "IBAN", "NUMBER", "BANK_ACCOUNT"}:
        text = "".join(filter(str.isalnum, text))
    return text


#: The kind under which every component tokenises customer ids, so that the escalation payload, the
#: lake and the batch jobs produce the SAME token for one customer (analysts join on it).
CUSTOMER_ID_KIND = "CUSTOMER_ID"


def make_token(key: MaskingKey, kind: str, value: str) -> str:
    """``tok:<kind>:<hmac>``; deterministic per (key, kind, normalised value)."""
    # HMAC-SHA-256 (RFC 2104) from copies of the two SHA-256 states with the padded key already
    # absorbed: the same bytes as hmac.digest(key.secret, message, "sha256"), a third of its
    # cost per token
    inner, outer = _keyed_states(key.secret)
    inner = inner.copy()
    inner.update(f"{kind}\x1f{normalise_value(kind, value)}".encode())
    outer = outer.copy()
    outer.update(inner.digest())
    return f"tok:{kind.lower()}:{outer.hexdigest()[:TOKEN_HEX_CHARS]}"


_KEYED: dict[bytes, tuple[Any, Any]] = {}
_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _keyed_states(secret: bytes) -> tuple[Any, Any]:
    """SHA-256 states that have absorbed ``secret`` XOR ipad and XOR opad (one pair per key)."""
    states = _KEYED.get(secret)
    if states is None:
        if len(_KEYED) >= 8:  # keys rotate rarely; keep only a few
            _KEYED.clear()
        block = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
        block = block.ljust(_BLOCK, b"\0")
        states = _KEYED[secret] = (
            hashlib.sha256(block.translate(_IPAD)),
            hashlib.sha256(block.translate(_OPAD)),
        )
    return states


def partial(kind: str, value: str) -> str:
    """Keep the last four digits of cards/phones/accounts, mask the rest.

    >>> partial("CREDIT_CARD", "4111 1111 1111 1234")
    '<CREDIT_CARD ****1234>'
    """
    digits = [c for c in value if c.isdigit()]
    if len(digits) >= 8:
        return f"<{kind} ****{''.join(digits[-4:])}>"
    return f"<{kind}>"


class MaskResult(NamedTuple):
    """A masked text and the spans replaced (offsets on the input text)."""

    text: str
    spans: list[Span]


@dataclass(frozen=True)
class Masker:
    """Masks text and identifiers for one destination."""

    key: MaskingKey = field(repr=False)
    default: str = "redact"
    per_kind: Mapping[str, str] = field(default_factory=dict)
    region: str = "US"
    on_token: Callable[[str, str, str], None] | None = None  # (token, kind, value): e.g. a vault
    #: leave loopback / unspecified / link-local / documentation IPs as they are (logs)
    keep_non_personal_ips: bool = False

    def __post_init__(self) -> None:
        for op in (self.default, *self.per_kind.values()):
            if op not in OPERATORS:
                raise UnknownOperatorError(f"operator {op!r} is not one of {', '.join(OPERATORS)}")

    @classmethod
    def for_destination(
        cls,
        destination: str,
        *,
        key: MaskingKey,
        operator: str | None = None,
        region: str = "US",
        on_token: Callable[[str, str, str], None] | None = None,
    ) -> Masker:
        """The policy of ``destination``; ``operator`` overrides every kind."""
        if destination not in DESTINATION_POLICY:
            raise UnknownOperatorError(
                f"destination {destination!r} is not one of {', '.join(DESTINATION_POLICY)}"
            )
        default, per_kind = DESTINATION_POLICY[destination]
        keep_ips = destination in KEEPS_NON_PERSONAL_IPS
        if operator is not None:
            return cls(key, operator, {}, region, on_token, keep_non_personal_ips=keep_ips)
        return cls(key, default, dict(per_kind), region, on_token, keep_non_personal_ips=keep_ips)

    def token(self, kind: str, value: str) -> str:
        """The deterministic token of an identifier (customer id, e-mail in a structured field)."""
        tok = make_token(self.key, kind.upper(), value)
        if self.on_token is not None:
            self.on_token(tok, kind.upper(), value)
        return tok

    def replacement(self, kind: str, value: str) -> str:
        if kind == "IP_ADDRESS" and self.keep_non_personal_ips and is_non_personal_ip(value):
            return value
        op = self.per_kind.get(kind, self.default)
        if op == "token":
            return self.token(kind, value)
        if op == "partial":
            return partial(kind, value)
        if op == "keep":
            return value
        return f"<{kind}>"

    def mask(self, text: str) -> MaskResult:
        """Replace every detected span; ``spans`` are on the INPUT text."""
        return self.apply(text, detect(text, region=self.region))

    def mask_many(self, texts: Sequence[str]) -> list[MaskResult]:
        """``[self.mask(t) for t in texts]``, detecting over the whole batch at once
        (:func:`privacy.batch.detect_many`); tokens are made (and ``on_token`` called) in order.

        >>> m = Masker.for_destination("logs", key=MaskingKey.from_value("11" * 32))
        >>> [r.text for r in m.mask_many(["hi", "mail ann@example.org", "on 127.0.0.1:80"])]
        ['hi', 'mail <EMAIL>', 'on 127.0.0.1:80']
        """
        found = detect_many(texts, region=self.region)
        apply = self.apply
        return [
            apply(t, spans) if spans else MaskResult(t, [])
            for t, spans in zip(texts, found, strict=True)
        ]

    def detect_many(self, texts: Sequence[str]) -> list[list[Span]]:
        """The spans of every text (batch path), for callers that replace them later with
        :meth:`apply`, e.g. under a per-record context such as the data subject of a token."""
        return detect_many(texts, region=self.region)

    def apply(self, text: str, spans: Sequence[Span]) -> MaskResult:
        """Replace ``spans`` (from :meth:`detect_many` or ``detect`` on this very ``text``)."""
        if not spans:
            return MaskResult(text, [])
        parts: list[str] = []
        replacement = self.replacement
        pos = 0
        for start, end, kind, _detector, _confidence in spans:
            parts.append(text[pos:start])
            parts.append(replacement(kind, text[start:end]))
            pos = end
        parts.append(text[pos:])
        return MaskResult("".join(parts), list(spans))
