"""`loopline mask`: JSONL {"text"} on stdin -> JSONL {"text", "spans"} on stdout."""

from __future__ import annotations

import json
import os
import sys
from typing import TextIO

import typer

from loopline.exceptions import ConfigError
from privacy.exceptions import PrivacyError
from privacy.keys import MaskingKey
from privacy.masking import Masker


def mask_stream(stdin: TextIO, stdout: TextIO, *, masker: Masker, batch_size: int = 500) -> int:
    """Mask each JSONL line, in input order, a batch at a time; returns the number of records written."""
    count = 0
    batch: list[str] = []

    def flush() -> None:
        for result in masker.mask_many(batch):
            out = {
                "text": result.text,
                "spans": [{"start": s.start, "end": s.end, "kind": s.kind} for s in result.spans],
            }
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        batch.clear()

    for lineno, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            flush()  # everything before the bad line is still written, in order
            raise ConfigError(
                f"stdin line {lineno}: expected a JSON object with a 'text' field ({exc})"
            ) from None
        if not isinstance(text, str):
            flush()
            raise ConfigError(
                f"stdin line {lineno}: 'text' must be a string, got {type(text).__name__}"
            )
        batch.append(text)
        count += 1
        if len(batch) >= batch_size:
            flush()
    flush()
    stdout.flush()
    return count


def mask(
    operator: str = typer.Option(
        "redact",
        "--operator",
        help="redact (<EMAIL>) or token (tok:email:…, needs LOOPLINE_TOKEN_KEY)",
    ),
    region: str = typer.Option("US", "--region", help="default region for phone numbers"),
) -> None:
    """Mask PII: JSONL {"text"} on stdin -> JSONL {"text", "spans"} on stdout.

    Env: LOOPLINE_TOKEN_KEY or LOOPLINE_TOKEN_KEY_FILE (token operator), LOOPLINE_DEV_MODE=1.
    """
    if operator not in ("redact", "token"):
        raise ConfigError(f"--operator must be redact or token, got {operator!r}")
    try:
        if operator == "token":
            key = MaskingKey.from_env(os.environ)
        else:
            key = MaskingKey(os.urandom(32), source="ephemeral")  # redaction uses no key
        masker = Masker(key, operator, {}, region)
    except PrivacyError as exc:
        raise ConfigError(str(exc)) from None
    mask_stream(sys.stdin, sys.stdout, masker=masker)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("mask")(mask)
