"""Worker processes started by the shell (demo, chaos rig)."""

from __future__ import annotations

import signal
import subprocess


def stop_process(process: subprocess.Popen[bytes], *, timeout_s: float = 15.0) -> None:
    """SIGTERM (the worker commits and exits cleanly), then SIGKILL after ``timeout_s``."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
