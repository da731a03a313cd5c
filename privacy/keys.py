"""Secret keys: the token (HMAC) key and the vault master key. The library takes values; the CLI
edge reads the environment through :func:`masking_key_from_env`.

>>> key = MaskingKey.from_value("0" * 64)
>>> len(key.secret)
32
>>> MaskingKey.from_env({}, dev_mode=False)
Traceback (most recent call last):
...
privacy.exceptions.MissingKeyError: LOOPLINE_TOKEN_KEY is not set (nor LOOPLINE_TOKEN_KEY_FILE): set a 32-byte hex or base64 key, or LOOPLINE_DEV_MODE=1 for a development key
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from privacy.exceptions import InvalidKeyError, MissingKeyError

TOKEN_KEY_ENV = "LOOPLINE_TOKEN_KEY"
TOKEN_KEY_FILE_ENV = "LOOPLINE_TOKEN_KEY_FILE"
MASTER_KEY_ENV = "LOOPLINE_VAULT_MASTER_KEY"
MASTER_KEY_FILE_ENV = "LOOPLINE_VAULT_MASTER_KEY_FILE"
DEV_MODE_ENV = "LOOPLINE_DEV_MODE"
_MIN_BYTES = 32


def decode_key(value: str, *, name: str) -> bytes:
    """A key given as hex (64 chars) or base64 (of >= 32 bytes)."""
    text = value.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidKeyError(
                f"{name} is neither hex nor base64 (length {len(text)})"
            ) from None
    if len(raw) < _MIN_BYTES:
        raise InvalidKeyError(f"{name} has {len(raw)} bytes; at least {_MIN_BYTES} are required")
    return raw


@dataclass(frozen=True, slots=True)
class SecretKey:
    """A named secret; ``repr`` never shows the bytes."""

    secret: bytes = field(repr=False)
    source: str = "value"

    @classmethod
    def from_value(cls, value: str, *, name: str = "key") -> SecretKey:
        return cls(decode_key(value, name=name), source="value")

    @classmethod
    def _from_env(
        cls, env: Mapping[str, str], *, var: str, file_var: str, dev_mode: bool, purpose: str
    ) -> SecretKey:
        if env.get(var):
            return cls(decode_key(env[var], name=var), source=var)
        if env.get(file_var):
            path = Path(env[file_var])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise MissingKeyError(f"{file_var}={path} cannot be read: {exc.strerror}") from None
            return cls(decode_key(text, name=f"{file_var} ({path})"), source=file_var)
        if dev_mode:
            # deterministic, obviously non-secret: dev and test runs only
            return cls(hashlib.sha256(f"loopline-dev-{purpose}".encode()).digest(), source="dev")
        raise MissingKeyError(
            f"{var} is not set (nor {file_var}): set a 32-byte hex or base64 key, "
            f"or {DEV_MODE_ENV}=1 for a development key"
        )


class MaskingKey(SecretKey):
    """The HMAC-SHA-256 key behind deterministic tokens."""

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, dev_mode: bool | None = None) -> MaskingKey:
        dev = env.get(DEV_MODE_ENV) == "1" if dev_mode is None else dev_mode
        key = cls._from_env(
            env, var=TOKEN_KEY_ENV, file_var=TOKEN_KEY_FILE_ENV, dev_mode=dev, purpose="token"
        )
        return cls(key.secret, key.source)


class MasterKey(SecretKey):
    """The vault's key-encryption key (wraps each subject's data key)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, dev_mode: bool | None = None) -> MasterKey:
        dev = env.get(DEV_MODE_ENV) == "1" if dev_mode is None else dev_mode
        key = cls._from_env(
            env, var=MASTER_KEY_ENV, file_var=MASTER_KEY_FILE_ENV, dev_mode=dev, purpose="vault"
        )
        return cls(key.secret[:32], key.source)
