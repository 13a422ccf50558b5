"""The before side reuses the after side's typed resource when the change leaves a
resource exactly as it was, and only then: the gate's verdicts are the same as if
each side were modelled on its own."""

from __future__ import annotations

import json

from planfixture import build_plan, write_plan

from tfecs.inputs.plan import read_plan
from tfecs.model.inventory import Inventory

OLD = {"name": "old", "image_tag_mutability": "MUTABLE"}
SAFE = {"name": "old", "image_tag_mutability": "IMMUTABLE"}


def sides(resources):
    raws = read_plan(json.dumps(build_plan(resources)).encode(), "plan.json").resources
    after = Inventory.build(raws)
    return after, Inventory.build(raws, side="before", reuse=after)


def repo(name, values, **kw):
    return {"address": f"aws_ecr_repository.{name}", "values": values, **kw}


def test_an_unchanged_resource_is_the_same_object_on_both_sides():
    after, before = sides([repo("old", OLD, actions=["no-op"], before=OLD)])
    assert before.by_address["aws_ecr_repository.old"] is after.by_address["aws_ecr_repository.old"]


def test_a_changed_resource_is_modelled_from_its_before_values():
    after, before = sides([repo("old", SAFE, actions=["update"], before=OLD)])
    assert before.by_address["aws_ecr_repository.old"] is not after.by_address["aws_ecr_repository.old"]
    assert before.by_address["aws_ecr_repository.old"].image_tag_mutability == "MUTABLE"


def test_a_no_op_whose_values_differ_is_not_trusted():
    # A plan can say no-op and still show other values: the values decide, not the action.
    after, before = sides([repo("old", SAFE, actions=["no-op"], before=OLD)])
    assert before.by_address["aws_ecr_repository.old"].image_tag_mutability == "MUTABLE"


def test_unknown_or_differently_sensitive_values_are_modelled_again():
    unknown = repo("u", OLD, actions=["update"], before=OLD, unknown={"image_tag_mutability": True})
    after, before = sides([unknown])
    assert before.by_address["aws_ecr_repository.u"] is not after.by_address["aws_ecr_repository.u"]
    assert not before.by_address["aws_ecr_repository.u"].is_unknown("image_tag_mutability")


def test_the_gate_still_sees_a_setting_made_worse_under_a_false_no_op(run_cli, tmp_path):
    plan = write_plan([repo("old", {"name": "old", "image_tag_mutability": "MUTABLE"}, actions=["no-op"], before=SAFE)], tmp_path / "plan.json")
    code, out, _ = run_cli("scan", str(plan), "-f", "json", "--rule", "ecr-tag-mutable")
    report = json.loads(out)
    assert code == 1
    assert [(f["rule"], f["address"], f["delta"]) for f in report["findings"]] == [("ecr-tag-mutable", "aws_ecr_repository.old", "introduced")]


def test_a_container_rule_judges_a_shared_task_definition_once():
    from tfecs import engine
    from tfecs_rules import ALL_RULES

    cls = next(r for r in ALL_RULES if r.meta.id == "ecs-privileged-container")
    calls = []

    class Counting(cls):
        def judge_task(self, td):
            calls.append(td.address)
            return super().judge_task(td)

    priv = {"family": "f", "container_definitions": [{"name": "app", "image": "app:1", "privileged": True}]}
    safe = {"family": "g", "container_definitions": [{"name": "app", "image": "app:1"}]}
    after, before = sides([
        {"address": "aws_ecs_task_definition.same", "values": priv, "actions": ["no-op"], "before": priv},
        {"address": "aws_ecs_task_definition.worse", "values": priv, "actions": ["update"], "before": safe},
    ])
    rule = Counting()
    found, _ = engine.run([rule], after)
    prior, _ = engine.run([rule], before)
    assert sorted(calls) == ["aws_ecs_task_definition.same", "aws_ecs_task_definition.worse", "aws_ecs_task_definition.worse"]
    assert [(f.address, f.status.value) for f in found] == [("aws_ecs_task_definition.same", "fail"), ("aws_ecs_task_definition.worse", "fail")]
    assert [(f.address, f.status.value) for f in prior] == [("aws_ecs_task_definition.same", "fail")]


def test_a_caller_about_to_exit_can_keep_the_scans_objects(tmp_path):
    from tfecs.cli import load_rules
    from tfecs.scan import scan

    plan = write_plan([repo("old", SAFE, actions=["update"], before=OLD)], tmp_path / "plan.json")
    kept: list = []
    report = scan([str(plan), str(plan)], [r for r in load_rules() if r.meta.id == "ecr-tag-mutable"], retain=kept)
    assert len(kept) == 2 and report.findings == []
    raws, after, before, prior = kept[0]
    assert [r.address for r in raws] == ["aws_ecr_repository.old"]
    assert after.by_address["aws_ecr_repository.old"].image_tag_mutability == "IMMUTABLE"
    assert before.by_address["aws_ecr_repository.old"].image_tag_mutability == "MUTABLE"
    assert [f.rule for f in prior] == ["ecr-tag-mutable"]


def test_a_statement_rule_judges_a_shared_policy_once():
    from tfecs import engine
    from tfecs_rules import ALL_RULES

    cls = next(r for r in ALL_RULES if r.meta.id == "iam-passrole-wildcard")
    judged = []

    class Counting(cls):
        def judge(self, statement):
            judged.append(statement.index)
            return super().judge(statement)

    wild = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    narrow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/x"}]}
    after, before = sides([
        {"address": "aws_iam_policy.same", "values": {"name": "same", "policy": wild}, "actions": ["no-op"], "before": {"name": "same", "policy": wild}},
        {"address": "aws_iam_policy.worse", "values": {"name": "worse", "policy": wild}, "actions": ["update"], "before": {"name": "worse", "policy": narrow}},
    ])
    rule = Counting()
    found, _ = engine.run([rule], after)
    calls_after = len(judged)
    prior, _ = engine.run([rule], before)
    assert calls_after == 2 and len(judged) == 3  # the before side judged only the changed policy
    assert [f.address for f in found] == ["aws_iam_policy.same", "aws_iam_policy.worse"]
    assert [f.address for f in prior] == ["aws_iam_policy.same"]
