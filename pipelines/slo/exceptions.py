"""Errors of the SLO pipeline (definitions, rules, dashboards)."""

from __future__ import annotations

from pipelines.exceptions import PipelineError


class SloError(PipelineError):
    """Root of the errors raised by pipelines/slo."""


class SloDefinitionError(SloError):
    """`policies/slos.yaml` is invalid: fix the file, path and value named in the message."""


class MetricsServerError(SloError):
    """The /metrics endpoint could not start: free the named port or set LOOPLINE_METRICS_PORT."""


class SloStateError(SloError):
    """A worker's SLO state snapshot cannot be read: delete the named file to start that shard
    afresh (its open windows are then recounted by the batch job)."""
