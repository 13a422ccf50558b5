"""The table report as a terminal user reads it: golden output at 80 and 200 columns
(regenerate with TFECS_UPDATE_GOLDEN=1 and review the diff), and the parts a golden on
one plan does not show: grouped unknowns, suppressed findings, warnings, hostile text."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import ROOT, TESTDATA, UPDATE_GOLDEN

from tfecs.report import WarningInfo
from tfecs.reporters import table
from tfecs.rule import Status

GOLDEN = TESTDATA / "golden"
PLAN = "testdata/plans/real/ecs_insecure.json"
SOURCE = "testdata/terraform/ecs_insecure"


def _cli(args: list[str], columns: int) -> tuple[int, str, str]:
    from tfecs.cli import cli

    result = CliRunner().invoke(cli, args, env={"COLUMNS": str(columns), "NO_COLOR": ""}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("with_source", [False, True], ids=["plan", "plan+source"])
def test_golden_terminal_report(columns, with_source, monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in the report are relative to the repository
    args = ["scan", PLAN] + (["--source", SOURCE] if with_source else [])
    code, out, err = _cli(args, columns)
    assert (code, err) == (1, "")
    name = f"table_ecs_insecure{'_source' if with_source else ''}_{columns}.txt"
    if UPDATE_GOLDEN:
        (GOLDEN / name).write_text(out)
    assert out == (GOLDEN / name).read_text()
    assert max(len(line) for line in out.splitlines()) <= columns
    # Worst severity first, then resources in order.
    heads = [line.split()[0] for line in out.splitlines() if line[:1].isupper() and line.split()[0].isupper()]
    assert heads == ["HIGH", "MEDIUM", "LOW", "INFO"]
    if with_source:
        assert "testdata/terraform/ecs_insecure/main.tf:" in out


def test_one_line_per_finding_when_it_fits():
    code, out, _ = _cli(["scan", str(TESTDATA / "plans" / "real" / "ecs_insecure.json"), "--rule", "ecs-privileged-container"], 200)
    lines = out.splitlines()
    i = lines.index("  aws_ecs_task_definition.bad_host  create")
    assert lines[i + 1] == (
        "    BLOCKS    ecs-privileged-container  container 'bad-privileged' runs privileged  container_definitions[0].privileged"
    )
    assert lines[i + 2] == "              fix: Remove `privileged` from the container definition (or set it to false)."


def test_unknowns_of_one_value_share_an_entry(run_cli):
    plan = TESTDATA / "plans" / "real" / "unknown_container_defs.json"
    code, out, err = _cli(["scan", str(plan), "--rule", "ecs-privileged-container", "--rule", "ecs-writable-root-filesystem", "--rule", "ecs-host-network-mode"], 200)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[2:6] == [
        "HIGH  2 findings",
        "  aws_ecs_task_definition.bad_unknown_image  create",
        "    unknown   2 rules  container_definitions is known only after apply: 2 rules cannot rule out a finding "
        "(ecs-privileged-container, ecs-writable-root-filesystem)",
        "              fix: scan with --source DIR to evaluate it from the configuration, or make it known at plan time",
    ]
    assert out.count("aws_ecs_task_definition.bad_unknown_image") == 1
    assert "  verdict   PASS: nothing blocks this change (exit 0)" in lines
    assert "  hint      2 unknown until apply: pass --source DIR (the plan's Terraform directory) to resolve them" in lines


def _report(*rules: str):
    from tfecs.cli import load_rules
    from tfecs.scan import scan

    return scan([str(TESTDATA / "plans" / "real" / "ecs_insecure.json")], load_rules(select=rules))


def test_long_addresses_are_shortened_in_the_middle_never_the_rule_id():
    report = _report("ecs-privileged-container")
    f = report.findings[0]
    f.address = 'module.platform["eu-west-1"].module.services["payments-api"].aws_ecs_task_definition.this[0]'
    out = table.render(report, width=60)
    assert '  module.platform["eu-wes..._task_definition.this[0]  create' in out.splitlines()
    lines = out.splitlines()
    i = lines.index("    BLOCKS    ecs-privileged-container")  # the location whole, on the next line
    assert lines[i + 1 : i + 3] == ["              container_definitions[0].privileged", "              container 'bad-privileged' runs privileged"]
    assert max(len(line) for line in out.splitlines()) <= 60


def test_hostile_text_is_escaped():
    report = _report("ecs-privileged-container")
    f = report.findings[0]
    f.address = "aws_ecs_task_definition.x\x1b]0;pwned\x07"
    f.message = "line one\n::error::forged\u202e"
    report.warnings.append(WarningInfo("source-unmatched", "no \x1b[31mmatch", "dir\nx"))
    out = table.render(report, width=200)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "aws_ecs_task_definition.x\\x1b]0;pwned\\x07" in out
    assert "line one\\n::error::forged\\u202e" in out
    assert not any(line.startswith("::") for line in out.splitlines())
    assert "  warning: dir\\nx: no \\x1b[31mmatch" in out.splitlines()


def test_suppressed_findings_are_shown_short_and_not_counted_as_open():
    report = _report("ecs-privileged-container", "ecs-host-network-mode")
    target = next(f for f in report.findings if f.rule == "ecs-host-network-mode")
    target.suppressed = {"source": "inline", "reason": "host networking for the\x1b agent", "expires": "2027-01-31", "where": "main.tf:40"}
    target.blocking = False
    out = table.render(report, width=200)
    lines = out.splitlines()
    i = lines.index("Suppressed (1)")
    assert lines[i + 1] == (
        "  ecs-host-network-mode  aws_ecs_task_definition.bad_host: host networking for the\\x1b agent (inline, main.tf:40, "
        "expires 2027-01-31)"
    )
    assert out.count("ecs-host-network-mode") == 1
    assert "  findings  1: 0 critical, 1 high, 0 medium, 0 low, 0 info" in lines
    assert "  change    2 introduced (1 blocking), 0 existing, 0 fixed, 1 suppressed" in lines


def test_warnings_once_under_the_summary_and_the_var_file_hint():
    report = _report("ecs-privileged-container")
    report.warnings += [
        WarningInfo("variable-no-value", "variable has no value, so what uses it is unknown", "var.image_tag"),
        WarningInfo("variable-no-value", "variable has no value, so what uses it is unknown", "var.env"),
    ]
    out = table.render(report, width=100)
    lines = out.splitlines()
    summary = lines.index("Summary")
    assert lines[summary + 4 :] == [
        "  verdict   BLOCKED: 1 finding blocks this change (exit 1)",
        "  hint      2 variables have no value: pass --var-file FILE or --var NAME=VALUE",
        "",
        "Warnings (2)",
        "  warning: var.image_tag: variable has no value, so what uses it is unknown",
        "  warning: var.env: variable has no value, so what uses it is unknown",
    ]
    assert out.count("var.image_tag") == 1


def test_colour_only_when_asked_or_on_a_terminal(run_cli, tmp_path):
    plan = TESTDATA / "plans" / "real" / "ecs_insecure.json"
    _, plain, _ = run_cli("scan", str(plan), "--rule", "ecs-privileged-container")
    _, coloured, _ = run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--color")
    assert "\x1b[" not in plain and "\x1b[31m\x1b[1mHIGH\x1b[0m" in coloured
    out_file = tmp_path / "r.txt"
    run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--color", "-f", "json", "-o", str(out_file))
    assert "\x1b[" not in out_file.read_text()  # JSON is never coloured


def test_status_tags():
    report = _report("ecs-privileged-container")
    f = report.findings[0]
    assert table._tag(f) == "BLOCKS"
    f.blocking, f.delta = False, "existing"
    assert table._tag(f) == "existing"
    f.delta = "introduced"
    assert table._tag(f) == "new"
    f.status = Status.UNKNOWN
    assert table._tag(f) == "unknown"
