"""Ready-made candidate versions for demos and tests.

:func:`over_automating` is the textbook bad canary: a tier-2 intent automated far below the
confidence the active policy demands. Against a simulator run whose intent model is over-confident
for that intent (``SimulationConfig(overconfident={intent: c})``: automated conversations detected
below ``c`` fail 60 % of the time), the canary's containment quality burns its error budget several
times faster than control's.

>>> from pipelines.escalation.policy import DEFAULT_POLICY, parse_policy
>>> import yaml
>>> text = over_automating(DEFAULT_POLICY.read_text(), version="v1.1-canary", intent="refund_request")
>>> policy = parse_policy(yaml.safe_load(text))
>>> policy.version, policy.band_action(tier=2, intent="refund_request", confidence=0.4)
('v1.1-canary', 'automate')
>>> policy.band_action(tier=2, intent="transfer_status", confidence=0.4)   # other intents unchanged
'handoff'
"""

from __future__ import annotations

import yaml

BAD_INTENT = "refund_request"
#: the simulator's over-confidence threshold for :data:`BAD_INTENT` in the bad-canary scenario
BAD_CONFIDENCE = 0.62
APPROVERS = (
    {"by": "ops-lead", "role": "operations", "date": "2026-03-01"},
    {"by": "cx-product-owner", "role": "product", "date": "2026-03-01"},
)


def over_automating(
    document: str, *, version: str, intent: str = BAD_INTENT, automate_from: float = 0.30,
    approvals: tuple[dict[str, str], ...] = APPROVERS,
) -> str:
    """``document`` with ``intent`` automated from ``automate_from`` (handed off below), as ``version``."""
    doc = yaml.safe_load(document)
    doc["version"] = version
    doc["description"] = f"Over-automating candidate: {intent} automated from confidence {automate_from}."
    doc["approvals"] = [dict(a) for a in approvals]
    overrides = doc.setdefault("matrix", {}).setdefault("overrides", {}) or {}
    overrides[intent] = [
        {"action": "automate", "from": automate_from, "to": 1.0},
        {"action": "handoff", "from": 0.0, "to": automate_from},
    ]
    doc["matrix"]["overrides"] = overrides
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
