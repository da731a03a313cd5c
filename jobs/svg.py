"""Tiny inline-SVG charts for the self-contained HTML report (no plotting library needed).

>>> svg = bar_chart([("chat", 0.9), ("voice", 0.7)], title="FCR", objective=0.8)
>>> svg.startswith("<svg") and "chat" in svg and "objective" in svg
True
"""

from __future__ import annotations

from html import escape

GOOD, BAD, INK, GRID, LINE = "#2e7d32", "#c62828", "#263238", "#cfd8dc", "#1565c0"


def bar_chart(items: list[tuple[str, float]], *, title: str, objective: float | None = None,
              percent: bool = True, width: int = 560, notes: list[str] | None = None) -> str:
    """Horizontal bars, one per label; green when at or above the objective, red below."""
    row_h, left, right, top = 22, 190, 70, 34
    height = top + row_h * max(1, len(items)) + 26
    scale_max = 1.0 if percent else max([v for _, v in items] + [1e-9])
    plot_w = width - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="12">',
           f'<text x="0" y="16" font-size="14" font-weight="600" fill="{INK}">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(0.0, plot_w * value / scale_max)
        colour = LINE if objective is None else (GOOD if value >= objective else BAD)
        text = f"{value:.1%}" if percent else f"{value:,.0f}"
        note = f" {notes[i]}" if notes else ""
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}" rx="2"/>'
                   f'<text x="{left + w + 4:.1f}" y="{y + 14}" fill="{INK}">{escape(text + note)}</text>')
    if objective is not None:
        x = left + plot_w * objective / scale_max
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" stroke="{INK}" '
                   f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
                   f'fill="{INK}">objective {objective:.0%}</text>')
    out.append("</svg>")
    return "".join(out)


def line_chart(points: list[tuple[str, float | None]], *, title: str, objective: float | None = None,
               width: int = 560, height: int = 220) -> str:
    """A rate (0-1) over time buckets, with the objective as a dashed line."""
    left, right, top, bottom = 44, 16, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in points if v is not None]
    lo = min(values + ([objective] if objective is not None else []) + [1.0]) if values else 0.0
    lo = max(0.0, min(lo, 1.0) - 0.05)
    lo = round(lo - lo % 0.05, 2)

    def ypos(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (1.0 - lo or 1.0))

    n = max(1, len(points) - 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="11">',
           f'<text x="0" y="16" font-size="14" font-weight="600" fill="{INK}">{escape(title)}</text>']
    for tick in (lo, (lo + 1) / 2, 1.0):
        y = ypos(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{tick:.0%}</text>')
    if objective is not None:
        y = ypos(objective)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{BAD}" '
                   f'stroke-dasharray="5 3"/><text x="{width - right}" y="{y - 4:.1f}" text-anchor="end" '
                   f'fill="{BAD}">objective {objective:.0%}</text>')
    coords = []
    for i, (_, v) in enumerate(points):
        if v is None:
            continue
        x = left + plot_w * (i / n if len(points) > 1 else 0.5)
        coords.append((x, ypos(v), v))
    if coords:
        path = " ".join(f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}" for j, (x, y, _) in enumerate(coords))
        out.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for x, y, v in coords:
            colour = LINE if objective is None else (GOOD if v >= objective else BAD)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{v:.1%}</title></circle>')
    step = max(1, len(points) // 8)
    for i, (label, _) in enumerate(points):
        if i % step:
            continue
        x = left + plot_w * (i / n if len(points) > 1 else 0.5)
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">'
                   f'{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)
