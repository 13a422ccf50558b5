from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

TESTDATA = ROOT / "testdata"
CORPUS = ROOT.parent / "shared" / "corpus" / "plans"
UPDATE_GOLDEN = os.environ.get("TFECS_UPDATE_GOLDEN") == "1"
# The parse cache of the test run is its own, never the user's.
os.environ.setdefault("TFECS_CACHE_DIR", tempfile.mkdtemp(prefix="tfecs-test-cache-"))


@pytest.fixture(autouse=True)
def _checkout_is_the_repository():
    """Fixtures read files beside their folder (`file("../outside.json")`) inside this
    checkout: its root is the repository even where it has no `.git` (a tarball, the
    README test's copy), as its git work tree makes it otherwise. Scans of tmp_path
    folders, outside the checkout, are not affected."""
    from tfecs.inputs.hcl.confine import declare_repository_root

    declare_repository_root(str(ROOT))
    yield
    declare_repository_root(None)


@pytest.fixture
def run_cli():
    """Run the real CLI in-process: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from tfecs.cli import cli

    def run(*args: str, input: bytes | str | None = None):
        runner = CliRunner()
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch):
    """The table fits the terminal: pin its width, so a test's output does not depend on
    the terminal pytest runs in (tests that need another width set COLUMNS themselves)."""
    monkeypatch.setenv("COLUMNS", "200")
