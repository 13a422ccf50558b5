"""Hostile output (issue 11, items 8 and 9): what the input plants never reaches a
terminal or a CI log raw (control, bidi and zero-width characters, column-0 `::`
commands), and a sensitive value never appears in any rendering on any channel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planfixture import build_plan
from tfecs.textsafe import _UNSAFE

# ANSI (clear screen, red, OSC title), bell, C1 CSI, bidi override, zero-width space,
# line separator, and a newline that starts a GitHub Actions command.
NASTY = "\x1b[2J\x1b[31m\x1b]0;owned\x07\x9b31m\u202egnp.exe\u200b\u2028\r\n::add-mask::x\n::error::pwned\x7f\x08\x0c"


def _run(*args: str, cwd: Path) -> tuple[int, str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "tfecs", *args], capture_output=True, cwd=cwd, env=env, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def assert_inert(text: str) -> None:
    """No raw control character but the line breaks, and no line that a CI system obeys."""
    for line in text.split("\n"):
        assert not _UNSAFE.search(line), repr(line)
        assert not line.lstrip().startswith("::"), repr(line)


def _nasty_plan() -> dict:
    key = json.dumps(NASTY)  # a for_each key: a quoted string, escapes as Terraform writes them
    raw_key = '"' + NASTY.replace("\\", "\\\\").replace('"', '\\"') + '"'  # and raw, as a hostile plan may
    containers = [{"name": "c" + NASTY, "image": "app:1", "privileged": True,
                   "environment": [{"name": "ENV" + NASTY, "value": "AKIAIOSFODNN7EXAMPLE"}]}]
    plan = build_plan([
        {"address": f"aws_ecs_task_definition.t[{key}]", "values": {"family": "f", "container_definitions": containers}},
        {"address": 'module.m["RAW"].aws_ecs_task_definition.t', "values": {"family": "f", "container_definitions": containers}},
        {"address": 'aws_ecs_task_definition.broken["RAW"]', "values": {"family": "f", "container_definitions": containers}},
    ])
    for rc in plan["resource_changes"]:
        for field in ("address", "module_address"):
            if field in rc:
                rc[field] = rc[field].replace('"RAW"', raw_key)
        if rc["name"] == "broken":
            rc["change"]["after"]["container_definitions"] = 7
    return plan


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_planted_control_characters_never_reach_stdout_or_stderr(fmt, tmp_path):
    name = "plan" + NASTY.replace("/", "") + ".json"
    (tmp_path / name).write_text(json.dumps(_nasty_plan()))
    code, out, err = _run("scan", name, "--format", fmt, cwd=tmp_path)
    assert code == 2  # the broken task definition
    assert err.count("\n") == 1 and err.startswith("tfecs: error: ")
    assert_inert(err)
    assert_inert(out)
    if fmt == "json":
        doc = json.loads(out)
        assert {f["container"] for f in doc["findings"] if f["rule"] == "ecs-privileged-container"} == {"c" + NASTY}
        assert doc["inputs"][0]["path"] == name


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_planted_control_characters_never_reach_an_output_file(fmt, tmp_path):
    (tmp_path / "plan.json").write_text(json.dumps(_nasty_plan()))
    code, out, err = _run("scan", "plan.json", "--format", fmt, "-o", "report.out", cwd=tmp_path)
    assert code == 2 and out.endswith(f"; error. The {fmt} report is in report.out.\n") and out.count("\n") == 1
    assert_inert(out)
    assert_inert(err)
    assert_inert((tmp_path / "report.out").read_text(encoding="utf-8"))


def test_an_input_error_naming_a_hostile_file_is_one_inert_line(tmp_path):
    name = "x" + NASTY.replace("/", "") + ".json"
    (tmp_path / name).write_bytes(b"{not json")
    code, out, err = _run("scan", name, cwd=tmp_path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert_inert(err)


def test_missing_file_with_a_hostile_name(tmp_path):
    code, out, err = _run("scan", "nope" + NASTY.replace("/", ""), cwd=tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert_inert(err)
