"""Fast decode + validation of interaction events, and encoding of any contract record.

Decoding is one msgspec pass over the bytes (envelope and typed payload together). Only when a
record fails do we pay for a second, slow parse to name the event id and the bad value.

>>> ev = decode_event(b'{"type":"cx.conversation.ended","id":"e9","source":"s","subject":"c1",'
...     b'"time":"2026-01-01T00:00:00Z","dataschema":"urn:loopline:schema:cx.conversation.ended:v1",'
...     b'"specversion":"1.0","data":{"ended_by":"customer"}}')
>>> ev.data.ended_by
'customer'
>>> decode_event(b'{"type":"cx.conversation.ended","id":"e9","data":{}}')
Traceback (most recent call last):
...
topics.exceptions.EventValidationError: event e9: field data.ended_by: required field is missing (value: None)
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any, TypeVar

import msgspec

from topics.events import EVENT_CLASSES, Event
from topics.exceptions import EventValidationError

T = TypeVar("T")

AnyEvent = EVENT_CLASSES[0]
for _cls in EVENT_CLASSES[1:]:
    AnyEvent = AnyEvent | _cls  # type: ignore[assignment]

_decoder = msgspec.json.Decoder(AnyEvent)  # type: ignore[var-annotated]
_encoder = msgspec.json.Encoder()
_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_SUPPORTED_SCHEMAS = {cls.TYPE: {cls.schema_uri(v) for v in range(1, cls.VERSION + 1)} for cls in EVENT_CLASSES}


def decode_event(raw: bytes | bytearray | memoryview | str) -> Event:
    """Decode and validate one interaction event; raise :class:`EventValidationError` naming the
    event id, the field and the bad value."""
    event: Event = _checked(_decoder.decode, raw)
    if event.dataschema not in _SUPPORTED_SCHEMAS[event.TYPE]:
        raise EventValidationError(
            f"unsupported schema version for {event.TYPE}",
            event_id=event.id, field="dataschema", value=event.dataschema,
        )
    return event


def encode(record: Any) -> bytes:
    """JSON bytes of any contract record (events, decisions, dead letters …)."""
    return _encoder.encode(record)


def decode_as(raw: bytes | str, cls: type[T]) -> T:
    """Decode a record of a known class (outputs such as dead letters and decisions)."""
    return _checked(lambda data: msgspec.json.decode(data, type=cls), raw)


def _checked(decode: Any, raw: Any) -> Any:
    """Run a msgspec decode; translate its errors into :class:`EventValidationError`."""
    try:
        return decode(raw)
    except msgspec.ValidationError as exc:
        raise _explain(raw, str(exc)) from None
    except msgspec.DecodeError as exc:
        raise EventValidationError(
            f"not valid JSON: {exc}", event_id=None, field="<record>", value=_preview(raw)
        ) from None
    except UnicodeDecodeError as exc:  # msgspec raises it for invalid UTF-8 inside a string
        raise EventValidationError(
            f"not valid UTF-8: {exc.reason} at byte {exc.start}", event_id=None, field="<record>",
            value=_preview(raw),
        ) from None
    except RecursionError:
        raise EventValidationError(
            "nested too deeply", event_id=None, field="<record>", value=_preview(raw)
        ) from None


def _explain(raw: bytes | bytearray | memoryview | str, message: str) -> EventValidationError:
    """Turn a msgspec message into an error naming id, field path and the value seen."""
    doc: Any = None
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        doc = json.loads(bytes(raw) if not isinstance(raw, str) else raw)
    event_id = doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None
    match = _PATH.search(message)
    path = match.group("path") if match else ""
    reason = _PATH.sub("", message)
    missing = _MISSING.match(reason)
    parts = [p for p in re.split(r"\.|\[(\d+)\]", path.lstrip(".")) if p]
    if missing:
        parts.append(missing.group("field"))
        reason = "required field is missing"
    field = ".".join(parts) or "<record>"
    return EventValidationError(reason, event_id=event_id, field=field, value=_lookup(doc, parts))


def _lookup(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def _preview(raw: bytes | bytearray | memoryview | str) -> str:
    text = raw if isinstance(raw, str) else bytes(raw[:120]).decode("utf-8", "replace")
    return text[:120]
