"""`loopline run lake` and `loopline jobs compact|retention|quality|erase` (thin: parse, call lake/).

Environment (read here only): LOOPLINE_STATE_DIR, LOOPLINE_LAKE_URI, LOOPLINE_BOOTSTRAP_SERVERS,
LOOPLINE_TOKEN_KEY[_FILE] (or LOOPLINE_DEV_MODE=1), LOOPLINE_VAULT_MASTER_KEY[_FILE].
Object-store settings for ``s3://`` lakes are the usual AWS_* variables (read by delta-rs).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from lake.exceptions import LakeError
from lake.tables import TABLES, get_table
from loopline.exceptions import ConfigError, LooplineError
from loopline.settings import Settings
from pipelines.sinks.batching import DEFAULT_MAX_RECORDS, DEFAULT_MAX_WAIT_S
from privacy.exceptions import PrivacyError
from privacy.keys import MaskingKey, MasterKey
from privacy.masking import CUSTOMER_ID_KIND, Masker
from privacy.vault import Vault
from topics.specs import DEADLETTER

_TABLES_OPT = typer.Option([], "--table", help="Only these tables (repeatable; default: all).")


def _masking_key() -> MaskingKey:
    try:
        return MaskingKey.from_env(os.environ, dev_mode=Settings().dev_mode)
    except PrivacyError as exc:
        raise ConfigError(str(exc)) from exc


def _vault(settings: Settings, *, required: bool) -> Vault | None:
    try:
        master = MasterKey.from_env(os.environ, dev_mode=settings.dev_mode)
    except PrivacyError as exc:
        if required:
            raise ConfigError(str(exc)) from exc
        return None
    return Vault(settings.state_dir / "vault", key_dir=settings.state_dir / "vault-keys", master_key=master)


def _tables(names: list[str]) -> list:  # type: ignore[type-arg]
    try:
        return [get_table(n) for n in names] if names else list(TABLES.values())
    except LakeError as exc:
        raise LooplineError(str(exc)) from exc


def run_lake(
    group: str = typer.Option("loopline-lake", "--group", help="Consumer group id."),
    max_records: int = typer.Option(DEFAULT_MAX_RECORDS, "--max-records", help="Flush after this many records."),
    max_wait_s: float = typer.Option(DEFAULT_MAX_WAIT_S, "--max-wait-s", help="Flush after the oldest record waited this long."),
    topic: list[str] = typer.Option([], "--topic", help="TABLE=TOPIC override (repeatable; tests)."),
    deadletter_topic: str = typer.Option("", "--deadletter-topic", help="Dead-letter topic override."),
) -> None:
    """The lake sink: consume interactions and outputs, mask, append to Delta exactly once."""
    from pipelines.sinks.lake import LakeSink, SinkConfig  # heavy imports only for this command

    settings = Settings()
    topics = {t.name: t.topic for t in TABLES.values()}
    for item in topic:
        name, _, value = item.partition("=")
        if name not in TABLES or not value:
            raise ConfigError(f"--topic expects TABLE=TOPIC with TABLE in {', '.join(TABLES)}, got {item!r}")
        topics[name] = value
    config = SinkConfig(
        bootstrap_servers=settings.bootstrap(), lake_root=settings.lake_root, group_id=group,
        topics=topics, max_records=max_records, max_wait_s=max_wait_s,
        deadletter_topic=deadletter_topic or DEADLETTER.name,
    )
    key = _masking_key()
    sink = LakeSink(config, masker_factory=lambda hook: Masker.for_destination("lake", key=key, on_token=hook),
                    vault=_vault(settings, required=False))
    sink.install_signals()
    try:
        stats = sink.run()
    except LakeError as exc:
        raise LooplineError(str(exc)) from exc
    typer.echo(json.dumps({"consumed": stats.consumed, "rows_written": stats.rows_written,
                           "rows_skipped": stats.rows_skipped, "flushes": stats.flushes}))


def compact(
    table: list[str] = _TABLES_OPT,
    target_file_mb: int = typer.Option(128, "--target-file-mb", help="Target file size."),
    vacuum_retention_hours: int = typer.Option(168, "--vacuum-retention-hours",
                                               help="Keep unreferenced files this long (readers of older snapshots)."),
    date: str = typer.Option("", "--date", help="Only this event_date partition (YYYY-MM-DD)."),
) -> None:
    """Compact small files toward the target size, checkpoint, vacuum."""
    from lake.maintenance import compact as run_compact

    settings = Settings()
    for t in _tables(table):
        report = run_compact(settings.lake_root, t, target_file_bytes=target_file_mb * 1024 * 1024,
                             vacuum_retention_hours=vacuum_retention_hours, partition_date=date or None)
        if report is None:
            typer.echo(f"{t.name}: no table yet")
            continue
        typer.echo(f"{t.name}: files {report.files_before} -> {report.files_after} "
                   f"(+{report.files_added} -{report.files_removed}), vacuumed {report.vacuumed}, "
                   f"version {report.version}, {report.elapsed_s:.1f}s")


def retention(table: list[str] = _TABLES_OPT) -> None:
    """Delete rows past each table's retention (purpose limitation)."""
    from lake.maintenance import apply_retention

    settings = Settings()
    for report in apply_retention(settings.lake_root, now=datetime.now(UTC), tables=_tables(table)):
        typer.echo(f"{report.table}: {report.rows_deleted} rows before {report.horizon.date()} deleted")


def quality(
    table: list[str] = _TABLES_OPT,
    docs_dir: Path = typer.Option(None, "--docs-dir", help="Data Docs output (default: <state>/quality)."),
) -> None:
    """Run the great-expectations suites; print a summary, write Data Docs; exit 1 on a failure."""
    from lake.quality import run_quality

    settings = Settings()
    try:
        report = run_quality(settings.lake_root, tables=_tables(table),
                             docs_dir=docs_dir or settings.state_dir / "quality")
    except LakeError as exc:
        raise LooplineError(str(exc)) from exc
    for line in report.summary_lines():
        typer.echo(line)
    if not report.success:
        raise typer.Exit(1)


def erase(
    customer_id: str = typer.Option(..., "--customer-id", help="The data subject's customer id."),
    email: list[str] = typer.Option([], "--email", help="Other raw identifiers of the subject (repeatable)."),
) -> None:
    """Right to erasure: shred the subject's key, delete their rows, vacuum, verify by byte scan."""
    from lake.erase import erase_subject

    settings = Settings()
    vault = _vault(settings, required=True)
    assert vault is not None
    masker = Masker.for_destination("lake", key=_masking_key())
    identifiers = {"CUSTOMER_ID": customer_id, **{f"EMAIL_{i}": e for i, e in enumerate(email)}}
    try:
        report = erase_subject(customer_id, lake_root=Path(settings.lake_root), masker=masker, vault=vault,
                               identifiers=identifiers, bootstrap_servers=settings.bootstrap_servers)
    except LakeError as exc:
        raise LooplineError(str(exc)) from exc
    for line in report.summary_lines():
        typer.echo(line)
    if report.residue:
        raise typer.Exit(1)
    _audit_erasure(settings, masker.token(CUSTOMER_ID_KIND, customer_id), report.rows_deleted)


def _audit_erasure(settings: Settings, token: str, rows_deleted: dict[str, int]) -> None:
    """Record the verified erasure in the audit Delta table and on cx.audit.v1 (issue: audit trail)."""
    from datetime import UTC, datetime

    from lake.audit import write_audit
    from pipelines.rollout.audit import erasure
    from topics.codec import encode
    from topics.specs import AUDIT

    record = erasure(token, actor="erasure-job", now=datetime.now(UTC), tables=rows_deleted)
    write_audit(settings.lake_root, [record])
    typer.echo(f"audit: {record.kind} {record.subject} recorded in the audit table")
    bootstrap = settings.bootstrap_servers or (info.bootstrap_servers if (info := settings.broker.info()) else None)
    if bootstrap is None:
        typer.echo(f"audit: no Kafka cluster running; {AUDIT.name} not written (the audit table holds it)")
        return
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(AUDIT.name, key=record.subject.encode(), value=encode(record))
    if producer.flush(30):
        raise LooplineError(f"audit record not delivered to {AUDIT.name} within 30 s")


def demo_section(settings: Settings, result: Any, console: Any, *, timeout_s: float = 90.0) -> None:
    """`loopline demo`: wait for the sink to land every valid event (counted in the lake, not by the
    broker's watermark), then show tables, rows, files and one example query."""
    import time

    from rich.table import Table

    from lake.queries import polars_top_intents
    from lake.summary import table_stats

    root = settings.lake_root
    expected = sum(result.events_by_type.values()) or (result.published - result.malformed_injected)
    deadline = time.monotonic() + timeout_s
    stats = table_stats(root)
    while stats["interactions"].rows < expected and time.monotonic() < deadline:
        time.sleep(1.0)
        stats = table_stats(root)
    table = Table("table", "rows", "files", "version", title=f"Delta lake at {root}")
    for s in stats.values():
        table.add_row(s.name, f"{s.rows:,}", str(s.files), str(s.version) if s.version is not None else "-")
    console.print(table)
    landed = stats["interactions"].rows
    console.print(f"interactions in the lake: {landed:,} of {expected:,} valid events"
                  + ("" if landed >= expected else f" [yellow](not all landed within {timeout_s:.0f}s)[/]"))
    result.sections["lake"] = {s.name: {"rows": s.rows, "files": s.files} for s in stats.values()}
    if landed:
        top = polars_top_intents(root)
        query = Table(*top.columns, title="top intents (polars over Delta)")
        for row in top.iter_rows():
            query.add_row(*(str(v) for v in row))
        console.print(query)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["run"].command("lake")(run_lake)
    groups["jobs"].command("compact")(compact)
    groups["jobs"].command("retention")(retention)
    groups["jobs"].command("quality")(quality)
    groups["jobs"].command("erase")(erase)


def main(argv: list[str] | None = None) -> None:
    """Standalone entry (`python -m loopline.commands.lake run|compact|…`), used by crash tests."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("run")(run_lake)
    app.command("compact")(compact)
    app.command("retention")(retention)
    app.command("quality")(quality)
    app.command("erase")(erase)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app(argv)
    except LooplineError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
