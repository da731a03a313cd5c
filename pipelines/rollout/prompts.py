"""Prompt-template versions (``policies/prompts/*.yaml``) and the version a policy runs with.

>>> catalogue = load_prompts()
>>> catalogue.default, sorted(catalogue.versions)
('cx-prompt-v7', ['cx-prompt-v7', 'cx-prompt-v8'])
>>> prompt_version_of({"prompt": {"template": "cx-answer", "version": "cx-prompt-v8"}}, catalogue)
'cx-prompt-v8'
>>> prompt_version_of({}, catalogue)   # the policy names none: the template's default
'cx-prompt-v7'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.assets import read_yaml
from pipelines.catalogue import POLICIES_DIR
from pipelines.rollout.exceptions import PromptError

DEFAULT_PROMPTS_DIR = POLICIES_DIR / "prompts"


@dataclass(frozen=True, slots=True)
class PromptVersion:
    template: str
    version: str
    status: str
    text: str
    approvals: tuple[tuple[str, str], ...] = ()  # (by, role)


@dataclass(frozen=True)
class PromptCatalogue:
    default: str = ""
    versions: dict[str, PromptVersion] = field(default_factory=dict)


def load_prompts(directory: Path | str = DEFAULT_PROMPTS_DIR) -> PromptCatalogue:
    """Every template version under ``directory``; the first file's ``default`` is the default."""
    directory = Path(directory)
    default, versions = "", {}
    for path in sorted(directory.glob("*.yaml")):
        raw = read_yaml(path, what="the prompt template", error=PromptError)
        if not isinstance(raw, dict) or not isinstance(raw.get("template"), str):
            raise PromptError(f"{path}: template: expected a template name (value: {raw!r:.80})")
        for i, item in enumerate(raw.get("versions") or []):
            if not isinstance(item, dict) or not isinstance(item.get("version"), str) or not isinstance(item.get("text"), str):
                raise PromptError(f"{path}: versions[{i}]: expected {{version, status, text}} (value: {item!r:.80})")
            if item["version"] in versions:
                raise PromptError(f"{path}: versions[{i}].version: duplicate prompt version (value: {item['version']!r})")
            approvals = tuple((str(a.get("by")), str(a.get("role"))) for a in item.get("approvals") or [] if isinstance(a, dict))
            versions[item["version"]] = PromptVersion(raw["template"], item["version"], str(item.get("status", "draft")),
                                                      item["text"], approvals)
        default = default or str(raw.get("default", ""))
    if default and default not in versions:
        raise PromptError(f"{directory}: default: unknown prompt version (value: {default!r})")
    return PromptCatalogue(default=default, versions=versions)


def prompt_version_of(document: dict[str, Any], catalogue: PromptCatalogue) -> str:
    """The prompt version a policy document pins, else the catalogue's default."""
    prompt = document.get("prompt")
    if isinstance(prompt, dict) and isinstance(prompt.get("version"), str):
        return str(prompt["version"])
    return catalogue.default
