"""escape_control: one visible line, inert in a terminal or a CI log."""

import pytest

from tfecs.textsafe import escape_control


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("aws_ecs_task_definition.app", "aws_ecs_task_definition.app"),
        ("a\x1b[31mred", "a\\x1b[31mred"),
        ("x\n::add-mask::y", "x\\n::add-mask::y"),
        ("cr\rlf", "cr\\rlf"),
        ("bell\x07", "bell\\x07"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("zw\u200bsp", "zw\\u200bsp"),
        ("bom\ufeff", "bom\\ufeff"),
        ("tab\there", "tab\\there"),
        ("café ✓", "café ✓"),
    ],
)
def test_escape_control(raw, shown):
    assert escape_control(raw) == shown


def test_warnings_in_json_report():
    import json

    from tfecs.report import Report, WarningInfo
    from tfecs.reporters import render

    report = Report(warnings=[WarningInfo("variable-no-value", "variable \"image\" has no value: pass --var-file", "main.tf:3")])
    doc = json.loads(render(report, "json"))
    assert doc["warnings"] == [{"kind": "variable-no-value", "where": "main.tf:3", "message": "variable \"image\" has no value: pass --var-file"}]
    assert doc["summary"]["warnings"] == 1
    assert report.exit_code == 0
    text = render(report, "table")
    assert "warning: main.tf:3: variable \"image\" has no value: pass --var-file" in text
