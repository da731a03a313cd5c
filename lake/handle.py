"""One open Delta table of the writer: the DeltaTable, the transaction versions it knows, and the
read-back of the writer's own commits, which runs in the background.

A commit through ``DeltaTable.create_write_transaction`` does not advance the Python handle, and the
next commit must be based on it (it carries the same app ids: based on an older version, Delta's
conflict check would refuse it as a concurrent transaction). Reading the new log entry back takes
about as long as the commit itself, so it runs on a helper thread while the caller builds and
writes the next batch; every use of the table waits for it first (:meth:`TableHandle.settle`).

Transaction versions are remembered per app id: from the table, and from this writer's own commits.
They stay valid while the table's version moves by this writer's commits only; any other commit
read in (another writer, compaction, erasure) drops them so they are read again.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from deltalake import DeltaTable, Schema

from lake.datafiles import FileWriter


class StaleHandle(Exception):
    """The background read-back failed (e.g. the log was cleaned up under it): reopen the table."""


@dataclass
class TableHandle:
    dt: DeltaTable
    schema: Schema  # the stored schema: passed to commits so they carry no metadata action
    stats_on: list[str]
    files: FileWriter
    checkpoint_every: int = 100  # delta.checkpointInterval (Delta's default)
    log_cleanup: bool = True  # delta.enableExpiredLogCleanup
    known: dict[str, int | None] = field(default_factory=dict)
    _pending: Future[None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def settle(self) -> DeltaTable:
        """The table, once any background read-back is done; :class:`StaleHandle` if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending.result()
            except Exception as exc:  # any failure: the caller reopens the table
                raise StaleHandle(str(exc)) from exc
        return self.dt

    def advance(self, *, own_commits: int = 0) -> None:
        """Read the table up to its latest version (after ``own_commits`` commits of this writer
        based on the current one); forget the known versions if anything else came in. After own
        commits, write the checkpoint (and clean up expired log entries) the table asks for when a
        multiple of ``delta.checkpointInterval`` was passed: delta-rs's post-commit hook, moved off
        the commit's path."""
        base = self.dt.version()
        self.dt.update_incremental()
        now = self.dt.version()
        if now != base + own_commits:
            with self._lock:
                self.known.clear()
        if own_commits and now // self.checkpoint_every > base // self.checkpoint_every:
            self.dt.create_checkpoint()
            if self.log_cleanup:
                self.dt.cleanup_metadata()

    def pending(self, work: Future[None]) -> None:
        """Background work on this table (a read-back); the next :meth:`settle` waits for it."""
        self._pending = work

    def versions(self, apps: list[str]) -> dict[str, int | None]:
        """The committed version of each app id (read from the table when not known); call only on a
        settled handle."""
        with self._lock:
            missing = [a for a in apps if a not in self.known]
        found = {a: self.dt.transaction_version(a) for a in missing}
        with self._lock:
            self.known.update(found)
            return {a: self.known.get(a) for a in apps}

    def known_versions(self, apps: list[str]) -> dict[str, int | None] | None:
        """The versions of ``apps`` if all are known (no table access: safe during a read-back)."""
        with self._lock:
            if all(a in self.known for a in apps):
                return {a: self.known[a] for a in apps}
        return None

    def record(self, versions: dict[str, int]) -> None:
        with self._lock:
            self.known.update(versions)
