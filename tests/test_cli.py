"""The CLI as users meet it: version, rule listing, explain, output files, custom rules,
a crashing rule, and a real scan from another directory with the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from conftest import ROOT, TESTDATA
from planfixture import build_plan, write_plan

from tfecs import __version__
from tfecs_rules import ALL_RULES


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert (code, out.strip()) == (0, f"tfecs, version {__version__}")


def test_rules_lists_every_rule(run_cli):
    code, out, _ = run_cli("rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0
    assert [r["id"] for r in rules] == [r.meta.id for r in ALL_RULES]
    priv = next(r for r in rules if r["id"] == "ecs-privileged-container")
    assert priv == {
        "id": "ecs-privileged-container",
        "title": "privileged container",
        "severity": "high",
        "practice": "task & runtime",
        "controls": ["ECS.4"],
        "resource_types": ["aws_ecs_task_definition"],
        "docs": "https://github.com/tfecs/tfecs/blob/main/README.md#ecs-privileged-container",
        "profile": None,
    }
    code, out, _ = run_cli("rules")
    assert code == 0 and "ecs-privileged-container" in out and "ECS.4" in out


def test_explain(run_cli):
    code, out, _ = run_cli("explain", "ecs-privileged-container")
    assert code == 0
    assert out.startswith("ecs-privileged-container: privileged container\nseverity: high")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in out
    code, _, err = run_cli("explain", "no-such-rule")
    assert code == 2 and err.strip() == "tfecs: error: unknown rule 'no-such-rule' (see `tfecs rules`)"


def test_output_file_and_rule_selection(run_cli, tmp_path):
    # A repository that only the tag rule faults (scanned, CMK-encrypted, with a lifecycle policy).
    hardened = {"name": "r", "image_scanning_configuration": [{"scan_on_push": True}],
                "encryption_configuration": [{"encryption_type": "KMS", "kms_key": "arn:aws:kms:us-east-1:123456789012:key/k"}]}
    plan = write_plan([{"address": "aws_ecr_repository.r", "values": hardened},
                       {"address": "aws_ecr_lifecycle_policy.r", "values": {"repository": "r"}}], tmp_path / "p.json")
    out_file = tmp_path / "report.json"
    code, out, _ = run_cli("scan", str(plan), "-f", "json", "-o", str(out_file), "--rule", "ecr-")
    assert code == 1 and out == ""
    report = json.loads(out_file.read_text())
    assert [f["rule"] for f in report["findings"]] == ["ecr-tag-mutable"]
    assert report["summary"]["rules"] == sum(r.meta.id.startswith("ecr-") for r in ALL_RULES)
    code, _, err = run_cli("scan", str(plan), "--rule", "nonexistent")
    assert code == 2 and "no rule matches 'nonexistent'" in err
    code, out, _ = run_cli("scan", str(plan), "-f", "json", "--skip-rule", "ecr-tag-mutable")
    assert "ecr-tag-mutable" not in [f["rule"] for f in json.loads(out)["findings"]]


def test_custom_rules_dir_and_a_crashing_rule(run_cli, tmp_path):
    plan = write_plan([{"address": "aws_ecr_repository.r", "values": {"name": "app", "image_tag_mutability": "IMMUTABLE"}}], tmp_path / "p.json")
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    shutil.copy(TESTDATA / "custom_rules" / "repo_name_prefix.py", rules_dir)
    code, out, _ = run_cli("scan", str(plan), "-f", "json", "--rules-dir", str(rules_dir), "--rule", "custom-")
    assert code == 1
    assert [(f["rule"], f["address"], f["path"]) for f in json.loads(out)["findings"]] == [
        ("custom-repo-name-prefix", "aws_ecr_repository.r", "name")
    ]
    shutil.copy(TESTDATA / "custom_rules" / "crashing_rule.py", rules_dir)
    code, out, err = run_cli("scan", str(plan), "-f", "json", "--rules-dir", str(rules_dir), "--rule", "custom-")
    assert code == 2
    assert err.strip() == "tfecs: error: custom-crashing-rule: RuntimeError: boom"
    report = json.loads(out)
    # The other rules still ran.
    assert [f["rule"] for f in report["findings"]] == ["custom-repo-name-prefix"]
    assert report["errors"] == [{"kind": "rule", "where": "custom-crashing-rule", "message": "RuntimeError: boom"}]


def test_bad_option_is_exit_2(run_cli, tmp_path):
    code, _, err = run_cli("scan", "x.json", "--fail-on", "bogus")
    assert code == 2 and "Invalid value for '--fail-on'" in err


@pytest.mark.skipif(shutil.which("tfecs") is None, reason="the tfecs command is not installed")
def test_installed_command_from_another_directory(tmp_path):
    """As a user runs it: the console script, another working directory, the bundled example."""
    example = ROOT / "testdata" / "plans" / "real" / "ecs_insecure.json"  # the README's example
    result = subprocess.run(["tfecs", "scan", str(example), "-f", "json"], cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["blocking"] > 0 and report["errors"] == []
    assert ("ecs-privileged-container", "aws_ecs_task_definition.bad_host") in {(f["rule"], f["address"]) for f in report["findings"]}
    bad = subprocess.run(["tfecs", "scan", "missing.json"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip() == "tfecs: error: missing.json: no such file" and bad.stdout == ""


def test_values_of_sensitive_variables_never_print(run_cli, tmp_path):
    """Plan JSON prints sensitive variables in clear; --source evaluation can carry them
    into attributes the plan did not mark. Every output masks them."""
    doc = build_plan([{"address": "aws_ecr_repository.r", "values": {"name": "team-hunter2-repo", "image_tag_mutability": "MUTABLE"}}])
    doc["variables"] = {"repo_name": {"value": "team-hunter2-repo"}}
    doc["configuration"]["root_module"]["variables"] = {"repo_name": {"sensitive": True}}
    plan = tmp_path / "p.json"
    plan.write_text(json.dumps(doc))
    for fmt in ("table", "json"):
        code, out, err = run_cli("scan", str(plan), "-f", fmt, "--rule", "ecr-tag-mutable")
        assert code == 1
        assert "team-hunter2-repo" not in out + err
        assert "(redacted)" in out
