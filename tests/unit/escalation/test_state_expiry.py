"""When a conversation's state may leave the table, and the worker's per-partition due lists."""

from __future__ import annotations

from pipelines.escalation.state import ConversationState
from pipelines.escalation.worker import PartitionClock

GRACE, IDLE = 1_000, 10_000


def test_an_ended_conversation_expires_after_its_grace() -> None:
    state = ConversationState(ended_ms=5_000, last_ms=5_000)
    assert not state.expired(6_000, grace_ms=GRACE, idle_ms=IDLE)
    assert state.expired(6_001, grace_ms=GRACE, idle_ms=IDLE)
    assert state.expires_at(grace_ms=GRACE, idle_ms=IDLE) == 6_001


def test_a_conversation_that_never_ends_expires_once_idle() -> None:
    state = ConversationState(last_ms=5_000)
    assert not state.expired(15_000, grace_ms=GRACE, idle_ms=IDLE)
    assert state.expired(15_001, grace_ms=GRACE, idle_ms=IDLE)
    assert not state.expired(10**12, grace_ms=GRACE), "without an idle limit only the end counts"
    assert state.expires_at(grace_ms=GRACE, idle_ms=IDLE) == 15_001


def test_expires_at_is_the_first_time_expired_holds() -> None:
    for state in (ConversationState(last_ms=7), ConversationState(ended_ms=3, last_ms=9),
                  ConversationState(ended_ms=50_000, last_ms=1)):  # an end after the last event: idle first
        at = state.expires_at(grace_ms=GRACE, idle_ms=IDLE)
        assert state.expired(at, grace_ms=GRACE, idle_ms=IDLE)
        assert not state.expired(at - 1, grace_ms=GRACE, idle_ms=IDLE)


def test_a_conversation_is_on_the_due_list_once_at_its_earliest_time() -> None:
    clock = PartitionClock()
    clock.schedule(500, "a")
    clock.schedule(900, "a")  # later: not pushed, the 500 entry will look at it again
    clock.schedule(300, "a")  # earlier: supersedes the 500 entry
    clock.schedule(400, "b")
    assert len(clock.due) == 3
    clock.watermark_ms = 450
    assert clock.pop_due() == ["a", "b"]
    clock.watermark_ms = 10_000
    assert clock.pop_due() == [], "the superseded 500 entry is dropped, not handed out again"
    assert clock.due == [] and clock.next_due == {}


def test_a_popped_conversation_can_be_scheduled_again_and_clear_empties_the_list() -> None:
    clock = PartitionClock(watermark_ms=100)
    clock.schedule(50, "a")
    assert clock.pop_due() == ["a"]
    clock.schedule(700, "a")
    assert clock.next_due == {"a": 700}
    clock.clear()
    assert clock.due == [] and clock.next_due == {}
