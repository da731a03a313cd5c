"""JSON Schema for every record and an AsyncAPI 3.0 document for every topic, generated from the
models, so that a routing system written in any language can subscribe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from topics.events import EVENT_CLASSES
from topics.specs import ALL_TOPICS, TopicSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ASYNCAPI_FILE = "asyncapi.json"


def schema_file_name(cls: type) -> str:
    """File name of a record's schema, e.g. ``cx.message.received.v1.schema.json``."""
    type_ = getattr(cls, "TYPE", None)
    if type_:
        return f"{type_}.v{cls.VERSION}.schema.json"  # type: ignore[attr-defined]
    return f"{cls.__name__}.schema.json"


def json_schema(cls: type) -> dict[str, Any]:
    """A standalone JSON Schema (2020-12) for one record class."""
    definitions, refs = _components([cls])
    (ref,) = refs
    root = dict(definitions.pop(ref))
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": getattr(cls, "schema_uri", lambda: f"urn:loopline:schema:{cls.__name__}")(),
        **root,
        "title": getattr(cls, "TYPE", cls.__name__),
    }
    if definitions:
        schema["$defs"] = definitions
    return _rewrite_refs(schema, "#/$defs/")


def _components(classes: list[type]) -> tuple[dict[str, Any], list[str]]:
    refs_out, definitions = msgspec.json.schema_components(classes, ref_template="#/$defs/{name}")
    names = [ref["$ref"].rsplit("/", 1)[1] for ref in refs_out]
    return dict(definitions), names


#: RFC 3339 with a mandatory offset: enforced by a pattern, since not every validator checks formats.
RFC3339_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        if node.get("format") == "date-time" and node.get("type") == "string":
            node = {**node, "pattern": RFC3339_PATTERN}
        return {
            key: (prefix + value.rsplit("/", 1)[1] if key == "$ref" and isinstance(value, str) else _rewrite_refs(value, prefix))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def all_record_classes() -> list[type]:
    seen: dict[type, None] = {}
    for spec in ALL_TOPICS:
        for cls in spec.messages:
            seen.setdefault(cls)
    return list(seen)


def asyncapi(*, version: str = "1.0.0") -> dict[str, Any]:
    """An AsyncAPI 3.0 document: every topic as a channel with its key, config and messages."""
    definitions, _ = _components(all_record_classes())
    schemas = _rewrite_refs(definitions, "#/components/schemas/")
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in ALL_TOPICS:
        channel_id = spec.name.replace(".", "_")
        channel_messages = {}
        for cls in spec.messages:
            message_id = _message_id(cls)
            messages[message_id] = {
                "name": getattr(cls, "TYPE", cls.__name__),
                "title": getattr(cls, "TYPE", cls.__name__),
                "summary": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
                "contentType": "application/json",
                "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
                "bindings": {"kafka": {"key": {"type": "string", "description": spec.key}, "bindingVersion": "0.5.0"}},
            }
            channel_messages[message_id] = {"$ref": f"#/components/messages/{message_id}"}
        channels[channel_id] = {
            "address": spec.name,
            "description": spec.description,
            "messages": channel_messages,
            "bindings": {"kafka": _channel_binding(spec)},
        }
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Subscribe to {spec.name}",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{mid}"} for mid in channel_messages],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "loopline",
            "version": version,
            "description": "Interaction events in, escalation decisions, handoffs and SLO windows out. "
            "Every interaction event is a CloudEvents 1.0 record in structured JSON mode; the Kafka key "
            "is the conversation id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _message_id(cls: type) -> str:
    return getattr(cls, "TYPE", cls.__name__).replace(".", "_")


def _channel_binding(spec: TopicSpec) -> dict[str, Any]:
    config: dict[str, Any] = {"cleanup.policy": [spec.cleanup_policy]}
    if spec.cleanup_policy == "delete":
        config["retention.ms"] = spec.retention_ms
    return {
        "topic": spec.name,
        "partitions": spec.partitions,
        "replicas": spec.replication_factor,
        "topicConfiguration": config,
        "bindingVersion": "0.5.0",
    }


def write_schemas(out_dir: Path | str) -> list[Path]:
    """Write one JSON Schema per record class and ``asyncapi.json``; return the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for cls in all_record_classes():
        path = out / schema_file_name(cls)
        path.write_text(json.dumps(json_schema(cls), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    path = out / ASYNCAPI_FILE
    path.write_text(json.dumps(asyncapi(), indent=2) + "\n", encoding="utf-8")
    written.append(path)
    return written


__all__ = ["EVENT_CLASSES", "asyncapi", "json_schema", "schema_file_name", "write_schemas"]
