"""The table report as a terminal user reads it."""

from __future__ import annotations

from conftest import TESTDATA


def test_unknowns_of_one_value_share_a_row(run_cli):
    plan = TESTDATA / "plans" / "real" / "unknown_container_defs.json"
    code, out, err = run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--rule", "ecs-writable-root-filesystem", "--rule", "ecs-host-network-mode")
    assert (code, err) == (0, "")
    section = out[out.index("Introduced, not blocking (2)") :]
    lines = section.splitlines()
    row = next(i for i, line in enumerate(lines) if "aws_ecs_task_definition.bad_unknown_image" in line)
    assert lines[row].startswith("high (unknown)  ecs-privileged-container")
    assert "container_definitions is known only after apply: 2 rules cannot rule out a finding" in lines[row]
    assert lines[row + 1].lstrip().startswith("ecs-writable-root-filesystem")
    assert "fix: scan with --source DIR" in lines[row + 1]
    assert out.count("aws_ecs_task_definition.bad_unknown_image") == 1
    assert out.rstrip().endswith("2 introduced (0 blocking), 0 existing, 0 fixed, 2 unknown until apply. Result: pass (exit 0).")


def test_colour_only_when_asked_or_on_a_terminal(run_cli, tmp_path):
    plan = TESTDATA / "plans" / "real" / "ecs_insecure.json"
    _, plain, _ = run_cli("scan", str(plan), "--rule", "ecs-privileged-container")
    _, coloured, _ = run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--color")
    assert "\x1b[" not in plain and "\x1b[31mhigh\x1b[0m" in coloured
    out_file = tmp_path / "r.txt"
    run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--color", "-f", "json", "-o", str(out_file))
    assert "\x1b[" not in out_file.read_text()  # JSON is never coloured
