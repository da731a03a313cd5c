"""Customer sentiment, -1 (angry) … 1 (delighted).

An upstream score carried by the event wins. Otherwise VADER (the ``vaderSentiment`` lexicon model,
offline, deterministic) scores the text, and customer-service cues VADER does not know ("still
waiting", "third time", "rip-off", "thanks for nothing", "doesn't work") pull the score down: VADER
reads "Great, just great" or "Nobody has called me back like they promised" as positive.

>>> score_sentiment("Brilliant, thank you so much!") > 0.5
True
>>> score_sentiment("Still waiting. Still nothing.") < -0.3
True
>>> score_sentiment("anything", upstream=-0.8)
-0.8
"""

from __future__ import annotations

import re
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_P = re.compile
#: (pattern, score): customer-service complaint cues; the strongest found caps the VADER score.
_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    (_P(r"\b(?:rip[- ]?off|scam|disgrace\w*|outrageous|appalling|pathetic|incompetent|useless|shambles)\b"), -0.7),
    (_P(r"\bthanks for nothing\b|\b(?:had|have) enough\b|\bso done\b|\bfed up\b|\bsick (?:and tired )?of\b|"
        r"\bcomplete joke\b|\bwhat a joke\b|\bnever (?:using|use|bank|shop)\w* .{0,30}again\b|"
        r"\b(?:moving|switching|leaving) (?:to )?(?:another|a different) (?:bank|provider|company)\b|"
        r"\bwast(?:e|ing) (?:of )?(?:my )?time\b|\bdriving me (?:crazy|mad|insane)\b"), -0.7),
    (_P(r"\b(?:still|yet again|once again)\b.{0,30}\b(?:waiting|nothing|no|not|hasn't|haven't|isn't|doesn't|"
        r"can't|won't)\b|\bstill waiting\b|\bstill nothing\b"), -0.5),
    (_P(r"\b(?:third|fourth|fifth|\d+(?:st|nd|rd|th)) time\b|\bhow many times\b|\b(?:\w+ )?times and\b|"
        r"\bevery time i (?:contact|call|ask)\b|\bsame (?:story|problem|issue|answer|question)\b"), -0.5),
    (_P(r"\b(?:nobody|no one|no-one|nothing)\b.{0,40}\b(?:help|helped|answer|answered|respond|responded|called|"
        r"call|works|working|done|doing|fixed|tells|told)\b"), -0.5),
    (_P(r"\b(?:didn't|doesn't|don't|does not|did not|isn't|not|never)\s+(?:work|working|help|helping|arrived|"
        r"received|listen\w*|understand\w*|answer\w*)\b|\bkeeps? (?:crashing|failing|declining|logging)\b|"
        r"\b(?:are|is) you (?:even )?listening\b|\bnot what i asked\b|\blocked out\b|\bcan't (?:believe|access|"
        r"get|pay|log)\b"), -0.4),
    (_P(r"\bgreat,? (?:just great|another)\b|\bjust what i needed\b|\btypical\b|\bseriously\?"), -0.45),
    (_P(r"\b(?:charged|billed|debited) (?:me )?(?:twice|double|two times)\b|\bovercharg\w+\b|\bhidden fees?\b|"
        r"\blost (?:my )?(?:money|parcel|card|package)\b|\bno money\b"), -0.45),
)

_analyzer = SentimentIntensityAnalyzer()


def score_sentiment(text: str, *, upstream: float | None = None) -> float:
    """Sentiment in [-1, 1]; ``upstream`` (the event's own score) wins when present."""
    if upstream is not None:
        return max(-1.0, min(1.0, float(upstream)))
    return _score_text(text[:2000])


@lru_cache(maxsize=32_768)
def _score_text(text: str) -> float:
    compound = float(_analyzer.polarity_scores(text)["compound"])
    lowered = text.lower().replace("’", "'")
    cues = [score for pattern, score in _CUES if pattern.search(lowered)]
    if not cues:
        return round(compound, 4)
    capped = min(compound, min(cues)) - 0.1 * (len(cues) - 1)
    return round(max(-1.0, capped), 4)
