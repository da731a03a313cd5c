"""loopline's PII masking vs Microsoft Presidio's analyzer (blank spaCy pipeline, pattern
recognizers only; nothing downloaded), on the same texts in the same run.

Two ways of calling each tool, both measured:
- ``batch``: what a stream processor does (the lake sink masks a batch of records before each
  Delta append): loopline ``Masker.mask_many`` on batches of 500 vs Presidio's own
  ``BatchAnalyzerEngine.analyze_iterator`` on the same batches (``batch_size=500``);
- ``per_text``: loopline ``Masker.mask(text)`` vs ``AnalyzerEngine.analyze(text)``, one call per text.

Three workloads, alternating tool by tool, repeat by repeat:
- ``mixed``: what a stream mostly is. 2,000 ordinary customer-service utterances (1,000
  Banking77 + 1,000 CLINC150, a fixed seeded sample; almost none carries PII, a few CLINC ones
  name a person: "text samantha") plus all 375 PII-bearing texts (Presidio sample +
  ``tests/fixtures/privacy``): 16 % of the texts are PII-bearing ones.
- ``pii_only``: the 375 PII-bearing texts alone (the worst case for loopline's prefilters);
- ``ordinary_only``: the 2,000 utterances alone (the best case).

loopline masks for the lake (keyed tokens), Presidio only analyses (no anonymiser): the
comparison favours Presidio. loopline's per-candidate caches are cleared before every timed
repeat, so no repeat profits from having seen the texts before. Prints both tools'
recall/precision per entity kind and how many of the ordinary utterances each tool flags.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from privacy.detect import clear_caches
from privacy.evaluation import SCORED, Labelled, load_presidio, score
from privacy.keys import MaskingKey
from privacy.masking import Masker

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "dev"
PRESIDIO_DATA = DATA / "presidio_generated_small.json"
FIXTURES = ROOT / "tests" / "fixtures" / "privacy" / "labelled.jsonl"
SEED = 20261127
N_PLAIN_PER_SOURCE = 1000
BATCH_SIZE = 500  # records per lake-sink flush, the order of magnitude
# Presidio entity -> our kind
PRESIDIO_TO_OURS = {
    "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "EMAIL_ADDRESS": "EMAIL", "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS", "PHONE_NUMBER": "PHONE", "PERSON": "PERSON", "LOCATION": "ADDRESS",
}  # fmt: skip


def _texts() -> list[Labelled]:
    """The PII-bearing texts with gold spans."""
    items = load_presidio(json.loads(PRESIDIO_DATA.read_text()))
    for line in FIXTURES.read_text().splitlines():
        row = json.loads(line)
        items.append(Labelled(row["text"], [tuple(s) for s in row["spans"]]))
    return items


def plain_texts(n_per_source: int = N_PLAIN_PER_SOURCE, *, seed: int = SEED) -> list[str]:
    """Ordinary customer-service utterances (Banking77 train, CLINC150 test), mostly PII-free."""
    rng = random.Random(seed)
    with (DATA / "banking77_train.csv").open(newline="", encoding="utf-8") as f:
        banking = [row["text"] for row in csv.DictReader(f)]
    clinc = [t for t, _intent in json.loads((DATA / "clinc150_data_full.json").read_text())["test"]]
    return rng.sample(banking, n_per_source) + rng.sample(clinc, n_per_source)


def _presidio():
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    path = tempfile.mkdtemp(prefix="blank-en-")
    spacy.blank("en").to_disk(path)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": path}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def _rate(fn: Callable[[list[str]], object], texts: list[str], *, batch_size: int) -> float:
    """texts/s of ``fn`` called on consecutive slices of ``batch_size`` texts."""
    clear_caches()
    start = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        fn(texts[i : i + batch_size])
    return len(texts) / (time.perf_counter() - start)


Tool = Callable[[list[str]], object]


def _side_by_side(
    tools: dict[str, tuple[Tool, int]], texts: list[str], repeats: int
) -> dict[str, float]:
    """Median texts/s of each tool (``name -> (fn over a batch, batch size)``), each over the
    whole list in a loop of its own; the tools alternate repeat by repeat, so that a noisy
    neighbour on a shared machine hits all alike. loopline's caches are emptied before each run."""
    rates: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(repeats):
        for name, (fn, size) in tools.items():
            rates[name].append(_rate(fn, texts, batch_size=size))
    return {name: statistics.median(r) for name, r in rates.items()}


def run(*, repeats: int = 5) -> list[dict]:
    items = _texts()
    pii = [x.text for x in items]
    plain = plain_texts()
    mixed = plain + pii
    random.Random(SEED).shuffle(mixed)
    masker = Masker.for_destination("lake", key=MaskingKey(b"\x00" * 32, source="bench"))
    engine = _presidio()

    from presidio_analyzer import BatchAnalyzerEngine

    batch_engine = BatchAnalyzerEngine(analyzer_engine=engine)

    def presidio_mask(text: str) -> list:
        return engine.analyze(text, language="en")

    tools: dict[str, tuple[Tool, int]] = {
        "loopline_batch": (masker.mask_many, BATCH_SIZE),
        "presidio_batch": (
            lambda b: batch_engine.analyze_iterator(b, language="en", batch_size=BATCH_SIZE),
            BATCH_SIZE,
        ),
        "loopline_per_text": (lambda b: [masker.mask(t) for t in b], BATCH_SIZE),
        "presidio_per_text": (lambda b: [presidio_mask(t) for t in b], BATCH_SIZE),
    }
    for t in pii[:20]:  # warm-up: word lists, compiled patterns, Presidio's recognizers
        masker.mask(t)
        presidio_mask(t)
    masker.mask_many(mixed[:BATCH_SIZE])
    batch_engine.analyze_iterator(pii[:20], language="en")
    measured = {
        "mixed_stream": (_side_by_side(tools, mixed, repeats), len(mixed)),
        "pii_only": (_side_by_side(tools, pii, repeats), len(pii)),
        "ordinary_only": (_side_by_side(tools, plain, repeats), len(plain)),
    }

    ours_pred = [[(s.start, s.end, s.kind) for s in r.spans] for r in masker.mask_many(pii)]
    base_pred = [
        [
            (r.start, r.end, PRESIDIO_TO_OURS[r.entity_type])
            for r in presidio_mask(t)
            if r.entity_type in PRESIDIO_TO_OURS
        ]
        for t in pii
    ]
    ours, base = score(items, ours_pred), score(items, base_pred)
    ours_flagged = sum(1 for r in masker.mask_many(plain) if r.spans) / len(plain)
    base_flagged = sum(1 for t in plain if presidio_mask(t)) / len(plain)
    print(f"{'kind':<12} {'support':>7} {'loopline R':>10} {'P':>6} {'presidio R':>10} {'P':>6}")
    for kind in SCORED:
        print(
            f"{kind:<12} {int(ours[kind]['support']):>7} {ours[kind]['recall']:>10.3f} "
            f"{ours[kind]['precision']:>6.3f} {base[kind]['recall']:>10.3f} {base[kind]['precision']:>6.3f}"
        )
    print(f"ordinary texts flagged: loopline {ours_flagged:.2%}, presidio {base_flagged:.2%}")
    what = {
        "mixed_stream": f"{len(mixed)} texts: {len(plain)} ordinary Banking77/CLINC150 + "
        f"{len(pii)} PII-bearing",
        "pii_only": f"{len(pii)} PII-bearing texts (presidio sample + tests/fixtures/privacy)",
        "ordinary_only": f"the {len(plain)} ordinary utterances alone",
    }
    results: list[dict] = []
    for workload, (rates, _n) in measured.items():
        for mode, baseline_name in (
            ("batch", "presidio-analyzer BatchAnalyzerEngine (blank spaCy en), batches of 500"),
            ("per_text", "presidio-analyzer AnalyzerEngine.analyze per text (blank spaCy en)"),
        ):
            ours_rate, base_rate = rates[f"loopline_{mode}"], rates[f"presidio_{mode}"]
            row = {
                "name": f"privacy.mask_texts_per_s.{workload}"
                + (".batch" if mode == "batch" else ""),
                "unit": "texts/s",
                "loopline": ours_rate,
                "baseline": base_rate,
                "baseline_name": baseline_name,
                "higher_is_better": True,
                "notes": f"{what[workload]}; "
                + (
                    "Masker.mask_many, batches of 500"
                    if mode == "batch"
                    else "Masker.mask per text"
                )
                + f"; ratio {ours_rate / base_rate:.1f}x",
            }
            if workload == "mixed_stream":
                row["goal"] = ">= 50x"
            results.append(row)
    for workload, (rates, _n) in measured.items():
        print(
            f"{workload:<14} loopline batch {rates['loopline_batch']:>9.0f}/s per-text "
            f"{rates['loopline_per_text']:>9.0f}/s | presidio batch {rates['presidio_batch']:>7.0f}/s "
            f"per-text {rates['presidio_per_text']:>7.0f}/s | batch/batch "
            f"{rates['loopline_batch'] / rates['presidio_batch']:.1f}x, per-text/per-text "
            f"{rates['loopline_per_text'] / rates['presidio_per_text']:.1f}x"
        )
    results.append(
        {
            "name": "privacy.ordinary_texts_flagged",
            "unit": "share",
            "loopline": ours_flagged,
            "baseline": base_flagged,
            "baseline_name": "presidio-analyzer",
            "higher_is_better": False,
            "notes": f"{len(plain)} Banking77/CLINC150 utterances with at least one span; "
            "loopline's are mostly real first names in CLINC ('call me bailey'), Presidio's "
            "'w2' as a driver's licence",
        }
    )
    for kind in SCORED:
        results.append(
            {
                "name": f"privacy.recall.{kind}",
                "unit": "recall",
                "loopline": ours[kind]["recall"],
                "baseline": base[kind]["recall"],
                "baseline_name": "presidio-analyzer",
                "higher_is_better": True,
                "notes": f"support {int(ours[kind]['support'])}; precision loopline "
                f"{ours[kind]['precision']:.3f} vs presidio {base[kind]['precision']:.3f}",
            }
        )
    return results


if __name__ == "__main__":
    for row in run(repeats=3):
        print(json.dumps(row))
