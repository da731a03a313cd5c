"""policies/slos.yaml loads, and every kind of mistake is named with file, path and value."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from pipelines.slo.definitions import DEFAULT_DEFINITIONS, load_definitions, parse_definitions
from pipelines.slo.exceptions import SloDefinitionError

RAW = yaml.safe_load(DEFAULT_DEFINITIONS.read_text(encoding="utf-8"))


def _with(path: list[object], value: object) -> dict:
    raw = copy.deepcopy(RAW)
    node = raw
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return raw


def test_shipped_definitions_cover_every_sli_of_the_issue(definitions):
    kinds = {s.name: s.kind for s in definitions.slis}
    assert kinds == {
        "containment_quality": "containment", "deflection_satisfaction": "deflection",
        "fcr_bot": "first_contact_resolution", "fcr_agent": "first_contact_resolution",
        "fcr_agent_assist": "first_contact_resolution",
        "time_to_safe_escalation": "time_to_escalation", "decision_latency": "decision_latency",
    }
    tte = definitions.sli("time_to_safe_escalation")
    assert tte.targets_ms_by_tier == (600_000, 420_000, 300_000, 300_000)
    assert tte.weighting is not None and tte.weighting.by == "vulnerability"
    assert definitions.stream.outcome_wait_ms < definitions.stream.grace_ms


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (["slis", 0, "objective"], 1.2, "slis[0].objective (containment_quality): expected a ratio 0 < x < 1, got 1.2"),
        (["slis", 0, "kind"], "magic", "slis[0].kind (containment_quality): expected one of"),
        (["slis", 0, "min_csat"], 7, "slis[0].min_csat (containment_quality): expected an integer 1-5, got 7"),
        (["slis", 1, "from_channels"], ["fax"], "slis[1].from_channels (deflection_satisfaction): expected a list of"),
        (["slis", 0, "population"], "some", "slis[0].population (containment_quality): expected automated|all, got 'some'"),
        (["slis", 2, "handled_by"], "robot", "slis[2].handled_by (fcr_bot): expected bot|agent|agent_with_assist, got 'robot'"),
        (["slis", 5, "targets_ms_by_tier"], {0: 1, 1: 2}, "slis[5].targets_ms_by_tier (time_to_safe_escalation): expected a positive integer for each tier 0-3"),
        (["slis", 6, "threshold_ms"], -5, "slis[6].threshold_ms (decision_latency): expected a positive integer, got -5"),
        (["slis", 0, "weighting"], {"by": "shoe_size"}, "slis[0].weighting (containment_quality): expected {by: customer_value|vulnerability"),
        (["stream", "outcome_wait_ms"], 900_000, "stream.outcome_wait_ms: must be < grace_ms (600000)"),
        (["stream", "windows", 1, "hop_ms"], 700_000, "stream.windows[1].hop_ms: must divide size_ms (3600000), got 700000"),
        (["version"], "one", "version: expected a positive integer, got 'one'"),
    ],
)
def test_each_mistake_is_reported_with_file_path_and_value(path, value, expected):
    with pytest.raises(SloDefinitionError) as err:
        parse_definitions(_with(path, value), source="slos.yaml")
    assert f"slos.yaml: {expected}" in str(err.value)


def test_an_alert_that_can_never_fire_is_refused_with_the_objective_it_needs():
    # 14.4 x 0.2 = 2.88 > 1: a page on an 80 % objective could never fire.
    with pytest.raises(SloDefinitionError, match=r"raise the objective to >= 0.930556 or drop 'page'"):
        parse_definitions(_with(["slis", 2, "alerts"], ["page"]), source="slos.yaml")


def test_all_problems_are_reported_at_once():
    raw = _with(["slis", 0, "objective"], 2)
    raw["slis"][3]["handled_by"] = None
    with pytest.raises(SloDefinitionError) as err:
        parse_definitions(raw, source="slos.yaml")
    assert len(str(err.value).splitlines()) == 2


def test_duplicate_sli_names_are_refused():
    raw = copy.deepcopy(RAW)
    raw["slis"].append(copy.deepcopy(raw["slis"][0]))
    with pytest.raises(SloDefinitionError, match="duplicate SLI 'containment_quality'"):
        parse_definitions(raw, source="slos.yaml")


def test_unreadable_file_names_the_file(tmp_path: Path):
    bad = tmp_path / "slos.yaml"
    bad.write_text("slis: [unclosed", encoding="utf-8")
    with pytest.raises(SloDefinitionError, match=str(bad)):
        load_definitions(bad)
