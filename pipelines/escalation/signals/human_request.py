"""Explicit request for a human: patterns over normalised text (typos fixed), with hard negatives.

The scorer reads each clause of a message. A clause asks for a human when it combines a request
("speak to", "get me", "transfer me", "I'd rather", a bare "operator!") with a human target
("a real person", "someone who can actually help", "your manager", "customer service"), or rejects the
bot ("I don't want to talk to a machine"). It is not fooled by reports ("your agent was great last
time", "I talked to a person yesterday"), careers ("how do I become an agent"), compounds ("estate
agent", "representative APR", "send money to a person"), neutral questions ("is a human reading
this?") or negated requests ("no need to transfer me").

>>> score_human_request("real person pls")
0.95
>>> score_human_request("can I speak to someone who can actually help")
0.95
>>> score_human_request("your agent was great last time") < 0.5
True
>>> score_human_request("how do I become an agent") < 0.5
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.escalation.signals.noise import repair
from pipelines.escalation.signals.text import fix_token, raw_tokens

_BOT = (r"(?:bots?|robots?|chat ?bots?|machines?|computers?|ai|automated (?:\w+)|virtual assistant|"
        r"algorithms?|menus?|recordings?)")
_HUMAN_CORE = (
    r"(?:human(?: being)?s?|humans|persons?|people|agents?|operators?|representatives?|reps?|advis[eo]rs?|"
    r"supervisors?|managers?|staff|employees?|consultants?|specialists?|colleagues?|team members?|"
    r"member of (?:staff|the team|your team)|someone|somebody|anyone|anybody|"
    r"customer (?:service|support|care)(?: (?:team|desk|rep|reps|representative|agent|person|people))?|"
    r"(?:the |your )?(?:support|service|help ?desk|care) team|one of (?:your|the) \w+|"
    r"a man|a woman)"
)
_ADJ = r"(?:(?:a|an|the|your|some|one|any|another|other|real|live|actual|proper|competent|qualified|human|"
_ADJ += r"different|senior|customer|service|support|else|of your|from your|bank|team|member|of|\w+ly)\s+){0,4}"
HUMAN = _ADJ + _HUMAN_CORE

_P = re.compile
_REQUESTS: tuple[tuple[re.Pattern[str], float], ...] = (
    # "speak / talk / chat to a human", "speak with someone", "talk to rep"
    (_P(rf"\b(?:speak|speaking|talk|talking|chat|chatting|discuss this|deal)\s+(?:to|with)\s+{HUMAN}\b"), 0.95),
    # "connect me to an agent", "transfer me", "put me through", "pass me on to a colleague"
    (_P(r"\b(?:transfer|connect|put|pass|forward|patch|switch|route|redirect|hand|send)\s+(?:me|us|this|my call|my case|it)\s+"
        rf"(?:on\s+|over\s+|through\s+|back\s+)?(?:to|with|through)\s+{HUMAN}\b"), 0.95),
    (_P(r"\b(?:put|patch)\s+me\s+through\b"), 0.9),
    (_P(r"\b(?:transfer|connect)\s+me\s*(?:now|please|\.|!|\?|$)"), 0.85),
    (_P(r"\b(?:hand|pass)\s+(?:me|this|it)\s+over\b"), 0.8),
    # "get me a human", "give me a person", "I want a real person", "I need an agent", "bring me …"
    (_P(rf"\b(?:get|give|find|bring|fetch|send)\s+(?:me|us)\s+{HUMAN}\b"), 0.95),
    (_P(r"\b(?:want|need|request|prefer|demand|would like|'d like|get|have|see)\s+(?:to\s+(?:have|get|see|reach|contact|call)\s+)?"
        r"(?:a|an|some|the|your|one|to)\s+(?:real |live |actual |proper |human |customer service |competent )*"
        r"(?:human(?: being)?|person|agent|operator|representative|rep|advis[eo]r|supervisor|manager|"
        r"member of staff|customer service (?:rep|representative|agent)|colleague)\b"), 0.9),
    (_P(r"\b(?:can|could|may)\s+i\s+(?:get|have)\s+(?:a|an|some|the|your)?\s*(?:real |live |actual )?"
        r"(?:human|person|agent|operator|representative|rep|someone|somebody|advis[eo]r|supervisor|manager)\b"), 0.9),
    (_P(r"\b(?:reach|contact|call|ring|get hold of|get through to)\s+(?:a|an|the|your|some)?\s*(?:real |live |actual )?"
        r"(?:human|person|agent|operator|representative|rep|supervisor|manager|someone real|live agent)\b"), 0.85),
    (_P(r"\b(?:want|need|like|prefer|rather have|get|request)\s+(?:some )?(?:human|personal|real)\s+"
        r"(?:help|support|assistance|contact|attention|agent|being)\b"), 0.9),
    (_P(r"\bhuman (?:help|assistance|support|agent)\b"), 0.8),
    (_P(r"\b(?:help|assistance|support)\s+from\s+(?:a|an|some|your)?\s*(?:real |live |actual )?"
        r"(?:human|person|agent|representative|advis[eo]r|operator|colleague|staff)"), 0.85),
    # "someone who can actually help", "someone real", "somebody in charge"
    (_P(r"\b(?:someone|somebody|anyone|anybody|a person|an agent|a human|people|person)\s+(?:who|that)\s+"
        r"(?:can|could|will|knows?|understands?|is able|actually|really)\b"), 0.9),
    (_P(r"\b(?:someone|somebody|anyone|anybody)\s+(?:real|competent|in charge|senior|human|from (?:the|your) "
        r"(?:bank|team|company|staff))\b"), 0.9),
    # "is there a human I can talk to", "any chance I can speak to a person"
    (_P(rf"\b{HUMAN}\s+(?:i|we)\s+(?:can|could|may)\s+(?:talk|speak|chat)\b"), 0.95),
    # "can a human help me", "can a person take over", "have someone call me back"
    (_P(r"\b(?:can|could|would|will)\s+(?:a|an|some|one of your)\s*(?:real |live |actual )?"
        r"(?:human|person|agent|representative|advis[eo]r|operator|staff|colleague)s?\s+(?:help|take|call|look|review|"
        r"deal|handle|sort|contact|check)\b"), 0.9),
    (_P(r"\b(?:have|get|ask)\s+(?:someone|somebody|a person|an agent|a human|an advis[eo]r|a colleague)\s+"
        r"(?:to\s+)?(?:call|contact|ring|phone|look|review|check|sort|handle|help)\b"), 0.85),
    (_P(r"\b(?:someone|somebody|a person|an agent|a human|an advis[eo]r|a colleague|someone from \w+( \w+)?)\s+"
        r"(?:to\s+)?(?:call|contact|ring|phone)\s+me\b"), 0.85),
    (_P(r"\b(?:a|request|requesting|arrange|book|schedule|want|need|get)\s+(?:a\s+)?(?:call ?back|callback)\b|"
        r"\b(?:call|ring|phone) me back\b"), 0.7),
    (_P(r"\b(?:would like|'d like|want)\s+(?:someone|somebody|a person|an agent|a human|a colleague)\s+to\s+"
        r"(?:look|review|check|handle|deal|call|contact|help)\b"), 0.8),
    (_P(r"\b(?:need|want|like)\s+(?:someone|somebody)\s+to\s+(?:look at|review|check|sort|handle|help)\s+(?:this|my|it)\b"), 0.45),
    # rejecting the bot: "I don't want to talk to a bot", "stop the bot", "no more robots"
    (_P(r"\b(?:don't|do not|won't|will not|not|no|stop|enough|done|tired|sick|hate|quit|rather not|can't)\b"
        r"(?:\s+\w+){0,3}?\s+(?:(?:talk|talking|speak|speaking|chat|chatting|deal|dealing)\s+(?:to|with)|"
        r"(?:want|wanna|need)|more)\s+(?:a\s+|an\s+|the\s+|this\s+|your\s+|any\s+|stupid\s+|more\s+)*" + _BOT + r"\b"), 0.85),
    (_P(r"\b(?:stop|enough|no more|quit|done with|sick of|tired of|fed up with)\s+(?:the\s+|this\s+|with\s+|your\s+)*"
        r"(?:bots?|robots?|chat ?bots?|automated \w+|virtual assistant)\b"), 0.85),
    (_P(r"\b(?:bots?|robots?|machines?|chat ?bots?|virtual assistant)\s+(?:is|are)\s+(?:useless|not helping|no help|"
        r"rubbish|pointless|hopeless|stupid)\b.*\b(?:person|human|someone|agent|somebody|people)\b"), 0.9),
    # "escalate this", "I want this escalated"
    (_P(r"\b(?:escalate|escalated|escalating)\s+(?:this|my|it|the|me|to)\b|\bescalation please\b|"
        r"\b(?:want|need|like)\s+(?:this|it|my \w+)\s+escalated\b"), 0.85),
    (_P(r"\bpress(?:ed|ing)?\s+(?:zero|0)\b|\bzero\s+(?:zero\s+)?operator\b"), 0.8),
)

# A clause that is only a human word with politeness around it: "operator!", "agent agent", "human pls".
_BARE_WORDS = frozenset({
    "human", "humans", "person", "agent", "agents", "operator", "representative", "rep", "someone", "somebody",
    "supervisor", "manager", "advisor", "adviser", "people", "being",
})
_FILLER = frozenset({
    "a", "an", "the", "please", "now", "right", "just", "i", "want", "need", "give", "me", "get", "real", "live",
    "actual", "to", "talk", "speak", "urgent", "urgently", "asap", "immediately", "!", "?", ".", ",", "customer",
    "service", "support", "thanks", "thank", "you", "ok", "okay", "hello", "hi", "yes", "again", "zero",
})

# Hard negatives, checked per clause before the requests above count.
_CAREER = _P(r"\b(?:become|becoming|be an?|work as|working as|job|jobs|career|hiring|hire|recruit\w*|apply|vacanc\w+|"
             r"i am an?|i'm an?)\s+(?:\w+\s+){0,2}(?:agents?|operators?|representatives?|reps?|advis[eo]rs?|staff)\b")
_COMPOUND = _P(r"\b(?:travel|estate|real estate|insurance|secret|free|double|sports|booking|shipping|border|customs|"
               r"letting|land|my|our|his|her|their|mobile|network|tour|phone|smooth|fbi)\s+(?:agents?|operators?)\b|"
               r"\bagent (?:fee|fees|commission|code|number|id|banking|licen[cs]e)\b|\brepresentative (?:apr|example|rate)\b|"
               r"\bhuman (?:resources|rights|error|body|bodies|nature|trafficking)\b|\bperson[- ]to[- ]person\b|"
               r"\b(?:in|third|another|other|other)\s+person\b(?!\s+(?:i|we)\s+can)|"
               r"\b(?:speak|talk)\s+(?:to you |with you )?(?:in|about)\b|"
               r"\b(?:send|transfer|pay|wire|give)\s+(?:money|funds|cash|\w+ (?:pounds|euros|dollars)|it)\s+to\s+.*")
_PAST = _P(r"\b(?:spoke|talked|chatted|spoken|was|were|had|told|said|promised|helped|already|earlier|yesterday|last "
           r"(?:time|week|month)|before|previous|previously)\b")
_MODAL = _P(r"\b(?:can|could|may|might|want|wanna|need|let|give|please|would like|i'd like|rather|prefer|"
            r"now|asap|transfer me|connect me|put me)\b")
_NEGATED = _P(r"\b(?:don't|do not|dont|no need|not|never|without|no)\b(?:\s+\w+){0,4}\s+(?:need|want|have|be|to|"
              r"transfer|put|escalate|speak|speaking|talk|talking|call|calling|for)\b|"
              r"\bwithout\s+(?:speaking|talking|calling|an?|the)\b|\bdon't\s+(?:transfer|put|escalate)\b|"
              r"\bdo not\s+(?:transfer|put|escalate)\b|\bno need\b")
_BOT_WORDS = _P(r"\b(?:bots?|robots?|machines?|computers?|chat ?bots?|automated|ai|virtual assistant)\b")
_QUESTION_ABOUT = _P(r"^(?:is|are|am)\s+(?:(?<=am )(?:talking|chatting|speaking)|a|an|this|that|it|you|i|there|these|those|the|my|someone|somebody|anyone|"
                     r"people)\b(?:\s+\w+){0,8}\s+(?:human|person|people|real|bot|reading|monitoring|read|talking|"
                     r"chatting|speaking)\b")
_NEED_QUESTION = _P(r"^(?:do|does|will|would|must|should)\s+(?:i|we|you|one)\s+(?:have|need|got)\s+to\s+"
                    r"(?:talk|speak|call|visit|see|chat)\b")
_REQUEST_IN_QUESTION = _P(r"\b(?:i|we)\s+(?:can|could|may)\s+(?:talk|speak|chat)\b|\bpossible to\b|\b(?:a way|number|somewhere|where) to\b|\b(?:want|need|get me|give me|"
                          r"rather|prefer|if not)\b")
_SENTENCES = _P(r"\s*[.;!?]+\s*")
_CLAUSES = _P(r"\s*(?:,|\bbut\b|\bso\b|\band\b|\bbecause\b|\bthen\b|\bsince\b|\bwhile\b)\s*")


@dataclass(frozen=True, slots=True)
class HumanRequestScore:
    score: float
    matched: str  # the clause that decided, for evidence (short; the message itself is not copied)


def score_human_request(text: str) -> float:
    """0-1: how clearly ``text`` asks for a human. >= 0.5 means yes at policy v1's threshold."""
    return explain_human_request(text).score


@lru_cache(maxsize=32_768)
def explain_human_request(text: str) -> HumanRequestScore:
    """The score and the clause that decided it; character noise is repaired before a second look."""
    text = text[:2000]
    # the repaired reading replaces the plain one: a repaired negation ("withuot talking to an agent")
    # must be able to turn a request down as much as a repaired request word can raise one
    return _score_normalised(" ".join(fix_token(t) for t in repair(raw_tokens(text))))


def _score_normalised(norm: str) -> HumanRequestScore:
    best = HumanRequestScore(0.0, "")
    for sentence in _SENTENCES.split(norm):
        words = set(sentence.replace(",", " ").split())
        if words and words <= _FILLER | _BARE_WORDS and words & _BARE_WORDS:
            return HumanRequestScore(0.95, sentence[:80])
        for clause in _CLAUSES.split(sentence):
            if not clause.strip():
                continue
            s = _score_clause(clause.strip())
            if s > best.score:
                best = HumanRequestScore(s, clause.strip()[:80])
    return best


def _score_clause(clause: str) -> float:
    hits = _hits(clause)
    if not hits:
        return 0.0
    best = max(weight for weight, _ in hits)
    # "I don't want to talk to a bot" negates the bot, which is itself the request.
    bot_rejection = any(rejects for _, rejects in hits)
    if _CAREER.search(clause):
        return 0.05
    if _COMPOUND.search(clause) and not bot_rejection:
        # "send money to a person", "estate agent": keep only if another request remains without it
        stripped = _COMPOUND.sub(" ", clause)
        if not _hits(stripped):
            return 0.1
    if _NEGATED.search(clause) and not bot_rejection:
        return 0.1
    if _NEED_QUESTION.search(clause):
        return 0.3
    if _QUESTION_ABOUT.search(clause) and not _REQUEST_IN_QUESTION.search(clause):
        return 0.3
    if _PAST.search(clause) and not _MODAL.search(clause):
        return 0.15
    return best


_BOT_RULES = frozenset(i for i, (p, _) in enumerate(_REQUESTS) if "bots?|robots?" in p.pattern)


def _hits(clause: str) -> list[tuple[float, bool]]:
    """(weight, rejects the bot) of every request pattern found in the clause."""
    return [
        (weight, index in _BOT_RULES)
        for index, (pattern, weight) in enumerate(_REQUESTS)
        if pattern.search(clause)
    ]
