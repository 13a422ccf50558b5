"""The `account` profile: profile selection, whole-configuration findings (on each trail
or on `account`) through the change gate, EventBridge pattern matching, and the real
account-baseline plans (made by testdata/terraform/account_make_plans.sh)."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA
from planfixture import write_plan

from tfecs.model.events import EventPattern, Family, Open, matches

REAL = TESTDATA / "plans" / "real"
ACCOUNT_RULES = [
    "inspector-ecr-scanning-disabled",
    "inspector-findings-alert-missing",
    "monitoring-ecs-changes-alert-missing",
    "monitoring-ecs-scheduled-tasks-alert-missing",
    "monitoring-root-activity-alert-missing",
]
ROOT = {"detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
TRAIL = {"address": "aws_cloudtrail.main", "values": {"name": "main"}}


def findings(run_cli, *args):
    code, out, err = run_cli("scan", *args, "-f", "json")
    report = json.loads(out) if out else None
    return code, report, err


def rows(report):
    return sorted((f["rule"], f["address"], f["status"], f["delta"]) for f in report["findings"])


# Real plans --------------------------------------------------------------------------------
def test_insecure_baseline_names_every_missing_alert(run_cli):
    code, report, _ = findings(run_cli, str(REAL / "account_baseline_insecure.json"), "--profile", "account")
    assert code == 1
    assert rows(report) == [(rule, "aws_cloudtrail.main", "fail", "introduced") for rule in ACCOUNT_RULES]
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert "aws_cloudwatch_event_rule.bad_ecs_no_target has no target" in by_rule["monitoring-ecs-changes-alert-missing"]["message"]
    assert "aws_cloudwatch_event_rule.bad_schedules_disabled is disabled" in by_rule["monitoring-ecs-scheduled-tasks-alert-missing"]["message"]
    assert all(f["blocking"] for f in report["findings"])


def test_secure_baseline_gives_no_finding(run_cli):
    code, report, _ = findings(run_cli, str(REAL / "account_baseline_secure.json"), "--profile", "account")
    assert (code, report["findings"], report["errors"]) == (0, [], [])


@pytest.mark.parametrize("scenario", ["account_baseline_secure", "account_baseline_insecure"])
def test_hcl_mode_agrees_with_the_real_plan(run_cli, scenario):
    _, from_plan, _ = findings(run_cli, str(REAL / f"{scenario}.json"), "--profile", "account")
    _, from_hcl, _ = findings(run_cli, str(TESTDATA / "terraform" / scenario), "--profile", "account")
    assert [(f["rule"], f["address"], f["status"]) for f in from_hcl["findings"]] == [
        (f["rule"], f["address"], f["status"]) for f in from_plan["findings"]
    ]
    assert all(f["file"] == f"testdata/terraform/{scenario}/main.tf" and f["line"] for f in from_hcl["findings"])


def test_account_rules_do_not_run_without_the_profile(run_cli):
    code, report, _ = findings(run_cli, str(REAL / "account_baseline_insecure.json"))
    assert code == 0 and not any(f["rule"] in ACCOUNT_RULES for f in report["findings"])
    assert report["summary"]["rules"] == 49


# Profiles ----------------------------------------------------------------------------------
def test_rule_option_on_a_profile_rule_implies_its_profile(run_cli):
    code, report, _ = findings(run_cli, str(REAL / "account_baseline_insecure.json"), "--rule", "monitoring-root-activity-alert-missing")
    assert code == 1
    assert rows(report) == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main", "fail", "introduced")]
    # A prefix that names no profile rule does not bring the profile in.
    code, report, _ = findings(run_cli, str(REAL / "account_baseline_insecure.json"), "--rule", "ecs-")
    assert code == 0 and report["findings"] == []


def test_unknown_profile_is_an_error(run_cli):
    code, out, err = run_cli("scan", str(REAL / "account_baseline_secure.json"), "--profile", "acount")
    assert code == 2 and out == "" and "no profile 'acount'" in err


def test_rules_command_shows_profiles(run_cli):
    code, out, _ = run_cli("rules", "--format", "json")
    profiles = {r["id"]: r["profile"] for r in json.loads(out)}
    assert code == 0 and {r for r, p in profiles.items() if p == "account"} == set(ACCOUNT_RULES)
    assert profiles["dockerfile-user-missing"] is None and profiles["ecs-privileged-container"] is None
    code, out, _ = run_cli("rules")
    header = out.splitlines()[0].split()
    assert "profile" in header
    line = next(l for l in out.splitlines() if l.startswith("monitoring-root-activity-alert-missing"))
    assert " account " in line


def test_in_profiles_function():
    from tfecs.profiles import in_profiles
    from tfecs_rules import ALL_RULES

    default = in_profiles(list(ALL_RULES))
    assert len(default) == len(ALL_RULES) - 5 and not any(r.meta.profile for r in default)
    assert len(in_profiles(list(ALL_RULES), ["account"])) == len(ALL_RULES)


# Whole-configuration findings and the gate -------------------------------------------------
def _rule(name, pattern, **kw):
    return {"address": f"aws_cloudwatch_event_rule.{name}", "values": {"name": name, "event_pattern": json.dumps(pattern)}, **kw}


def _target(name, **kw):
    return {
        "address": f"aws_cloudwatch_event_target.{name}",
        "values": {"rule": name, "arn": "arn:aws:sns:us-east-1:123456789012:security"},
        "references": {"rule": [f"aws_cloudwatch_event_rule.{name}.name", f"aws_cloudwatch_event_rule.{name}"]},
        **kw,
    }


def scan_root(run_cli, tmp_path, resources):
    plan = write_plan(resources, tmp_path / "plan.json")
    return findings(run_cli, str(plan), "--rule", "monitoring-root-activity-alert-missing")


def test_deleting_the_last_matching_rule_introduces_the_finding(run_cli, tmp_path):
    trail = {**TRAIL, "actions": ["no-op"], "before": TRAIL["values"]}
    rule = _rule("root", ROOT, actions=["delete"], before={"name": "root", "event_pattern": json.dumps(ROOT)})
    target = _target("root", actions=["delete"], before={"rule": "root", "arn": "arn:aws:sns:us-east-1:123456789012:security"})
    code, report, _ = scan_root(run_cli, tmp_path, [trail, rule, target])
    assert code == 1
    assert rows(report) == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main", "fail", "introduced")]
    assert report["fixed"] == []


def test_adding_the_rule_lists_the_finding_as_fixed(run_cli, tmp_path):
    trail = {**TRAIL, "actions": ["no-op"], "before": TRAIL["values"]}
    code, report, _ = scan_root(run_cli, tmp_path, [trail, _rule("root", ROOT), _target("root")])
    assert (code, report["findings"]) == (0, [])
    assert [(x["rule"], x["address"]) for x in report["fixed"]] == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main")]


def test_an_existing_absence_stays_existing_when_a_trail_is_added(run_cli, tmp_path):
    """Before: no trail (the finding on `account`); after: a new trail carries it. The
    fact did not change: neither introduced nor fixed."""
    topic = {"address": "aws_sns_topic.t", "values": {"name": "t"}, "actions": ["no-op"], "before": {"name": "t"}}
    code, report, _ = scan_root(run_cli, tmp_path, [topic, TRAIL])
    assert code == 0
    assert rows(report) == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main", "fail", "existing")]
    assert report["fixed"] == []


def test_no_trail_puts_the_finding_on_account(run_cli, tmp_path):
    code, report, _ = scan_root(run_cli, tmp_path, [{"address": "aws_sns_topic.t", "values": {"name": "t"}}])
    assert code == 1
    (f,) = report["findings"]
    assert (f["address"], f["resource_type"], f["delta"], f["file"]) == ("account", "account", "introduced", None)
    assert f["input"].endswith("plan.json")


def test_each_trail_carries_the_finding(run_cli, tmp_path):
    other = {"address": "aws_cloudtrail.org", "values": {"name": "org"}}
    code, report, _ = scan_root(run_cli, tmp_path, [TRAIL, other])
    assert [f["address"] for f in report["findings"]] == ["aws_cloudtrail.main", "aws_cloudtrail.org"]


def test_pattern_unknown_in_the_plan_is_unknown(run_cli, tmp_path):
    rule = {"address": "aws_cloudwatch_event_rule.root", "values": {"name": "root"}, "unknown": {"event_pattern": True}}
    code, report, _ = scan_root(run_cli, tmp_path, [TRAIL, rule, _target("root")])
    assert code == 0
    assert rows(report) == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main", "unknown", "introduced")]
    assert "aws_cloudwatch_event_rule.root.event_pattern" in report["findings"][0]["message"]


def test_invalid_pattern_json_is_a_resource_error(run_cli, tmp_path):
    rule = {"address": "aws_cloudwatch_event_rule.root", "values": {"name": "root", "event_pattern": "{not json"}}
    code, _, err = scan_root(run_cli, tmp_path, [TRAIL, rule])
    assert code == 2 and "aws_cloudwatch_event_rule.root: event_pattern is not valid JSON" in err


# Pattern matching --------------------------------------------------------------------------
EVENT = {
    "source": "aws.ecs",
    "detail-type": "ECS Task State Change",
    "detail": {"lastStatus": "STOPPED", "count": 5, "ip": "10.0.1.7", "tags": ["a", "b"]},
}


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ({"source": ["aws.ecs"]}, True),
        ({"source": ["aws.ec2", "aws.ecs"]}, True),
        ({"source": ["aws.ec2"]}, False),
        ({"source": [{"prefix": "aws."}]}, True),
        ({"source": [{"suffix": ".ecs"}]}, True),
        ({"source": [{"anything-but": "aws.ecs"}]}, False),
        ({"source": [{"anything-but": ["aws.ec2", "aws.s3"]}]}, True),
        ({"source": [{"anything-but": {"prefix": "aws."}}]}, False),
        ({"detail-type": [{"equals-ignore-case": "ecs task state change"}]}, True),
        ({"detail-type": [{"wildcard": "ECS * Change"}]}, True),
        ({"detail": {"lastStatus": ["STOPPED"], "count": [{"numeric": [">", 1, "<=", 5]}]}}, True),
        ({"detail": {"count": [{"numeric": [">", 5]}]}}, False),
        ({"detail": {"missing": [{"exists": False}]}}, True),
        ({"detail": {"lastStatus": [{"exists": True}]}}, True),
        ({"detail": {"missing": [{"anything-but": "x"}]}}, False),
        ({"detail": {"ip": [{"cidr": "10.0.0.0/16"}]}}, True),
        ({"detail": {"tags": ["b"]}}, True),
        ({"detail": {"lastStatus": {"nested": ["x"]}}}, False),
        ({"$or": [{"source": ["aws.ec2"]}, {"detail": {"lastStatus": ["STOPPED"]}}]}, True),
        ({"source": ["aws.ecs"], "detail-type": ["Other"]}, False),
    ],
)
def test_matches_like_eventbridge(pattern, expected):
    assert matches(pattern, EVENT) is expected


FAMILY = Family("root API call", {"detail-type": "AWS API Call via CloudTrail", "detail.userIdentity.type": "Root"}, {"source": Open(prefix="aws.")})


def test_covers_every_event_of_a_family():
    assert EventPattern({"detail": {"userIdentity": {"type": ["Root"]}}}).covers(FAMILY) is True
    assert EventPattern({"source": ["aws.s3"], "detail": {"userIdentity": {"type": ["Root"]}}}).covers(FAMILY) is True  # the sources named
    assert EventPattern({"source": ["custom.app"], "detail": {"userIdentity": {"type": ["Root"]}}}).covers(FAMILY) is False
    assert EventPattern({"detail": {"userIdentity": {"type": ["IAMUser"]}}}).covers(FAMILY) is False
    assert EventPattern({"detail": {"eventName": ["ConsoleLogin"]}}).covers(FAMILY) is False  # narrower
    assert EventPattern({}).covers(FAMILY) is True


def test_unknown_parts_leave_the_answer_open():
    # HCL mode hands a partly known jsonencode(...) on decoded, with an unknown tree.
    doc = {"detail-type": ["AWS API Call via CloudTrail", None], "detail": {"userIdentity": {"type": [None]}}}
    tree = {"detail-type": [False, True], "detail": {"userIdentity": {"type": [True]}}}
    assert EventPattern(doc, tree).covers(FAMILY) is None
    # A known part that already rules the family out decides, unknown parts or not.
    doc2 = {"detail-type": ["Other"], "detail": {"userIdentity": {"type": [None]}}}
    assert EventPattern(doc2, {"detail": {"userIdentity": {"type": [True]}}}).covers(FAMILY) is False
    assert EventPattern(None, True).covers(FAMILY) is None


PARTLY_KNOWN = """
variable "src" {}
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = "trail"
}
resource "aws_cloudwatch_event_rule" "inspector" {
  name          = "inspector"
  event_pattern = jsonencode({ source = [var.src], "detail-type" = ["Inspector2 Finding"] })
}
resource "aws_cloudwatch_event_rule" "other" {
  name          = "other"
  event_pattern = jsonencode({ source = [var.src], "detail-type" = ["Something Else"] })
}
resource "aws_cloudwatch_event_target" "inspector" {
  rule = aws_cloudwatch_event_rule.inspector.name
  arn  = "arn:aws:sns:us-east-1:123456789012:security"
}
"""


@pytest.mark.parametrize("var, expected", [(None, "unknown"), ("src=aws.inspector2", None), ("src=custom.app", "fail")])
def test_hcl_partly_known_pattern(run_cli, tmp_path, var, expected):
    """HCL mode hands a partly known jsonencode(...) on decoded: the known detail-type of
    `other` rules it out, the unknown source of `inspector` leaves it open until given."""
    (tmp_path / "main.tf").write_text(PARTLY_KNOWN)
    args = [str(tmp_path), "--rule", "inspector-findings-alert-missing"] + (["--var", var] if var else [])
    code, report, _ = findings(run_cli, *args)
    assert [f["status"] for f in report["findings"]] == ([expected] if expected else [])
    if expected == "unknown":
        assert report["findings"][0]["message"].endswith("(aws_cloudwatch_event_rule.inspector.event_pattern)")


def test_deeply_nested_patterns_are_bounded():
    """A hostile pattern cannot exhaust the stack: nesting under a field no family knows
    narrows at once, and `$or` chains stop at EventBridge-like depths."""
    ors: dict = {}
    cur = ors
    for _ in range(5000):
        cur["$or"] = [{}]
        cur = cur["$or"][0]
    assert EventPattern(ors).covers(FAMILY) is False
    assert matches(ors, EVENT) is False
    deep: dict = {"detail": {}}
    cur = deep["detail"]
    for _ in range(5000):
        cur["a"] = {}
        cur = cur["a"]
    assert EventPattern(deep).covers(FAMILY) is False


def test_thousands_of_alternatives_are_not_tried_against_each_other(monkeypatch):
    """An open field's alternatives were each tried against every value the pattern
    names: 5,000 + 5,000 took 14 s, 50,000 about half an hour. A literal of the domain
    answers at once; the other alternatives meet the domain's own samples only."""
    from tfecs.model import events

    calls = 0
    accepts = events._accepts

    def counting(cond, value):
        nonlocal calls
        calls += 1
        return accepts(cond, value)

    monkeypatch.setattr(events, "_accepts", counting)
    n = 2000
    source = [{"suffix": f"nomatch{i}"} for i in range(n)] + [f"aws.s{i}" for i in range(n)]
    pattern = {"source": source, "detail": {"userIdentity": {"type": ["Root"]}}}
    assert EventPattern(pattern).covers(FAMILY) is True
    assert calls < 10
    calls = 0
    narrower = {"source": [{"suffix": f"nomatch{i}"} for i in range(n)], "detail": {"userIdentity": {"type": ["Root"]}}}
    assert EventPattern(narrower).covers(FAMILY) is False
    assert calls <= 2 * n + 10


def test_real_change_plan_introduces_and_fixes_whole_configuration_findings(run_cli):
    """account_change: planned by real Terraform against a state of before/. Deleting the
    root-activity rule and its target introduces the finding (on the trail, which the
    change does not delete); enabling Inspector for ECR lists inspector-ecr-scanning-disabled
    as fixed; the other alerts stay present."""
    plan = json.loads((REAL / "account_change.json").read_text())
    actions = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert actions["aws_cloudwatch_event_rule.good_root"] == ["delete"]
    assert actions["aws_cloudwatch_event_target.good_root"] == ["delete"]
    assert actions["aws_inspector2_enabler.good"] == ["update"]
    code, report, _ = findings(run_cli, str(REAL / "account_change.json"), "--profile", "account")
    assert code == 1
    assert rows(report) == [("monitoring-root-activity-alert-missing", "aws_cloudtrail.main", "fail", "introduced")]
    assert [(x["rule"], x["address"]) for x in report["fixed"]] == [("inspector-ecr-scanning-disabled", "aws_cloudtrail.main")]


@pytest.mark.slow
# account_change is re-planned by the harness (tests/test_regenerate_plans.py), which builds
# its prior state the same way as every change scenario.
@pytest.mark.parametrize("scenario", ["account_baseline_secure", "account_baseline_insecure"])
def test_committed_account_plans_are_current(scenario, tmp_path):
    """Re-plan with real Terraform + the provider 5.100.0 mirror and compare what the rules
    read (addresses, actions, before/after values) with the committed plan."""
    import os
    import shutil
    import subprocess
    import sys

    mirror = os.environ.get("TFECS_TF_MIRROR", "/opt/tf-plugins")
    if not shutil.which("terraform") or not os.path.isdir(os.path.join(mirror, "registry.terraform.io")):
        pytest.skip("needs terraform on PATH and the AWS provider 5.100.0 filesystem mirror")
    script = TESTDATA / "terraform" / "account_make_plans.py"
    subprocess.run([sys.executable, str(script), "--mirror", mirror, "--out", str(tmp_path), scenario], check=True, capture_output=True)

    def changes(doc):
        return {rc["address"]: (rc["change"]["actions"], rc["change"]["before"], rc["change"]["after"]) for rc in doc["resource_changes"]}

    fresh = json.loads((tmp_path / f"{scenario}.json").read_text())
    assert changes(fresh) == changes(json.loads((REAL / f"{scenario}.json").read_text()))
