"""Safe change for escalation policies: lifecycle with governance, shadow, canary with automatic
rollback, and the audit trail. The modules here are pure (no I/O, no clock) except
:mod:`pipelines.rollout.controller`, the runtime of ``loopline run rollout``."""
