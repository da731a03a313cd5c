"""Token -> original value, encrypted with AES-256-GCM under a per-subject data key that is itself
wrapped by a master key (envelope encryption). Destroying the wrapped data key (:meth:`Vault.shred`)
makes every value of that subject unrecoverable (crypto-shredding).

Layout (``key_dir`` should live apart from the vault data and from the lake):
``key_dir/<ref>.key`` the wrapped data key; ``data_dir/entries/<ref>.jsonl`` the encrypted values;
``data_dir/index.jsonl`` token -> subject ref. ``<ref>`` is an HMAC of the subject id, so no file
name carries an identifier.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> v = Vault(root / "vault", key_dir=root / "keys", master_key=MasterKey(b"k" * 32))
>>> v.put("cust-1", "tok:email:aa", "EMAIL", "ann@example.org")
>>> v.detokenise("tok:email:aa", role="compliance", purpose="erasure_verification")
'ann@example.org'
>>> v.shred("cust-1")
>>> v.detokenise("tok:email:aa", role="compliance", purpose="erasure_verification")
Traceback (most recent call last):
...
privacy.exceptions.SubjectErasedError: token tok:email:aa belongs to an erased subject: its data key was destroyed
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.audit import AuditLog
from privacy.exceptions import (
    AccessDeniedError,
    SubjectErasedError,
    TokenNotFoundError,
    VaultError,
)
from privacy.keys import MasterKey

#: (role, purpose) pairs allowed to detokenise by default.
DEFAULT_GRANTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("agent", "escalation"),
        ("compliance", "erasure_verification"),
        ("compliance", "subject_access_request"),
        ("fraud", "investigation"),
    }
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Vault:
    def __init__(
        self,
        data_dir: Path,
        *,
        key_dir: Path,
        master_key: MasterKey,
        audit: AuditLog | None = None,
        grants: Iterable[tuple[str, str]] = DEFAULT_GRANTS,
    ) -> None:
        self.data_dir = data_dir
        self.key_dir = key_dir
        self._master = AESGCM(master_key.secret[:32])
        self._ref_key = hashlib.sha256(b"subject-ref\x00" + master_key.secret).digest()
        self.audit = audit or AuditLog(data_dir / "audit.jsonl")
        self.grants = frozenset(grants)
        (data_dir / "entries").mkdir(parents=True, exist_ok=True)
        key_dir.mkdir(parents=True, exist_ok=True)
        self._index: dict[str, str] = {}
        index = data_dir / "index.jsonl"
        if index.exists():
            for line in index.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self._index[row["token"]] = row["ref"]

    # -- subjects and keys ---------------------------------------------------------------
    def subject_ref(self, subject_id: str) -> str:
        """Stable pseudonymous file name of a subject."""
        return hmac.new(self._ref_key, subject_id.encode(), hashlib.sha256).hexdigest()[:32]

    def _key_path(self, ref: str) -> Path:
        return self.key_dir / f"{ref}.key"

    def _shredded_path(self, ref: str) -> Path:
        return self.key_dir / f"{ref}.shredded"

    def _data_key(self, ref: str, *, create: bool) -> AESGCM:
        path = self._key_path(ref)
        if path.exists():
            blob = path.read_bytes()
            try:
                dek = self._master.decrypt(blob[:12], blob[12:], ref.encode())
            except InvalidTag:
                raise VaultError(f"data key {path} does not decrypt under the master key") from None
            return AESGCM(dek)
        if self._shredded_path(ref).exists():
            raise SubjectErasedError(f"subject {ref} was erased: its data key was destroyed")
        if not create:
            raise VaultError(f"no data key for subject {ref} in {self.key_dir}")
        dek = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(nonce + self._master.encrypt(nonce, dek, ref.encode()))
        os.chmod(tmp, 0o600)
        tmp.replace(path)
        return AESGCM(dek)

    # -- values ------------------------------------------------------------------------
    def put(self, subject_id: str, token: str, kind: str, value: str) -> None:
        """Store ``value`` under ``token`` for ``subject_id`` (idempotent per token)."""
        ref = self.subject_ref(subject_id)
        if self._index.get(token) == ref:
            return
        aes = self._data_key(ref, create=True)
        nonce = os.urandom(12)
        row = {
            "token": token,
            "kind": kind,
            "nonce": _b64(nonce),
            "ct": _b64(aes.encrypt(nonce, value.encode(), token.encode())),
        }
        with (self.data_dir / "entries" / f"{ref}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        with (self.data_dir / "index.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"token": token, "ref": ref}) + "\n")
        self._index[token] = ref

    def tokens_of(self, subject_id: str) -> list[str]:
        ref = self.subject_ref(subject_id)
        return sorted(t for t, r in self._index.items() if r == ref)

    def detokenise(self, token: str, *, role: str, purpose: str) -> str:
        """The original value; needs an allowed (role, purpose); every attempt is audited."""
        if (role, purpose) not in self.grants:
            self.audit.append(
                "detokenise", token=token, role=role, purpose=purpose, outcome="denied"
            )
            raise AccessDeniedError(f"role {role!r} with purpose {purpose!r} may not detokenise")
        ref = self._index.get(token)
        if ref is None:
            self.audit.append(
                "detokenise", token=token, role=role, purpose=purpose, outcome="not_found"
            )
            raise TokenNotFoundError(f"token {token} is not in the vault at {self.data_dir}")
        try:
            aes = self._data_key(ref, create=False)
        except SubjectErasedError:
            self.audit.append(
                "detokenise", token=token, role=role, purpose=purpose, outcome="erased"
            )
            raise SubjectErasedError(
                f"token {token} belongs to an erased subject: its data key was destroyed"
            ) from None
        path = self.data_dir / "entries" / f"{ref}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["token"] == token:
                value = aes.decrypt(
                    base64.b64decode(row["nonce"]), base64.b64decode(row["ct"]), token.encode()
                ).decode()
                self.audit.append(
                    "detokenise", token=token, role=role, purpose=purpose, outcome="granted"
                )
                return value
        raise TokenNotFoundError(f"token {token} is indexed but missing from {path}")

    def shred(self, subject_id: str) -> None:
        """Destroy the subject's data key and ciphertexts; later detokenisation fails clearly."""
        ref = self.subject_ref(subject_id)
        path = self._key_path(ref)
        if path.exists():
            size = path.stat().st_size
            with path.open("r+b") as fh:  # overwrite before unlinking
                fh.write(os.urandom(size))
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()
        self._shredded_path(ref).write_text("shredded\n", encoding="utf-8")
        entries = self.data_dir / "entries" / f"{ref}.jsonl"
        if entries.exists():
            entries.unlink()
        self.audit.append("shred", subject_ref=ref, tokens=len(self.tokens_of(subject_id)))
