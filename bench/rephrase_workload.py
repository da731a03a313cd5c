"""Conversation-shaped rephrase workload made from Banking77 + CLINC150 (development data, not committed).

The escalation worker compares each new customer message with the earlier customer messages of the
conversation inside the rephrase window, so a realistic workload is conversations of customer
messages where every new message is paired with its previous ``k`` messages. Each conversation keeps
to a main request (about 60 % of its turns, so restatements occur) with other requests mixed in.

    python -m bench.rephrase_workload --lines 10000 > /tmp/pairs.jsonl          # conversation-shaped
    python -m bench.rephrase_workload --lines 10000 --shape random > /tmp/r.jsonl  # independent pairs
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

DEV_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev"


def load_intents(dev: Path = DEV_DATA) -> dict[str, list[str]]:
    """Training utterances by intent: Banking77 (``b77:``) and CLINC150 in-scope (``clinc:``)."""
    out: dict[str, list[str]] = defaultdict(list)
    with (dev / "banking77_train.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[f"b77:{row['category']}"].append(row["text"])
    clinc = json.loads((dev / "clinc150_data_full.json").read_text(encoding="utf-8"))
    for text, intent in clinc["train"]:
        out[f"clinc:{intent}"].append(text)
    return dict(out)


def conversations(count: int, *, seed: int = 7, turns: int = 6,
                  intents: dict[str, list[str]] | None = None) -> list[list[str]]:
    """``count`` conversations of ``turns`` customer messages each (seeded)."""
    intents = intents or load_intents()
    names = sorted(intents)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        main = rng.choice(names)
        out.append([rng.choice(intents[main if rng.random() < 0.6 else rng.choice(names)]) for _ in range(turns)])
    return out


def window_pairs(convs: list[list[str]], *, k: int = 4) -> list[list[tuple[str, str]]]:
    """One list per arriving message: (earlier message, new message) for its previous ``k`` messages."""
    steps = []
    for conv in convs:
        for n, text in enumerate(conv):
            steps.append([(earlier, text) for earlier in conv[max(0, n - k):n]])
    return steps


def random_pairs(count: int, *, seed: int = 7, intents: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    """Independent pairs (half from one intent): nearly every text is new, the worst case for a cache."""
    intents = intents or load_intents()
    names = sorted(intents)
    rng = random.Random(seed)
    out = []
    for n in range(count):
        first = rng.choice(names)
        second = first if n % 2 == 0 else rng.choice(names)
        out.append((rng.choice(intents[first]), rng.choice(intents[second])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rephrase_workload")
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--shape", choices=["conversations", "random"], default="conversations")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.shape == "random":
        pairs = random_pairs(args.lines, seed=args.seed)
    else:
        steps = window_pairs(conversations(args.lines // 2 + 1, seed=args.seed))
        pairs = [pair for step in steps for pair in step][: args.lines]
    for a, b in pairs:
        sys.stdout.write(json.dumps({"a": a, "b": b}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
