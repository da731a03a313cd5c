"""`loopline signals rephrase`: JSONL in, scores and flags out, in input order, chunk by chunk."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from loopline.commands import signals

LINES = [
    {"a": "where is my card", "b": "my card has still not arrived"},
    {"a": "what is the exchange rate", "b": "I want to close my account"},
    {"a": "reset my password please", "b": "I want to reset my password"},
]


def _app() -> typer.Typer:
    app, groups = typer.Typer(), {"signals": typer.Typer()}
    signals.register(app, groups)
    app.add_typer(groups["signals"], name="signals")
    return app


def test_scores_flags_and_errors_come_back_in_input_order() -> None:
    stdin = "\n".join([json.dumps(LINES[0]), "not json", json.dumps(LINES[1]), "", json.dumps(LINES[2])]) + "\n"
    result = CliRunner().invoke(_app(), ["signals", "rephrase"], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o.get("a") for o in out] == ["where is my card", None, "what is the exchange rate", "reset my password please"]
    assert out[1] == {"error": "line 2: not JSON: Expecting value"}  # reported in place, the rest still scored
    assert out[0]["flag"] is True and out[2]["flag"] is False  # same request vs two different requests
    assert out[3] == {**LINES[2], "score": 1.0, "flag": True}  # lexical path: same content words


def test_output_streams_one_chunk_before_the_next_is_read(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(signals, "_CHUNK", 2)
    written_before_line: dict[int, int] = {}
    seen: list[str] = []

    def lines() -> Iterator[str]:
        for number, record in enumerate(LINES * 2, start=1):
            seen.extend(capsys.readouterr().out.splitlines())
            written_before_line[number] = len(seen)
            yield json.dumps(record) + "\n"

    monkeypatch.setattr(signals, "_records", lambda: (json.loads(line) for line in lines()))
    signals.rephrase(int8=False)
    seen.extend(capsys.readouterr().out.splitlines())
    assert len(seen) == 6
    # lines 1-2 were scored and written before line 3 was read, lines 3-4 before line 5
    assert written_before_line == {1: 0, 2: 0, 3: 2, 4: 2, 5: 4, 6: 4}
