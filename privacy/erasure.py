"""The privacy side of a right-to-erasure request: what to look for, the crypto-shred, the proof.

The lake engineer's ``loopline jobs erase`` calls, in order: :func:`plan` (before anything is
deleted, while the vault still knows the subject's tokens), deletes the subject's rows and vacuums,
then :func:`shred` and :func:`verify` over the lake root.

>>> import tempfile, pathlib
>>> from privacy.keys import MaskingKey, MasterKey
>>> from privacy.masking import Masker
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> vault = Vault(root / "vault", key_dir=root / "keys", master_key=MasterKey(b"m" * 32))
>>> masker = Masker.for_destination("lake", key=MaskingKey(b"t" * 32))
>>> p = plan("cust-7", identifiers={"CUSTOMER_ID": "cust-7"}, masker=masker, vault=vault)
>>> p.needles[0], p.tokens[0].startswith("tok:customer_id:")
('cust-7', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from privacy.masking import Masker
from privacy.scan import Residue, find_residue
from privacy.vault import Vault

__all__ = ["ErasurePlan", "Vault", "plan", "shred", "verify"]


@dataclass(frozen=True)
class ErasurePlan:
    subject_id: str
    identifiers: dict[str, str] = field(repr=False)  # kind -> raw value (customer id, e-mail, …)
    tokens: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        """Everything that must be gone: raw identifiers first, then tokens."""
        return [*self.identifiers.values(), *self.tokens]


def plan(
    subject_id: str,
    *,
    identifiers: Mapping[str, str] | None = None,
    masker: Masker,
    vault: Vault | None = None,
) -> ErasurePlan:
    """Tokens to look for: those of the identifiers (as the lake writer computed them) plus every
    token the vault holds for the subject."""
    ids = dict(identifiers or {})
    tokens = [masker.token(kind, value) for kind, value in ids.items()]
    if vault is not None:
        tokens.extend(t for t in vault.tokens_of(subject_id) if t not in tokens)
    return ErasurePlan(subject_id, ids, tokens)


def shred(erasure: ErasurePlan, *, vault: Vault) -> None:
    vault.shred(erasure.subject_id)
    vault.audit.append("erasure_shredded", subject_ref=vault.subject_ref(erasure.subject_id))


def verify(erasure: ErasurePlan, root: Path, *, vault: Vault | None = None) -> list[Residue]:
    """Residue of the subject under ``root`` (empty list: erasure proven); audited when a vault
    is given."""
    residue = find_residue(root, erasure.needles)
    if vault is not None:
        vault.audit.append(
            "erasure_verified",
            subject_ref=vault.subject_ref(erasure.subject_id),
            needles=len(erasure.needles),
            residue=len(residue),
            files_with_residue=sorted({str(r.path) for r in residue}),
        )
    return residue
