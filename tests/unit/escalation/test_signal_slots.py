"""Slot answers never link as restatements (the rephrase false positives of 'normal' conversations)."""

from __future__ import annotations

import pytest

from pipelines.escalation.signals.rephrase import RephraseScorer
from pipelines.escalation.signals.slots import is_slot_answer


@pytest.mark.parametrize("text", [
    "my name is Hiroshi Silva", "it's hiroshi.silva50@example.com", "my number is +1 212 580 2680",
    "my IBAN is DE48652697960148170849", "I live at 187 High Street, Leeds", "yes the first one",
    "the card number is four three oh seven, three six 3 three, two zero five eight",
])
def test_data_and_acknowledgements_are_slot_answers(text: str) -> None:
    assert is_slot_answer(text)


@pytest.mark.parametrize("text", [
    "I want to switch on the card that just arrived", "please update my email address",
    "my card number is not accepted by the app", "my name is wrong on my card", "yes please transfer me",
])
def test_requests_are_not_slot_answers(text: str) -> None:
    assert not is_slot_answer(text)


def test_slot_answers_score_zero_with_any_turn() -> None:
    # the name and the e-mail share "hiroshi silva": a sentence encoder links them, the scorer must not
    scorer = RephraseScorer(encoder=None)
    assert scorer.score_pairs([
        ("my name is Hiroshi Silva", "it's hiroshi.silva50@example.com"),
        ("I want to switch on the card that just arrived", "the card number is 4623 9512 6922 3460"),
        ("I want to reset my password", "reset my password please"),
    ]) == [0.0, 0.0, 1.0]
