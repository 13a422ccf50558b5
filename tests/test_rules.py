"""Every rule against its fixture: exact findings (address, status, path), and the
naming convention checked too: bad_* fail, unknown_* give status unknown, good_* nothing.

Fixtures: testdata/rules/<rule-id>/resources.json (compact resources, turned into a
Terraform-shaped plan by planfixture.py) and expected.json (the findings, golden;
rewrite with TFECS_UPDATE_GOLDEN=1 and review the diff).
"""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA, UPDATE_GOLDEN
from planfixture import write_plan

from tfecs.inputs.raw import split_address
from tfecs.scan import scan
from tfecs_rules import ALL_RULES

RULE_IDS = [r.meta.id for r in ALL_RULES]


def _resource_name(address: str) -> str:
    last = split_address(address)[-1]
    return last.split(".")[-1].split("[")[0]


def _case_findings(folder, spec: dict, rule, tmp_path) -> tuple[list[dict], dict[str, set[str]]]:
    """A fixture of `cases` (whole-configuration rules judge a whole plan, Dockerfile
    rules a whole file): each case is scanned alone, and its name carries the
    expectation. A case gives `resources` (a plan) or `dockerfile` (a file beside)."""
    from tfecs import gate
    from tfecs.dockerfile_scan import scan_dockerfile
    from tfecs.report import Report

    actual: list[dict] = []
    by_case: dict[str, set[str]] = {}
    for name, case in sorted(spec["cases"].items()):
        if "dockerfile" in case:
            report = Report()
            scan_dockerfile(str(folder / case["dockerfile"]), [rule], gate.GateOptions(), report, root=str(folder))
        else:
            report = scan([str(write_plan(case["resources"], tmp_path / f"{name}.json"))], [rule])
        assert not report.errors, [e.line() for e in report.errors]
        for f in report.findings:
            assert f.message and f.remediation and f.meta.docs_url.endswith(f"docs/rules/{rule.meta.id}.md")
            actual.append({"case": name, "address": f.address, "status": f.status.value, "path": f.path_text})
            by_case.setdefault(name, set()).add(f.status.value)
        by_case.setdefault(name, set())
    return sorted(actual, key=lambda d: (d["case"], d["address"], d["path"], d["status"])), by_case


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fixture(rule_id, tmp_path):
    folder = TESTDATA / "rules" / rule_id
    spec = json.loads((folder / "resources.json").read_text())
    if "cases" in spec:
        rule = next(r for r in ALL_RULES if r.meta.id == rule_id)()
        actual, by_case = _case_findings(folder, spec, rule, tmp_path)
        expected_file = folder / "expected.json"
        if UPDATE_GOLDEN or not expected_file.exists():
            expected_file.write_text(json.dumps(actual, indent=2) + "\n")
        assert actual == json.loads(expected_file.read_text())
        for name, statuses in by_case.items():
            if name.startswith("bad_"):
                assert "fail" in statuses, f"case {name} should fail {rule_id}"
            elif name.startswith("unknown_"):
                assert statuses == {"unknown"}, f"case {name} should be unknown for {rule_id}"
            elif name.startswith("good_"):
                assert not statuses, f"case {name} should pass {rule_id}"
        assert any(n.startswith("bad_") for n in by_case) and any(n.startswith("good_") for n in by_case)
        return
    plan = write_plan(spec["resources"], tmp_path / "plan.json")
    rule = next(r for r in ALL_RULES if r.meta.id == rule_id)()
    report = scan([str(plan)], [rule])
    assert not report.errors, [e.line() for e in report.errors]
    actual = sorted(
        ({"address": f.address, "status": f.status.value, "path": f.path_text} for f in report.findings),
        key=lambda d: (d["address"], d["path"], d["status"]),
    )
    expected_file = folder / "expected.json"
    if UPDATE_GOLDEN or not expected_file.exists():
        expected_file.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(expected_file.read_text())

    by_name: dict[str, set[str]] = {}
    for f in report.findings:
        by_name.setdefault(_resource_name(f.address), set()).add(f.status.value)
    names = {_resource_name(r["address"]) for r in spec["resources"]}
    for name in names:
        if name.startswith("bad_"):
            assert "fail" in by_name.get(name, set()), f"{name} should fail {rule_id}"
        elif name.startswith("unknown_"):
            assert by_name.get(name) == {"unknown"}, f"{name} should be unknown for {rule_id}"
        elif name.startswith("good_"):
            assert name not in by_name, f"{name} should pass {rule_id}"
    assert any(n.startswith("bad_") for n in names) and any(n.startswith("good_") for n in names)
    # Every finding says what to do and where the rule is documented.
    for f in report.findings:
        assert f.message and f.remediation and f.meta.docs_url == f"docs/rules/{rule_id}.md"


HCL_TWINS = [r for r in RULE_IDS if (TESTDATA / "rules" / r / "main.tf").exists()]


@pytest.mark.parametrize("rule_id", HCL_TWINS)
def test_rule_fixture_from_hcl(rule_id, tmp_path):
    """A fixture folder with a main.tf holds the same resources as Terraform source:
    scanned in HCL mode it gives the same (address, status) set as the plan fixture."""
    folder = TESTDATA / "rules" / rule_id
    spec = json.loads((folder / "resources.json").read_text())
    rule = next(r for r in ALL_RULES if r.meta.id == rule_id)
    from_plan = scan([str(write_plan(spec["resources"], tmp_path / "plan.json"))], [rule()])
    from_hcl = scan([str(folder)], [rule()])
    assert not from_hcl.errors, [e.line() for e in from_hcl.errors]
    assert sorted({(f.address, f.status.value) for f in from_hcl.findings}) == sorted(
        {(f.address, f.status.value) for f in from_plan.findings}
    )
    assert all(f.file and f.line for f in from_hcl.findings)
