"""Errors of the privacy package. Every one derives from :class:`PrivacyError`."""

from __future__ import annotations


class PrivacyError(Exception):
    """Root of every error raised by ``privacy``."""


class MissingKeyError(PrivacyError):
    """A secret key is not configured: set the named environment variable or key file."""


class InvalidKeyError(PrivacyError):
    """A secret key is present but unusable (too short, not hex/base64, wrong length)."""


class UnknownOperatorError(PrivacyError):
    """A masking operator or destination name is not one of the known choices."""


class AccessDeniedError(PrivacyError):
    """A detokenisation request lacked an allowed role or purpose."""


class SubjectErasedError(PrivacyError):
    """The subject's data key was destroyed (crypto-shredded): the value is gone for good."""


class TokenNotFoundError(PrivacyError):
    """The vault holds no entry for the requested token."""


class VaultError(PrivacyError):
    """The vault's files are unreadable or were tampered with."""
