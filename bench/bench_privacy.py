"""loopline's PII masking vs Microsoft Presidio's analyzer (blank spaCy pipeline, pattern
recognizers only; nothing downloaded), on the same texts in the same run: the Presidio sample plus
our labelled fixtures. Prints both tools' recall per entity kind."""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

from privacy.evaluation import SCORED, Labelled, load_presidio, score
from privacy.keys import MaskingKey
from privacy.masking import Masker

ROOT = Path(__file__).resolve().parents[1]
PRESIDIO_DATA = ROOT.parent / "shared" / "data" / "dev" / "presidio_generated_small.json"
FIXTURES = ROOT / "tests" / "fixtures" / "privacy" / "labelled.jsonl"
# Presidio entity -> our kind
PRESIDIO_TO_OURS = {
    "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "EMAIL_ADDRESS": "EMAIL", "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS", "PHONE_NUMBER": "PHONE", "PERSON": "PERSON", "LOCATION": "ADDRESS",
}  # fmt: skip


def _texts() -> list[Labelled]:
    items = load_presidio(json.loads(PRESIDIO_DATA.read_text()))
    for line in FIXTURES.read_text().splitlines():
        row = json.loads(line)
        items.append(Labelled(row["text"], [tuple(s) for s in row["spans"]]))
    return items


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


def _time(fn, texts: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        runs.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(runs)


def run(*, repeats: int = 5) -> list[dict]:
    items = _texts()
    texts = [x.text for x in items]
    masker = Masker.for_destination("lake", key=MaskingKey(b"\x00" * 32, source="bench"))
    engine = _presidio()

    def presidio_mask(text: str) -> list:
        return engine.analyze(text, language="en")

    masker.mask(texts[0])
    presidio_mask(texts[0])
    ours_tps = _time(masker.mask, texts, repeats)
    base_tps = _time(presidio_mask, texts, repeats)

    ours_pred = [[(s.start, s.end, s.kind) for s in masker.mask(t).spans] for t in texts]
    base_pred = [
        [
            (r.start, r.end, PRESIDIO_TO_OURS[r.entity_type])
            for r in presidio_mask(t)
            if r.entity_type in PRESIDIO_TO_OURS
        ]
        for t in texts
    ]
    ours, base = score(items, ours_pred), score(items, base_pred)
    print(f"{'kind':<12} {'support':>7} {'loopline R':>10} {'P':>6} {'presidio R':>10} {'P':>6}")
    for kind in SCORED:
        print(
            f"{kind:<12} {int(ours[kind]['support']):>7} {ours[kind]['recall']:>10.3f} "
            f"{ours[kind]['precision']:>6.3f} {base[kind]['recall']:>10.3f} {base[kind]['precision']:>6.3f}"
        )
    results = [
        {
            "name": "privacy.mask_texts_per_s",
            "unit": "texts/s",
            "loopline": ours_tps,
            "baseline": base_tps,
            "baseline_name": "presidio-analyzer (blank spaCy en, pattern recognizers)",
            "higher_is_better": True,
            "notes": f"{len(texts)} texts (presidio sample + tests/fixtures/privacy); ratio {ours_tps / base_tps:.1f}x",
        }
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
