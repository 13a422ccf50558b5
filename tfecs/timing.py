"""Where a scan spends its time, for benchmarks (bench/run.py): with TFECS_PROFILE=1 set,
each stage's wall time is printed to stderr as one `tfecs-profile {json}` line at exit.

Off by default: `stage()` then returns one shared no-op context manager, so the marks
cost nothing; there are a handful per scan, none per resource.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager, nullcontext

ENABLED = bool(os.environ.get("TFECS_PROFILE"))
_NOOP = nullcontext()
_stages: dict[str, float] = {}
_peaks: dict[str, int] = {}  # peak resident memory (bytes) when each stage ended


def stage(name: str):
    """Time the block under `name` (added up when a stage runs once per input)."""
    return _timed(name) if ENABLED else _NOOP


@contextmanager
def _timed(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        _stages[name] = _stages.get(name, 0.0) + time.perf_counter() - start
        import resource

        _peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def emit() -> None:
    if not ENABLED:
        return
    import json
    import resource
    import sys

    usage = resource.getrusage(resource.RUSAGE_SELF)
    payload = {
        "stages": {k: round(v, 4) for k, v in _stages.items()},
        "peak_after": _peaks,
        "cpu": round(usage.ru_utime + usage.ru_stime, 4),
    }
    sys.stderr.write(f"tfecs-profile {json.dumps(payload)}\n")
