"""Small PromQL helpers for checking generated expressions (parsing itself is promtool's job).

>>> sorted(metric_names('sum by (le, tier) (rate(loopline_x_bucket{a=~"$v", b="c"}[5m])) / on (sli) up'))
['loopline_x_bucket', 'up']
>>> grafana_to_promql('rate(x{c=~"$channel"}[$__rate_interval])')
'rate(x{c=~".*"}[5m])'
"""

from __future__ import annotations

import re

_KEYWORDS = frozenset({
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
    "offset", "inf", "nan", "atan2",
})
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENT = re.compile(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")


def metric_names(expr: str) -> set[str]:
    """Names of the series an expression selects (function names and keywords excluded)."""
    text = _GROUPING.sub(" ", _RANGES.sub(" ", _MATCHERS.sub(" ", _STRING.sub('""', expr))))
    names = set()
    for match in _IDENT.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def grafana_to_promql(expr: str) -> str:
    """Replace Grafana's template variables so the expression is plain PromQL."""
    expr = expr.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$__interval", "1m")
    return re.sub(r"\$\{?[a-zA-Z_]\w*\}?", ".*", expr)
