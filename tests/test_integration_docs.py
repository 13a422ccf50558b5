"""The tfecs commands of docs/atlantis.md and docs/ci.md, taken from the pages themselves
and run with the environment Atlantis / GitHub Actions / GitLab CI gives them, so the pages
stay true. A fenced block whose first line is `# tfecs-doc-test: NAME` is a tested snippet;
its commands are the lines starting with `tfecs ` (after a YAML `- `, `run:` or `script:`
prefix, `\\` continuations joined)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTDATA

REAL = TESTDATA / "plans" / "real"
BIN = Path(sys.executable).parent  # where the venv's `tfecs` script lives


def snippets(doc: str) -> dict[str, str]:
    """NAME -> the text of each marked fenced block of docs/DOC."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = {}
    for m in re.finditer(r"^```[a-z]*\n# tfecs-doc-test: ([\w-]+)\n(.*?)^```", text, re.M | re.S):
        found[m.group(1)] = m.group(2)
    return found


def commands(block: str) -> list[str]:
    """The tfecs command lines of a snippet, continuations joined."""
    out: list[str] = []
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = re.sub(r"^\s*(?:-\s+)?(?:run:\s*|script:\s*)?", "", lines[i])
        if line.startswith("tfecs "):
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1].rstrip() + " " + lines[i].strip()
            out.append(line)
        i += 1
    return out


def run_sh(cmd: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "NO_PROXY": "*",
        "no_proxy": "*",
        **env,
    }
    return subprocess.run(["sh", "-c", cmd], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------- Atlantis


def atlantis_env(tmp_path: Path, scenario: str) -> tuple[dict[str, str], Path]:
    """A project directory as Atlantis prepares it: the .tf files, the binary plan
    ($PLANFILE, not read by tfecs) and what the `show` step wrote ($SHOWFILE)."""
    project = tmp_path / "repos" / "acme" / "infra" / "42" / "default" / "envs" / "prod"
    shutil.copytree(TESTDATA / "terraform" / scenario, project)
    planfile = project / "default.tfplan"
    planfile.write_bytes(b"binary plan, not read by tfecs")
    showfile = project / "default.tfplan.json"
    shutil.copy(REAL / f"{scenario}.json", showfile)
    env = {
        "PLANFILE": str(planfile),
        "SHOWFILE": str(showfile),
        "DIR": str(project),
        "WORKSPACE": "default",
        "PROJECT_NAME": "ecs-prod",
        "REPO_REL_DIR": "envs/prod",
        "PULL_NUM": "42",
    }
    return env, project


def test_atlantis_doc_has_both_ways():
    blocks = snippets("atlantis.md")
    assert set(blocks) >= {"atlantis-plan-stage", "atlantis-policy-check"}
    assert commands(blocks["atlantis-plan-stage"]) == ['tfecs scan "$SHOWFILE" --source "$DIR" --format markdown']
    assert commands(blocks["atlantis-policy-check"]) == ['tfecs scan "$SHOWFILE" --source "$DIR" --format atlantis']
    assert "- show" in blocks["atlantis-plan-stage"] and "custom_policy_check: true" in blocks["atlantis-policy-check"]


def test_atlantis_plan_stage_blocks_with_markdown(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    proc = run_sh(cmd, env, project)
    assert proc.returncode == 1, proc.stderr  # a blocking finding: Plan Error
    assert proc.stderr == ""  # Atlantis merges stderr into the comment: nothing noisy
    out = proc.stdout
    assert out.startswith("### :x: tfecs: blocked")
    assert "\x1b" not in out
    # --source "$DIR" gives file:line, the resource and the rule
    assert re.search(r"ecs-privileged-container.*<code>aws_ecs_task_definition\.bad_host</code>.*<code>main\.tf:\d+</code>", out)
    assert "```" not in out  # cannot close the fence Atlantis wraps step output in


def test_atlantis_plan_stage_passes_a_clean_plan(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_hardened")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("### :white_check_mark: tfecs: pass")


def test_atlantis_unreadable_showfile_fails_closed(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    Path(env["SHOWFILE"]).write_text("Error: no plan")
    proc = run_sh(cmd, env, project)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("tfecs: error: ")


SUMMARY = re.compile(r"^(\d+) tests?, (\d+) passed, (\d+) warnings?, (\d+) failures?, (\d+) exceptions?(, \d+ skipped)?$", re.M)
# Atlantis >= 0.39 fails a policy set on this (server/core/runtime/policy/... PR #6019)
ATLANTIS_FAILS = re.compile(r"([1-9][0-9]* failure|failures\": \[)")


def test_atlantis_policy_check_reports_failures_in_text_and_exits_0(tmp_path):
    pytest.importorskip("tfecs.reporters.atlantis")
    [cmd] = commands(snippets("atlantis.md")["atlantis-policy-check"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")  # Atlantis reads the text, not the exit code
    out = proc.stdout
    assert "\x1b" not in out
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL - ")]
    assert "FAIL - aws_ecs_task_definition.bad_host - ecs-privileged-container - container 'bad-privileged' runs privileged" in out
    [summary] = SUMMARY.findall(out)
    assert int(summary[3]) == len(fails) > 0
    assert ATLANTIS_FAILS.search(out)  # Atlantis >= 0.39 sees the failure
    assert len(set(fails)) == len(fails)  # one line per finding
    again = run_sh(cmd, env, project)
    assert again.stdout == out  # stable across re-plans: sticky approvals hash these lines


def test_atlantis_policy_check_clean_run_has_no_fail_word(tmp_path):
    pytest.importorskip("tfecs.reporters.atlantis")
    [cmd] = commands(snippets("atlantis.md")["atlantis-policy-check"])
    env, project = atlantis_env(tmp_path, "ecs_hardened")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.strip()  # empty output is a failure for Atlantis
    assert "fail" not in proc.stdout.lower()  # Atlantis < 0.39 fails on the word
    assert not ATLANTIS_FAILS.search(proc.stdout)
