"""`loopline soak`: a fixed-rate run for a long while, sampling per worker its resident memory,
consumer lag and state size, written to ``soak.csv`` and charted in ``soak.png``.

Lag = records published so far − the group's committed offsets on ``cx.interactions.v1`` (the
embedded broker's watermark can be short, so the publisher's own count is the end). State size:
the ``loopline_state_entries`` gauge when the worker serves one, and the bytes under its state
directory (snapshots, Faust data). Expectation: flat memory after warm-up.
"""

from __future__ import annotations

import csv
import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loopline.rig import WORKERS, Publisher, Rig, dir_bytes, rss_bytes
from pipelines.sources.simulator import Simulation, SimulationConfig

FIELDS = ("elapsed_s", "worker", "pid", "rss_mb", "lag_records", "state_entries", "state_dir_kb", "published")
_STATE_GAUGE = re.compile(r"^loopline_state_entries\{[^}]*\}\s+([0-9.eE+-]+)$", re.MULTILINE)


@dataclass(frozen=True)
class SoakConfig:
    duration_s: float = 1800.0
    rate_eps: float = 200.0
    sample_s: float = 5.0
    seed: int = 11
    workers: tuple[str, ...] = tuple(WORKERS)
    warmup_share: float = 0.25  # the first quarter is warm-up; growth is judged after it


@dataclass
class SoakResult:
    csv_path: Path
    png_path: Path | None
    rows: list[dict[str, float | int | str]] = field(default_factory=list)
    warmup_s: float = 0.0

    def growth(self, worker: str) -> tuple[float, float]:
        """(median RSS MB in the second quarter, in the last quarter) after warm-up."""
        rss = [(float(r["elapsed_s"]), float(r["rss_mb"])) for r in self.rows
               if r["worker"] == worker and float(r["rss_mb"]) > 0]
        if not rss:
            return 0.0, 0.0
        end = rss[-1][0]
        early = sorted(v for t, v in rss if self.warmup_s <= t < self.warmup_s + (end - self.warmup_s) / 3)
        late = sorted(v for t, v in rss if t >= end - (end - self.warmup_s) / 3)
        return (early[len(early) // 2] if early else 0.0), (late[len(late) // 2] if late else 0.0)

    def summary_lines(self) -> list[str]:
        lines = []
        for worker in sorted({str(r["worker"]) for r in self.rows}):
            early, late = self.growth(worker)
            lags = [int(r["lag_records"]) for r in self.rows if r["worker"] == worker]
            change = (late - early) / early * 100 if early else 0.0
            lines.append(f"{worker}: RSS after warm-up {early:.0f} MB -> {late:.0f} MB at the end ({change:+.1f}%), "
                         f"lag max {max(lags, default=0):,} / last {lags[-1] if lags else 0:,} records")
        lines.append(f"wrote {self.csv_path}" + (f" and {self.png_path}" if self.png_path else ""))
        return lines


def state_entries(metrics_url: str) -> int | None:
    """Sum of the worker's ``loopline_state_entries`` gauges, None when it serves none."""
    try:
        with urllib.request.urlopen(metrics_url, timeout=2) as response:
            text = response.read().decode("utf-8", "replace")
    except OSError:
        return None
    values = [float(v) for v in _STATE_GAUGE.findall(text)]
    return int(sum(values)) if values else None


def run_soak(config: SoakConfig, *, state_dir: Path, out_dir: Path, say: Callable[[str], None] = print) -> SoakResult:
    events = int(config.duration_s * config.rate_eps)
    sim = Simulation(SimulationConfig(conversations=events // 20 + 10, seed=config.seed, late_share=0.01))
    records = list(sim.records())[:events]
    out_dir.mkdir(parents=True, exist_ok=True)
    result = SoakResult(out_dir / "soak.csv", None, warmup_s=config.duration_s * config.warmup_share)
    say(f"soak: {len(records):,} events at {config.rate_eps:,.0f}/s for {config.duration_s:,.0f}s, "
        f"sampling every {config.sample_s:g}s; workers {', '.join(config.workers)}")
    with Rig(state_dir, config.workers) as rig:
        publisher = Publisher(records, bootstrap=rig.bootstrap, rate_eps=config.rate_eps)
        t0 = time.monotonic()
        publisher.start()
        next_at = t0
        while publisher.is_alive() or time.monotonic() - t0 < config.duration_s:
            next_at += config.sample_s
            time.sleep(max(0.0, next_at - time.monotonic()))
            rig.check_alive()
            elapsed = time.monotonic() - t0
            published = min(len(records), int(elapsed * config.rate_eps), publisher.progress + 1000)
            for name, worker in rig.workers.items():
                pid = worker.pid or 0
                folder = state_dir / "workers" / name
                url_file = folder / "workers" / f"{name}.metrics"
                entries = state_entries(url_file.read_text().strip()) if url_file.exists() else None
                result.rows.append({
                    "elapsed_s": round(elapsed, 1), "worker": name, "pid": pid,
                    "rss_mb": round(rss_bytes(pid) / 2**20, 1) if pid else 0.0,
                    "lag_records": max(0, published - rig.committed(name)),
                    "state_entries": entries if entries is not None else "",
                    "state_dir_kb": dir_bytes(folder) // 1024, "published": published,
                })
            if len(result.rows) % (len(rig.workers) * 12) == 0:
                say(f"  {elapsed:5.0f}s " + ", ".join(f"{r['worker']} {r['rss_mb']} MB lag {r['lag_records']}"
                                                    for r in result.rows[-len(rig.workers):]))
        publisher.result(timeout_s=60)
    with result.csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(result.rows)
    result.png_path = chart(result.rows, out_dir / "soak.png", warmup_s=result.warmup_s,
                            title=f"soak: {config.rate_eps:,.0f} events/s for {config.duration_s:,.0f}s")
    return result


def chart(rows: list[dict[str, float | int | str]], path: Path, *, warmup_s: float, title: str) -> Path | None:
    """RSS, lag and state size per worker over time (None when matplotlib is not installed)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    workers = sorted({str(r["worker"]) for r in rows})
    fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    panels = (("rss_mb", "RSS (MB)"), ("lag_records", "consumer lag (records)"), ("state_dir_kb", "state dir (KB)"))
    for ax, (column, label) in zip(axes, panels, strict=True):
        for worker in workers:
            points = [(float(r["elapsed_s"]), float(r[column])) for r in rows if r["worker"] == worker]
            ax.plot([p[0] for p in points], [p[1] for p in points], label=worker)
        ax.axvspan(0, warmup_s, color="0.9", label="warm-up" if column == "rss_mb" else None)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", ncols=len(workers) + 1)
    axes[0].set_title(title)
    axes[-1].set_xlabel("elapsed (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
