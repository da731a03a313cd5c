"""Customer sentiment, -1 (angry) … 1 (delighted).

An upstream score carried by the event wins. Otherwise VADER (the ``vaderSentiment`` lexicon model,
offline, deterministic) scores the text and the customer-service frustration cues of
:mod:`pipelines.escalation.signals.frustration` add what VADER does not know: repetition ("third
time", "I already told you"), failure ("nothing you say helps", "still not fixed"), exasperation
("losing my patience", "waste of time"), sarcasm ("Great, just great"), shouting (ALL CAPS, "!!!",
"??"). Evidence combines as a noisy-OR with VADER's negativity, so two independent complaints score
lower than either. Hedged messages ("a bit annoying", "not ideal but I understand") stay mild: without a
strong cue they never fall below ``-0.4``. Slot answers ("my name is …", "I live at …") score 0.

>>> score_sentiment("Brilliant, thank you so much!") > 0.5
True
>>> score_sentiment("Still waiting. Still nothing.") < -0.3
True
>>> score_sentiment("this is ridiculous, nothing you say helps") <= -0.6
True
>>> score_sentiment("hmm that's a bit annoying") > -0.45
True
>>> score_sentiment("anything", upstream=-0.8)
-0.8
"""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipelines.escalation.signals.frustration import frustration
from pipelines.escalation.signals.slots import is_slot_answer

#: the lowest score a hedged message without a strong cue can get
MILD_FLOOR = -0.4
_analyzer = SentimentIntensityAnalyzer()


def score_sentiment(text: str, *, upstream: float | None = None) -> float:
    """Sentiment in [-1, 1]; ``upstream`` (the event's own score) wins when present."""
    if upstream is not None:
        return max(-1.0, min(1.0, float(upstream)))
    return _score_text(text[:2000])


@lru_cache(maxsize=32_768)
def _score_text(text: str) -> float:
    if is_slot_answer(text, acknowledgements=False):
        return 0.0  # data ("I live at 187 High Street") carries no sentiment; VADER reads "high" words
    compound = float(_analyzer.polarity_scores(text)["compound"])
    evidence = frustration(text)
    if evidence.cues == 0.0 or (compound >= 0.5 and evidence.cues < 0.5 and "sarcasm" not in evidence.families):
        score = compound
        if compound < 0.0 and evidence.boost >= 0.45:  # "ugh why is this so complicated": VADER's, louder
            score = -(1.0 - (1.0 + compound) * (1.0 - evidence.boost))
        elif compound < 0.3 and evidence.boost >= 0.45:  # two boosters alone: "Are you even reading this???"
            score = min(score, -evidence.boost)
    else:  # VADER's positive words do not cancel a complaint ("Oh great, another error. Fantastic.")
        negativity = max(0.0, -compound)
        score = -(1.0 - (1.0 - negativity) * (1.0 - evidence.strength))
    if score < 0.0 and evidence.hedged and not evidence.strong:
        score = max(score, MILD_FLOOR)
    return round(max(-1.0, min(1.0, score)), 4)
