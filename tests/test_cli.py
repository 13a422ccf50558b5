"""The CLI as users meet it: version, rule listing, explain, output files, custom rules,
a crashing rule, and a real scan from another directory with the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

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
        "docs": "docs/rules/ecs-privileged-container.md",
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
    # The report goes to the file; the log says what happened, in one line.
    assert code == 1 and out == f"tfecs: 1 introduced (1 blocking), 0 existing, 0 fixed; blocked. The json report is in {out_file}.\n"
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


@pytest.mark.parametrize(
    "args, expected",
    [
        (["scan", "x.json", "--fail-on", "bogus"],
         ["tfecs: error: Invalid value for '--fail-on': 'bogus' is not one of 'info', 'low', 'medium', 'high', 'critical', 'none'.",
          "Try 'tfecs scan --help' for help."]),
        (["scan"], ["tfecs: error: give at least one plan, directory or Dockerfile to scan", "Try 'tfecs scan --help' for help."]),
        (["bogus"], ["tfecs: error: No such command 'bogus'.", "Try 'tfecs --help' for help."]),
        (["scan", "x.json", "--rule", "nope"],
         ["tfecs: error: Invalid value for --rule/--skip-rule: no rule matches 'nope' (see `tfecs rules`)",
          "Try 'tfecs scan --help' for help."]),
        (["scan", "x.json", "--rule", "ecs-", "--skip-rule", "ecs-"],
         ["tfecs: error: no rule left to run: --rule, --skip-rule and the config's `enabled = false` exclude every rule",
          "Try 'tfecs scan --help' for help."]),
        (["scan", "x.json", "--var-file", "/dev/null"],
         ["tfecs: error: Invalid value for --var-file: '/dev/null' is not a regular file", "Try 'tfecs scan --help' for help."]),
        (["baseline", "x.json", "--var-file", "/dev/null"],
         ["tfecs: error: Invalid value for --var-file: '/dev/null' is not a regular file", "Try 'tfecs baseline --help' for help."]),
        (["scan", "x.json", "-o", "r.txt", "--report", "sarif=./r.txt"],
         ["tfecs: error: Invalid value for --report: 'r.txt' is also the --output file", "Try 'tfecs scan --help' for help."]),
        # A bare group is no reason to squash its whole help onto one error line.
        ([], ["tfecs: error: missing a command: baseline, comment, explain, rules or scan", "Try 'tfecs --help' for help."]),
        (["comment"], ["tfecs: error: missing a command: github or gitlab", "Try 'tfecs comment --help' for help."]),
    ],
)
def test_usage_errors_are_one_line_and_a_hint(args, expected, monkeypatch, capsys):
    """As the console script prints them (main(), not click's standalone block)."""
    from tfecs import cli as cli_module

    monkeypatch.setattr("sys.argv", ["tfecs", *args])
    monkeypatch.setattr(cli_module, "_exit_now", lambda code: (_ for _ in ()).throw(SystemExit(code)))
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    captured = capsys.readouterr()
    assert exit_info.value.code == 2 and captured.out == ""
    assert captured.err.splitlines() == expected


def test_help_lists_every_command_untruncated(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    commands = out[out.index("Commands:") :].splitlines()[1:]
    assert [line.split()[0] for line in commands if line.startswith("  ") and not line.startswith("   ")] == ["baseline", "comment", "explain", "rules", "scan"]
    assert "..." not in out[out.index("Commands:") :]


def test_rules_and_explain_accept_custom_rules(run_cli, tmp_path, monkeypatch):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    shutil.copy(TESTDATA / "custom_rules" / "repo_name_prefix.py", rules_dir)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("rules", "-f", "json", "--rules-dir", "rules")
    custom = [r for r in json.loads(out) if r["id"].startswith("custom-")]
    # The docs link of a custom rule is its module, a file that exists.
    assert (code, [(r["id"], r["docs"]) for r in custom]) == (0, [("custom-repo-name-prefix", "rules/repo_name_prefix.py")])
    code, out, _ = run_cli("explain", "custom-repo-name-prefix", "--rules-dir", "rules")
    assert code == 0 and out.startswith("custom-repo-name-prefix: repository not named team-*\n")
    assert "docs: rules/repo_name_prefix.py" in out and "## What it does" in out
    code, _, err = run_cli("explain", "custom-repo-name-prefix")
    assert code == 2 and err == "tfecs: error: unknown rule 'custom-repo-name-prefix' (see `tfecs rules`)\n"


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


def test_timeout_stops_a_scan_with_one_line_and_exit_2(tmp_path):
    """--timeout bounds the whole scan (the machine's time is the CI's): exit 2, one line."""
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import genplan

    plan = genplan.write(3000, str(tmp_path / "plan.json"), seed=2)
    r = subprocess.run([sys.executable, "-m", "tfecs", "scan", plan, "--timeout", "0.05"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "tfecs: error: the scan took longer than --timeout 0.05 s and was stopped\n"
    ok = subprocess.run([sys.executable, "-m", "tfecs", "scan", str(TESTDATA / "plans" / "real" / "ecs_hardened.json"), "--timeout", "60"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_error_lines_escape_control_characters_from_paths(monkeypatch, capsys, tmp_path):
    """A path named `x\\n::error::...` printed raw on stderr started a line that GitHub
    Actions obeys as a workflow command (and an ESC drove the terminal)."""
    from tfecs import cli as cli_module

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d\n::error::x").mkdir()
    for args in (["scan", "nope\n::error::inj\x1b[31m"], ["scan", "d\n::error::x"], ["scan", "--dockerfile", "n\n::warning::w", "-f", "json"]):
        monkeypatch.setattr("sys.argv", ["tfecs", *args])
        monkeypatch.setattr(cli_module, "_exit_now", lambda code: (_ for _ in ()).throw(SystemExit(code)))
        with pytest.raises(SystemExit) as exit_info:
            cli_module.main()
        err = capsys.readouterr().err
        assert exit_info.value.code == 2
        assert len(err.splitlines()) == 1 and "\x1b" not in err, err
    assert err == "tfecs: error: n\\n::warning::w: no such file\n"


def test_the_command_runs_without_pydantic_plugins(tmp_path):
    """A pydantic plugin installed beside tfecs would be handed every validated value,
    the plan's secrets among them: the command loads none (and so never imports
    importlib.metadata to look for them)."""
    example = ROOT / "testdata" / "plans" / "real" / "ecs_insecure.json"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tfecs", "scan", str(example), "-f", "json"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["summary"]["blocking"] > 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "pydantic.fields" in imported and "importlib.metadata" not in imported
