"""Masking operators, keys, the vault (envelope encryption, audit, shredding), the log filter."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from loopline.commands.privacy import mask_stream
from privacy.exceptions import (
    AccessDeniedError,
    InvalidKeyError,
    MissingKeyError,
    SubjectErasedError,
    UnknownOperatorError,
)
from privacy.keys import MaskingKey
from privacy.logfilter import PiiLogFilter, install
from privacy.masking import Masker
from privacy.vault import Vault


def test_tokens_are_deterministic_and_keyed(key: MaskingKey) -> None:
    m = Masker.for_destination("lake", key=key)
    a = m.mask("mail Ann@Example.org").text
    b = m.mask("mail ann@example.org").text
    other = (
        Masker.for_destination("lake", key=MaskingKey(b"\x09" * 32))
        .mask("mail ann@example.org")
        .text
    )
    assert a == b and a.startswith("mail tok:email:") and other != a


def test_destinations(key: MaskingKey) -> None:
    text = "card 4111 1111 1111 1111"
    assert Masker.for_destination("logs", key=key).mask(text).text == "card <CREDIT_CARD>"
    assert (
        Masker.for_destination("escalation", key=key).mask(text).text
        == "card <CREDIT_CARD ****1111>"
    )
    with pytest.raises(UnknownOperatorError, match="warehouse"):
        Masker.for_destination("warehouse", key=key)


def test_key_from_env_and_file(tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError, match="LOOPLINE_TOKEN_KEY"):
        MaskingKey.from_env({})
    assert MaskingKey.from_env({"LOOPLINE_DEV_MODE": "1"}).source == "dev"
    path = tmp_path / "k"
    path.write_text("ab" * 32)
    assert MaskingKey.from_env({"LOOPLINE_TOKEN_KEY_FILE": str(path)}).secret == b"\xab" * 32
    with pytest.raises(InvalidKeyError, match="LOOPLINE_TOKEN_KEY"):
        MaskingKey.from_env({"LOOPLINE_TOKEN_KEY": "abcd"})


def test_vault_roundtrip_access_audit_and_shred(
    tmp_path: Path, key: MaskingKey, master_key
) -> None:
    vault = Vault(tmp_path / "vault", key_dir=tmp_path / "keys", master_key=master_key)
    m = Masker.for_destination("lake", key=key, on_token=lambda t, k, v: vault.put("c1", t, k, v))
    tok = m.token("EMAIL", "ann@example.org")
    # ciphertext only: the value is nowhere in the vault's files
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"ann@example.org" not in path.read_bytes()
    with pytest.raises(AccessDeniedError):
        vault.detokenise(tok, role="analyst", purpose="curiosity")
    assert vault.detokenise(tok, role="agent", purpose="escalation") == "ann@example.org"
    vault.shred("c1")
    with pytest.raises(SubjectErasedError, match="erased"):
        vault.detokenise(tok, role="agent", purpose="escalation")
    outcomes = [e.get("outcome", e["event"]) for e in vault.audit.entries()]
    assert outcomes == ["denied", "granted", "shred", "erased"]
    assert b"ann@example.org" not in vault.audit.path.read_bytes()


def test_log_filter_masks_message_and_args() -> None:
    logger = logging.getLogger("test.privacy.logfilter")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    install(logger)
    install(logger)  # idempotent
    assert sum(isinstance(f, PiiLogFilter) for f in handler.filters) == 1
    logger.warning("customer %s called from %s", "ann@example.org", "212-555-0143")
    assert stream.getvalue().strip() == "customer <EMAIL> called from <PHONE>"


def test_mask_command_jsonl(key: MaskingKey) -> None:
    stdin = io.StringIO('{"text": "mail ann@example.org"}\n{"text": "nothing here"}\n')
    stdout = io.StringIO()
    assert mask_stream(stdin, stdout, masker=Masker(key, "redact")) == 2
    rows = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert rows == [
        {"text": "mail <EMAIL>", "spans": [{"start": 5, "end": 20, "kind": "EMAIL"}]},
        {"text": "nothing here", "spans": []},
    ]


def test_tokens_are_the_one_shot_hmac_of_kind_and_normalised_value_for_every_key() -> None:
    import hmac

    from privacy.masking import TOKEN_HEX_CHARS, make_token, normalise_value

    # a key change and back; keys of one block, and longer than a block (hashed first)
    for secret in (b"\x01" * 32, b"\x02" * 32, b"\x01" * 32, b"k" * 64, b"long" * 40):
        key = MaskingKey(secret, source="test")
        for kind, value in (("EMAIL", "Ann@Example.org"), ("PHONE", "212-555-0143")):
            message = f"{kind}\x1f{normalise_value(kind, value)}".encode()
            expected = hmac.digest(secret, message, "sha256").hex()[:TOKEN_HEX_CHARS]
            assert make_token(key, kind, value) == f"tok:{kind.lower()}:{expected}"
