"""loopline's privacy library: PII detection (incl. spoken numbers), masking with keyed tokens, an
envelope-encrypted vault with crypto-shredding, a residue scanner and a logging filter.

Imports nothing of loopline's other packages.
"""

from __future__ import annotations

from privacy.audit import AuditLog
from privacy.batch import detect_many
from privacy.detect import detect
from privacy.keys import MaskingKey, MasterKey
from privacy.masking import Masker, MaskResult, make_token
from privacy.scan import Residue, find_residue
from privacy.spans import Span
from privacy.vault import Vault

__all__ = [
    "AuditLog",
    "MaskResult",
    "Masker",
    "MaskingKey",
    "MasterKey",
    "Residue",
    "Span",
    "Vault",
    "detect",
    "detect_many",
    "find_residue",
    "make_token",
]
