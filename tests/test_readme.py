"""The README is what a newcomer follows: its two commands (install and scan the bundled
example; run the tests) must work as written, `.ci/run` must run the same test command,
and its links must lead somewhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()
TOUR = next(line for line in README.splitlines() if line.startswith("python3 -m venv .venv") and "tfecs scan" in line)
TESTS = next(line for line in README.splitlines() if line.startswith("pip install -e '.[test]'"))
# Pages other branches write (CI, formats, Atlantis, configuration, suppressions,
# security): linked from the README, present once everything is merged.
ELSEWHERE = {"docs/ci.md", "docs/atlantis.md", "docs/formats.md", "docs/configuration.md", "docs/suppressing.md", "docs/security.md"}


def test_readme_is_short_and_says_what_a_newcomer_needs():
    assert len(README.splitlines()) <= 300
    for needed in ("Python 3.10 or newer", "exits 1 by design", "pip install git+", "python -m pytest -m slow"):
        assert needed in README
    assert TOUR.endswith("tfecs scan testdata/plans/real/ecs_insecure.json")
    assert TESTS == "pip install -e '.[test]' && python -m pytest"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q -e '.[test]'" in ci
    assert ci.rstrip().splitlines()[-1] == "python -m pytest"


@pytest.mark.parametrize("link", sorted(set(re.findall(r"\]\(((?!https?:)[^)#]+)", README))))
def test_relative_links_exist(link):
    if link in ELSEWHERE and not (ROOT / link).exists():
        pytest.skip(f"{link} is written on another branch")
    assert (ROOT / link).exists(), link


@pytest.mark.slow
def test_readme_commands_in_a_fresh_virtualenv(tmp_path):
    """Follow the README on a copy of the checkout: install and scan (exit 1 by design),
    then the test command. Needs PyPI; about a minute."""
    copy = tmp_path / "tfecs"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", ".pytest_cache"))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "COLUMNS")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    env["NO_COLOR"] = "1"
    # The python3 that runs these tests (>= 3.10) first on PATH, not this checkout's venv.
    base = getattr(sys, "_base_executable", sys.executable)
    env["PATH"] = os.path.dirname(os.path.realpath(base)) + os.pathsep + env["PATH"]
    tour = subprocess.run(["bash", "-c", TOUR], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert tour.returncode == 1, tour.stderr[-2000:]
    assert "  verdict   BLOCKED: 58 findings block this change (exit 1)" in tour.stdout.splitlines()
    tests = subprocess.run(["bash", "-c", f". .venv/bin/activate && {TESTS} -q -x"], cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert re.search(r"\d+ passed", tests.stdout)


def test_readme_ci_and_atlantis_snippets_match_what_is_tested():
    """The README's CI job names inputs action.yml has, and its Atlantis step runs the
    command docs/atlantis.md holds (run by tests/test_integration_docs.py)."""
    job = re.search(r"uses: tfecs/tfecs@v[\d.]+ .*\n\s+with: \{ (.*) \}", README)
    assert job, "the README's CI job"
    inputs = [pair.split(":")[0].strip() for pair in job.group(1).split(",")]
    action = (ROOT / "action.yml").read_text()
    assert inputs == ["plan", "source", "comment"]
    for name in inputs:
        assert re.search(rf"^  {name}:$", action, re.M), name
    run = re.search(r"\{run: '(.*)'\}", README).group(1)
    assert run == 'tfecs scan "$SHOWFILE" --source "$DIR" --format markdown'
    assert f"- run: {run}" in (ROOT / "docs" / "atlantis.md").read_text()
