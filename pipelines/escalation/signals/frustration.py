"""Customer-service frustration cues: the knowledge VADER lacks.

VADER scores words; a customer who writes "this is the third time I've explained this" or "nothing
you say helps" uses no strongly negative word. Each family below is evidence of frustration with a
strength in 0-1; :func:`frustration` combines the families found as a noisy-OR (two independent
pieces of evidence are stronger than either), boosters (ALL CAPS, "!!!", "??", exasperated "why …")
only count next to other evidence, and hedges ("a bit", "slightly", "but I understand", "oh well")
mark a message as mild.

>>> round(frustration("why is this so hard, I'm losing my patience").strength, 2)
0.78
>>> frustration("thanks, all sorted!").strength
0.0
>>> frustration("hmm that's a bit annoying").hedged
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_P = re.compile

#: (family, strength, pattern) over lower-cased text with curly quotes straightened.
CUES: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("outrage", 0.7, _P(
        r"\b(?:ridiculous|unacceptable|outrageous|outraged|appalling|appalled|disgrace\w*|disgust\w*|pathetic|"
        r"incompeten\w+|useless|worthless|hopeless|pointless|shambles|absurd|shocking|scandal\w*|rip[- ]?off|"
        r"scam|robbery|nightmare|furious|livid|fuming|infuriat\w+|atrocious|abysmal|diabolical|a joke|"
        r"complete joke|what a joke|laughable|insulting|unbelievable|beyond (?:frustrating|a joke|belief))\b")),
    ("exasperation", 0.7, _P(
        r"\blos(?:ing|t) (?:my |all )?(?:patience|mind|temper)\b|\bend of my (?:tether|rope)\b|\bwits'? end\b|"
        r"\bi give up\b|\b(?:i'm|i am|im) (?:so |completely |totally |just )?done\b|\bso done\b|\bfed up\b|"
        r"\bsick (?:and tired )?of\b|\b(?:had|have) enough\b|\benough is enough\b|\blast straw\b|"
        r"\bdriving me (?:crazy|mad|nuts|insane|up the wall)\b|\bfor (?:god'?s|goodness'?|heaven'?s|pete'?s|christ'?s) sake\b|"
        r"\bffs\b|\bwtf\b|\b(?:are|r) (?:you|u) (?:kidding|joking|serious|for real)\b|\bgot to be kidding\b|"
        r"\bwhat(?:'s| is) wrong with (?:you|this|your)\b|\bwhat(?:'s| is) the point\b|\bwast(?:e|ed|ing) (?:of )?"
        r"(?:my |so much |an |another |the whole |a whole |my whole )?(?:time|hour|day|afternoon|morning|evening|"
        r"lunch break|week)\b|\b(?:round|around) in circles\b|\bthanks? (?:you )?for nothing\b|"
        r"\b(?:formal )?complaint\b|\bombudsman\b|\blegal action\b|\b(?:report|reporting) you\b|"
        r"\b(?:switching|moving|leaving) (?:to )?(?:another|a different) (?:bank|provider|company)\b|"
        r"\bnever (?:using|use|bank|shop)\w* .{0,30}again\b|\bwant to (?:scream|cry)\b|\bcould scream\b")),
    ("repetition", 0.5, _P(
        r"\b(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)|umpteenth|hundredth) time\b|"
        r"\b(?:two|three|four|five|six|several|many|multiple|\d+) times\b(?<!(?:charged|debited) two times)|"
        r"(?<!charged )(?<!billed )(?<!debited )(?<!taken )(?<!paid )(?<!was )(?<!me )\btwice\b(?! (?:a|per|every) )|"
        r"\bhow many (?:more )?times\b|\bkeeps? (?:on )?(?:asking|telling|saying|sending|repeating|happening|failing|"
        r"crashing|declining|logging|freezing)\b|\bkept (?:asking|telling|saying)\b|\bsame (?:question|questions|thing|"
        r"link|answer|problem|story|issue|useless|response|message)\b|\bover and over\b|\bagain and again\b|"
        r"\balready (?:told|said|explained|gave|sent|did|tried|done|answered)\b|\bliterally just\b|"
        r"\b(?:yet|once) again\b|\bevery (?:single )?time i\b|\bnothing has changed\b")),
    ("again", 0.3, _P(r"\bagain\b(?!\s+(?:later|tomorrow|soon|in a|next|after|please|when))(?<!try again)(?<!log in again)(?<!thanks again)(?<!thank you again)")),
    ("still", 0.4, _P(
        r"\bstill (?:not|no|nothing|waiting|missing|haven't|hasn't|isn't|doesn't|don't|can't|won't|didn't|broken|"
        r"unresolved|pending|the same|locked|blocked|charging|stuck|wrong|going on)\b|\bstill waiting\b|"
        r"\bstill nothing\b|\band nothing\b")),
    ("failure", 0.5, _P(
        r"\bnothing (?:ever )?(?:works?|worked|is working|helps|helped|you (?:say|suggest|do|said)|ever works|has changed)\b|"
        r"\b(?:nobody|no one|no-one)\b.{0,40}\b(?:help|helped|answer\w*|respond\w*|call\w*|tell|told|explain\w*|"
        r"fix\w*|care\w*|listen\w*)\b|\b(?:does ?n[o']?t|did ?n[o']?t|do ?n[o']?t|wo ?n[o']?t|is ?n[o']?t|not|never)\s+"
        r"(?:work|working|help|helping|helped|arrived|listen\w*|understand\w*|answer\w*|refund\w*|fix\w*|care)\b|"
        r"\bno help\b|\bnot helpful\b|\bunhelpful\b|\b(?:you're|you are|ur|u r) not (?:listening|helping|reading)\b|"
        r"\bnot what i (?:asked|said|wanted|meant)\b|\bcan'?t (?:believe|access|get|pay|log|even)\b|"
        r"\blocked out\b|\b(?:lost|missing) (?:my )?(?:money|payment|parcel|card|package|transfer)\b|"
        r"\bcan'?t (?:you|anyone) (?:\w+ ){0,2}(?:help|do|fix|answer)\b|\bdo nothing\b|\bso[- ]called\b")),
    # a money problem is a reason to be unhappy, not yet frustration with the service
    ("billing", 0.45, _P(r"\b(?:charged|billed|debited|taken|paid) (?:me )?(?:twice|double|two times)\b|"
                         r"\bovercharg\w+\b|\bhidden fees?\b")),
    ("sarcasm", 0.55, _P(
        r"\b(?:oh|just) (?:great|perfect|brilliant|wonderful|fantastic|lovely)\b|\bgreat,? just great\b|"
        r"\bthanks? (?:you )?(?:a lot |so much )?for (?:nothing|wasting)\b|\byeah,? right\b|"
        r"\blike that(?:'s| is) going to help\b|\b(?:brilliant|great|fantastic|amazing|perfect|wonderful|lovely)[.!]+ "
        r"(?:another|again|still|more|now)\b|\b(?:another|again|still)\b.{0,40}\b(?:fantastic|brilliant|amazing|"
        r"wonderful|great|perfect)[.!]*$|\bthanks a lot\b.{0,20}\bwast\w*|\bi guess i'?ll just\b")),
    ("anger", 0.6, _P(r"\b(?:so|really|very|extremely|absolutely|beyond) (?:angry|mad|frustrated|upset|annoyed|"
                      r"disappointed|fed up)\b|\bhate (?:this|you|your|it)\b|\b(?:worst|terrible|horrible|awful) "
                      r"(?:service|bank|app|experience|company|support)\b")),
)
#: Exasperated questions and commands: weak alone, they strengthen other evidence.
BOOSTERS: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("why", 0.25, _P(r"\bwhy (?:is|does|do|can'?t|won'?t|isn'?t|doesn'?t|is it|on earth|the hell|would)\b|"
                     r"\bso (?:hard|difficult|complicated|slow)\b")),
    ("just", 0.25, _P(r"\bjust (?:fix|answer|tell|give|do|refund|sort)\b|\balready[.!?]*$|\bugh\b|\bseriously\b|"
                      r"\bhonestly\b|\bare you even\b|\bis anyone\b|\bstop (?:sending|telling|asking)\b")),
)
_HEDGE = _P(r"\b(?:a (?:bit|little|tad)|bit of|slightly|somewhat|kind of|kinda|sort of|mildly|not ideal|not great|"
            r"not the best|not quite|not perfect|not thrilled|oh well|never mind|fair enough|i suppose|meh|"
            r"unfortunate|a shame|that's a shame|shame|a pity|pity|oh dear|oh no|"
            r"but (?:it's |that's )?(?:fine|ok|okay|i understand|i get it|i'll manage|no worries|it will do|it works|"
            r"i'll wait)|i'll try (?:again )?later)\b")
_MARKS = _P(r"[!?]{2,}|!\?|\?!")
_CAPS = _P(r"\b[A-Z]{3,}\b")


_ACRONYMS = frozenset({"ATM", "PIN", "IBAN", "SMS", "APP", "USD", "EUR", "GBP", "BIC", "SWIFT", "CVV", "OTP", "FAQ"})


@dataclass(frozen=True, slots=True)
class Frustration:
    cues: float  # 0-1, noisy-OR of the cue families found
    boost: float  # 0-1, noisy-OR of the boosters (only meaningful next to negative evidence)
    strong: bool  # a cue of strength >= 0.6 was found
    hedged: bool  # the message softens itself ("a bit", "but fine")
    families: tuple[str, ...]

    @property
    def strength(self) -> float:
        """Cues and boosters together (0 when no cue was found)."""
        return round(1.0 - (1.0 - self.cues) * (1.0 - self.boost), 4) if self.cues else 0.0


def _noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def _matches(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


def frustration(text: str) -> Frustration:
    """The frustration evidence in ``text`` (see the module docstring)."""
    lowered = text.lower().replace("’", "'")
    # every distinct phrase counts: "you keep asking the same questions over and over" is three
    cues = [(name, weight) for name, weight, pattern in CUES for _ in set(_matches(pattern, lowered))]
    boosts = [(name, weight) for name, weight, pattern in BOOSTERS if pattern.search(lowered)]
    caps = [w for w in _CAPS.findall(text) if w not in _ACRONYMS]
    if len(caps) >= 2 or (caps and len(caps) * 2 >= len(text.split())):
        boosts.append(("caps", 0.3))
    if _MARKS.search(text):
        boosts.append(("marks", 0.25))
    return Frustration(
        cues=_noisy_or([w for _, w in cues]), boost=_noisy_or([w for _, w in boosts]),
        strong=any(w >= 0.6 for _, w in cues), hedged=_HEDGE.search(lowered) is not None,
        families=tuple(name for name, _ in cues + boosts),
    )
