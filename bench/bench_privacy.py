"""loopline's PII masking vs Microsoft Presidio's analyzer (blank spaCy pipeline, pattern
recognizers only; nothing downloaded), on the same texts in the same run.

Three workloads, both tools timed on exactly the same texts, alternating repeat by repeat:
- ``mixed``: what a stream mostly is. 2,000 ordinary customer-service utterances (1,000
  Banking77 + 1,000 CLINC150, a fixed seeded sample; almost none carries PII, a few CLINC ones
  name a person: "text samantha") plus all 375 PII-bearing texts (Presidio sample +
  ``tests/fixtures/privacy``): 16 % of the texts are PII-bearing ones.
- ``pii_only``: the 375 PII-bearing texts alone (the worst case for loopline's prefilters);
- ``ordinary_only``: the 2,000 utterances alone (the best case).

loopline's per-candidate caches are cleared before every timed repeat, so no repeat profits from
having seen the texts before. Prints both tools' recall/precision per entity kind and how many of
the ordinary utterances each tool flags.
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


def _rate(fn: Callable[[str], object], texts: list[str], *, before: Callable[[], None]) -> float:
    before()
    start = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - start)


def _side_by_side(
    ours: Callable[[str], object],
    theirs: Callable[[str], object],
    texts: list[str],
    repeats: int,
) -> tuple[float, float]:
    """Median texts/s of both tools, each over the whole list in a loop of its own; the two
    alternate repeat by repeat, so that a noisy neighbour on a shared machine hits both alike.
    loopline's caches are emptied before each of its repeats."""
    a, b = [], []
    for _ in range(repeats):
        a.append(_rate(ours, texts, before=clear_caches))
        b.append(_rate(theirs, texts, before=lambda: None))
    return statistics.median(a), statistics.median(b)


def run(*, repeats: int = 5) -> list[dict]:
    items = _texts()
    pii = [x.text for x in items]
    plain = plain_texts()
    mixed = plain + pii
    random.Random(SEED).shuffle(mixed)
    masker = Masker.for_destination("lake", key=MaskingKey(b"\x00" * 32, source="bench"))
    engine = _presidio()

    def presidio_mask(text: str) -> list:
        return engine.analyze(text, language="en")

    for t in pii[:20]:  # warm-up: word lists, compiled patterns, Presidio's recognizers
        masker.mask(t)
        presidio_mask(t)
    mixed_ours, mixed_base = _side_by_side(masker.mask, presidio_mask, mixed, repeats)
    pii_ours, pii_base = _side_by_side(masker.mask, presidio_mask, pii, repeats)
    plain_ours, plain_base = _side_by_side(masker.mask, presidio_mask, plain, repeats)

    ours_pred = [[(s.start, s.end, s.kind) for s in masker.mask(t).spans] for t in pii]
    base_pred = [
        [
            (r.start, r.end, PRESIDIO_TO_OURS[r.entity_type])
            for r in presidio_mask(t)
            if r.entity_type in PRESIDIO_TO_OURS
        ]
        for t in pii
    ]
    ours, base = score(items, ours_pred), score(items, base_pred)
    ours_flagged = sum(1 for t in plain if masker.mask(t).spans) / len(plain)
    base_flagged = sum(1 for t in plain if presidio_mask(t)) / len(plain)
    print(f"{'kind':<12} {'support':>7} {'loopline R':>10} {'P':>6} {'presidio R':>10} {'P':>6}")
    for kind in SCORED:
        print(
            f"{kind:<12} {int(ours[kind]['support']):>7} {ours[kind]['recall']:>10.3f} "
            f"{ours[kind]['precision']:>6.3f} {base[kind]['recall']:>10.3f} {base[kind]['precision']:>6.3f}"
        )
    print(f"ordinary texts flagged: loopline {ours_flagged:.2%}, presidio {base_flagged:.2%}")
    baseline_name = "presidio-analyzer (blank spaCy en, pattern recognizers)"
    results = [
        {
            "name": "privacy.mask_texts_per_s.mixed_stream",
            "unit": "texts/s",
            "loopline": mixed_ours,
            "baseline": mixed_base,
            "baseline_name": baseline_name,
            "higher_is_better": True,
            "goal": ">= 50x",
            "notes": f"{len(mixed)} texts: {len(plain)} ordinary Banking77/CLINC150 + {len(pii)} "
            f"PII-bearing; ratio {mixed_ours / mixed_base:.1f}x",
        },
        {
            "name": "privacy.mask_texts_per_s.pii_only",
            "unit": "texts/s",
            "loopline": pii_ours,
            "baseline": pii_base,
            "baseline_name": baseline_name,
            "higher_is_better": True,
            "notes": f"{len(pii)} PII-bearing texts (presidio sample + tests/fixtures/privacy); "
            f"ratio {pii_ours / pii_base:.1f}x",
        },
        {
            "name": "privacy.mask_texts_per_s.ordinary_only",
            "unit": "texts/s",
            "loopline": plain_ours,
            "baseline": plain_base,
            "baseline_name": baseline_name,
            "higher_is_better": True,
            "notes": f"the {len(plain)} ordinary utterances alone (other mixes can be derived "
            f"from the three rates); ratio {plain_ours / plain_base:.1f}x",
        },
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
        },
    ]
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
