"""Coverage-guided fuzz target (atheris) for tfecs's two front ends: the plan reader
and the HCL directory loader, each followed by the whole scan and both renderings.

    python tests/fuzz/fuzz_inputs.py plan CORPUS_DIR -max_total_time=600
    python tests/fuzz/fuzz_inputs.py hcl CORPUS_DIR -max_total_time=600

A crash is any exception other than tfecs's own input errors (which become one
`tfecs: error:` line and exit 2), or a rendering that holds a raw control character.
`seed_corpus(kind, dir)` fills a corpus folder from testdata/."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_SEED = 64 * 1024


def seed_corpus(kind: str, folder: Path) -> int:
    """Copy testdata/ files of that kind (plans: *.json, hcl: *.tf, *.tfvars) under 64 kB."""
    folder.mkdir(parents=True, exist_ok=True)
    patterns = ("*.json",) if kind == "plan" else ("*.tf", "*.tfvars")
    n = 0
    for pattern in patterns:
        for path in sorted((ROOT / "testdata").rglob(pattern)):
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SEED:
                (folder / f"{n:04d}-{path.name}").write_bytes(path.read_bytes())
                n += 1
    return n


def make_checker(kind: str, work: Path | None = None):
    """A function of bytes that raises on a bug and returns quietly otherwise; it
    writes each input into `work` (a new temporary folder by default)."""
    from tfecs.cli import load_rules
    from tfecs.reporters import render
    from tfecs.scan import scan
    from tfecs.textsafe import _UNSAFE

    rules = load_rules()
    work = work or Path(tempfile.mkdtemp(prefix="tfecs-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    target = work / ("plan.json" if kind == "plan" else "main.tf")
    if kind == "hcl":
        (work / "x").mkdir(exist_ok=True)
        target = work / "x" / "main.tf"

    parsed_cache = getattr(importlib.import_module("tfecs.inputs.hcl.config"), "_PARSED", None)

    def check(data: bytes) -> None:
        if parsed_cache is not None:
            # The HCL reader keeps up to 4096 parsed files (an LRU bounded by count, not
            # bytes): across a fuzz run's inputs that is hundreds of MB, and no input
            # should depend on the ones before it.
            parsed_cache.clear()
        target.write_bytes(data)
        report = scan([str(target if kind == "plan" else target.parent)], rules)
        for err in report.errors:
            line = err.line()
            assert isinstance(line, str)
        json_text = render(report, "json")
        assert json_text.endswith("\n") and not _UNSAFE.search(json_text.replace("\n", "")), "raw control character in JSON"
        table = render(report, "table")
        assert isinstance(table, str)
        assert report.exit_code in (0, 1, 2)

    return check


def main(argv: list[str]) -> None:
    import atheris

    kind = argv[1]
    with atheris.instrument_imports(include=["tfecs", "tfecs_rules"]):
        check = make_checker(kind)
    atheris.Setup([argv[0], *argv[2:]], check)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    os.environ.setdefault("NO_COLOR", "1")
    main(sys.argv)
