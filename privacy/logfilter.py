"""A logging filter that masks PII in every record (message and args), installed on the root
logger and its handlers by :func:`install` (the CLI calls it at startup).

>>> import logging
>>> record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s paid", ("ann@example.org",), None)
>>> PiiLogFilter().filter(record)
True
>>> record.getMessage()
'user <EMAIL> paid'
"""

from __future__ import annotations

import logging
import os

from privacy.keys import MaskingKey
from privacy.masking import Masker


class PiiLogFilter(logging.Filter):
    """Replaces the record's message with its redacted form (never drops a record)."""

    def __init__(self, masker: Masker | None = None) -> None:
        super().__init__()
        # log redaction needs no stable key: an ephemeral one keeps the Masker honest
        self.masker = masker or Masker.for_destination(
            "logs", key=MaskingKey(os.urandom(32), source="ephemeral")
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg} {record.args}"
        record.msg = self.masker.mask(message).text
        record.args = None
        if record.exc_text:
            record.exc_text = self.masker.mask(record.exc_text).text
        record._pii_masked = True
        return True


def install(logger: logging.Logger | None = None) -> PiiLogFilter:
    """Attach one filter to ``logger`` (default: root) and to each of its handlers; idempotent."""
    target = logger or logging.getLogger()
    existing = next((f for f in target.filters if isinstance(f, PiiLogFilter)), None)
    pii = existing or PiiLogFilter()
    if existing is None:
        target.addFilter(pii)
    for handler in target.handlers:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(pii)
    return pii
