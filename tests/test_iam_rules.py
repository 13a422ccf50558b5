"""IAM: the policy model (IAM's grammar and matching), role resolution through the plan's
references, and the IAM rules' exact findings on plans made by real Terraform."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA
from planfixture import write_plan

from tfecs.inputs.plan import read_plan
from tfecs.inputs.raw import RawResource
from tfecs.model.ecs import TaskDefinition
from tfecs.model.iam import COMPUTED, IamRole, PolicyDocument, PolicyDocumentData, Statement, role_name, same_role_ref, wildcard_match
from tfecs.model.inventory import Inventory
from tfecs.scan import scan
from tfecs_rules import ALL_RULES

IAM_RULES = (
    "iam-admin-policy",
    "iam-service-wildcard-action",
    "iam-passrole-wildcard",
    "iam-ecs-exec-wildcard",
    "iam-secrets-read-wildcard",
    "iam-role-trust-any-principal",
    "ecs-trust-policy-confused-deputy",
    "ecs-task-role-admin",
    "ecs-task-role-same-as-execution-role",
    "ecs-task-role-missing",
)
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
TRUST_ECS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ],
}


def parse(*statements: dict) -> tuple[Statement, ...]:
    doc = PolicyDocument.parse({"Version": "2012-10-17", "Statement": list(statements)})
    assert doc is not None
    return doc.statements


def one(**statement) -> Statement:
    return parse({"Effect": "Allow", **statement})[0]


# The policy grammar -------------------------------------------------------------------
def test_statement_as_object_or_list():
    obj = PolicyDocument.parse({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    lst = PolicyDocument.parse({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]})
    assert obj.statements[0].actions == lst.statements[0].actions == ("s3:GetObject",)
    assert obj.statements[0].resources == lst.statements[0].resources == ("*",)
    assert [s.index for s in parse({"Effect": "Deny", "Action": "*"}, {"Effect": "Allow", "Action": "s3:*"})] == [0, 1]


def test_not_a_policy_is_an_error_not_an_empty_policy():
    from tfecs.model.base import JsonDecodeError

    for bad, message in [
        ("not a dict", "policy is not a JSON object"),
        ([{"Effect": "Allow", "Action": "*", "Resource": "*"}], "policy is not a JSON object"),
        ({"Statement": "*"}, "policy Statement is neither an object nor an array"),
        ({"Statement": [{"Effect": "Deny", "Action": "*"}, ["*"]]}, r"policy Statement\[1\] is not a JSON object"),
    ]:
        with pytest.raises(JsonDecodeError, match=message):
            PolicyDocument.parse(bad)
    assert PolicyDocument.parse({"Version": "2012-10-17"}).statements == ()


def test_a_policy_that_is_not_an_object_is_a_resource_error(tmp_path):
    from planfixture import build_plan

    doc = build_plan([{"address": "aws_iam_policy.p", "values": {"name": "p", "policy": "[]"}}])
    (tmp_path / "p.json").write_text(json.dumps(doc))
    report = scan([str(tmp_path / "p.json")], [r() for r in ALL_RULES if r.meta.id == "iam-admin-policy"])
    assert [(e.kind, e.where, e.message) for e in report.errors] == [
        ("resource", "aws_iam_policy.p", "policy: Value error, policy is not a JSON object")
    ]
    assert report.exit_code == 2


@pytest.mark.parametrize(
    "glob, action, expected",
    [
        ("iam:PassRole", "iam:PassRole", True),
        ("iam:Pass*", "iam:PassRole", True),
        ("iam:*", "iam:PassRole", True),
        ("*", "iam:PassRole", True),
        ("*:*", "iam:PassRole", True),
        ("iam:PassRol?", "iam:PassRole", True),
        ("iam:Pass?", "iam:PassRole", False),
        ("IAM:passrole", "iam:PassRole", True),  # actions are case-insensitive
        ("iam:PassRoles", "iam:PassRole", False),
        ("iam:Get*", "iam:PassRole", False),
        ("s3:*", "iam:PassRole", False),
        ("ssm:GetParameter*", "ssm:GetParametersByPath", True),
        ("ssm:GetParameter*", "ssm:PutParameter", False),
        ("iam:Pass.Role", "iam:PassXRole", False),  # `.` is not a wildcard
    ],
)
def test_wildcard_matching_as_iam_does_it(glob, action, expected):
    assert wildcard_match(glob, action) is expected
    assert one(Action=glob, Resource="*").allows(action) is expected


def test_action_and_not_action():
    assert one(Action=["s3:GetObject", "iam:PassRole"]).allows("iam:passrole")
    not_iam = one(NotAction="iam:*", Resource="*")
    assert not not_iam.allows("iam:PassRole") and not_iam.allows("s3:DeleteBucket")
    assert not one(Resource="*").allows("s3:GetObject")  # neither Action nor NotAction


def test_deny_never_allows():
    deny = parse({"Effect": "Deny", "Action": "*", "Resource": "*"})[0]
    assert not deny.allows("iam:PassRole")
    assert not deny.grants_admin and deny.service_wildcards == () and not deny.allows_assume
    deny_trust = parse({"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"})[0]
    assert deny_trust.any_principal and not deny_trust.allows_assume


@pytest.mark.parametrize(
    "statement, any_resource",
    [
        ({"Resource": "*"}, True),
        ({"Resource": ["arn:aws:s3:::b", "*"]}, True),
        ({"Resource": "arn:aws:s3:::b/*"}, False),
        ({"Resource": ["arn:aws:iam::*:role/*"]}, False),  # only a bare `*` is every resource
        ({"NotResource": "arn:aws:iam::123456789012:role/admin"}, True),
        ({"NotResource": ["arn:aws:s3:::b"]}, True),
        ({}, False),
    ],
)
def test_resource_and_not_resource(statement, any_resource):
    assert one(Action="s3:GetObject", **statement).any_resource is any_resource


def test_admin_grants():
    assert one(Action="*", Resource="*").grants_admin
    assert one(Action=["*:*"], Resource=["*"]).grants_admin
    assert one(NotAction=["iam:*"], Resource="*").grants_admin
    assert not one(Action="*", Resource="arn:aws:s3:::b/*").grants_admin
    assert not one(Action="s3:*", Resource="*").grants_admin
    assert not one(Action="s3:GetObject", NotAction="iam:*", Resource="*").grants_admin


def test_service_wildcards():
    st = one(Action=["s3:*", "S3:GetObject", "ECR:*", "*", "*:*", "s3:Get*", "s3:*Object", "execute-api:*"], Resource="*")
    assert st.service_wildcards == ("s3:*", "ECR:*", "execute-api:*")


@pytest.mark.parametrize(
    "principal, any_principal, services",
    [
        ("*", True, ()),
        ({"AWS": "*"}, True, ()),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, True, ()),
        ({"AWS": "arn:aws:iam::111122223333:root"}, False, ()),
        ("arn:aws:iam::111122223333:root", False, ()),
        ({"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]}, False, ("ecs-tasks.amazonaws.com", "ec2.amazonaws.com")),
        ({"Service": "ecs-tasks.amazonaws.com"}, False, ("ecs-tasks.amazonaws.com",)),
        ({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, False, ()),
    ],
)
def test_principals(principal, any_principal, services):
    st = one(Action="sts:AssumeRole", Principal=principal)
    assert st.any_principal is any_principal
    assert st.service_principals() == services
    assert st.trusts_service("ECS-TASKS.amazonaws.com") is ("ecs-tasks.amazonaws.com" in services)
    assert st.allows_assume


def test_assume_actions():
    assert one(Action="sts:AssumeRoleWithWebIdentity", Principal="*").allows_assume
    assert one(Action="sts:*", Principal="*").allows_assume
    assert not one(Action="sts:TagSession", Principal="*").allows_assume


def test_conditions():
    st = one(
        Action="iam:PassRole",
        Resource="*",
        Condition={
            "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
            "ArnLike": {"AWS:SourceArn": ["arn:aws:ecs:us-east-1:123456789012:*"]},
        },
    )
    assert st.conditions["StringEquals"] == {"iam:PassedToService": ("ecs-tasks.amazonaws.com",)}
    assert st.has_condition_key("IAM:PASSEDTOSERVICE")  # keys are case-insensitive
    assert st.has_condition_key("aws:SourceAccount", "aws:SourceArn")
    assert not st.has_condition_key("aws:SourceAccount")
    assert st.condition_values("aws:sourcearn") == ("arn:aws:ecs:us-east-1:123456789012:*",)
    assert one(Action="iam:PassRole", Resource="*").conditions == {}


def test_role_references():
    assert role_name("arn:aws:iam::123456789012:role/path/to/app-task") == "app-task"
    assert role_name("app-task") == "app-task"
    assert same_role_ref("App-Task", "arn:aws:iam::123456789012:role/app-task")
    assert same_role_ref("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/A")
    assert not same_role_ref("arn:aws:iam::111111111111:role/a", "arn:aws:iam::222222222222:role/a")
    assert not same_role_ref("app-task", "app-execution")


# data.aws_iam_policy_document read only at apply ----------------------------------------
def data_doc(statement: list, unknown: dict, **values) -> PolicyDocumentData:
    raw = RawResource(
        address="data.aws_iam_policy_document.d",
        mode="data",
        type="aws_iam_policy_document",
        name="d",
        actions=("read",),
        after={"json": None, "statement": statement, **values},
        after_unknown={"json": True, **unknown},
        configured=frozenset({"statement", *values}),
    )
    return PolicyDocumentData.build(raw)


def test_deferred_data_source_with_computed_resources_is_judged():
    doc = data_doc(
        [{"actions": ["iam:PassRole"], "resources": ["*", None], "principals": [{"type": "AWS", "identifiers": [None]}],
          "condition": [{"test": "StringEquals", "variable": "iam:PassedToService", "values": [None]}]}],
        {"statement": [{"actions": [False], "resources": [False, True], "principals": [{"identifiers": [True]}],
                        "condition": [{"values": [True]}]}]},
    ).document
    st = doc.statements[0]
    assert st.effect == "Allow"  # unset in the block: IAM's default
    assert st.resources == ("*", COMPUTED) and st.any_resource
    assert st.principals == {"AWS": (COMPUTED,)} and not st.any_principal
    assert st.has_condition_key("iam:PassedToService")


def test_computed_resource_is_not_a_wildcard():
    st = data_doc([{"actions": ["kms:Decrypt"], "resources": [None]}], {"statement": [{"resources": [True]}]}).document.statements[0]
    assert st.resources == (COMPUTED,) and not st.any_resource


@pytest.mark.parametrize(
    "statement, unknown, element",
    [
        ([{"actions": [None], "resources": ["*"]}], {"statement": [{"actions": [True]}]}, "Action"),
        ([{"actions": ["s3:GetObject"], "resources": None}], {"statement": [{"resources": True}]}, "Resource"),
        ([{"actions": ["s3:GetObject"], "effect": None}], {"statement": [{"effect": True}]}, "Effect"),
        ([{"actions": ["sts:AssumeRole"], "principals": [{"type": None, "identifiers": ["*"]}]}],
         {"statement": [{"principals": [{"type": True}]}]}, "Principal"),
        ([{"actions": ["sts:AssumeRole"], "condition": [{"test": "StringEquals", "variable": None, "values": ["1"]}]}],
         {"statement": [{"condition": [{"variable": True}]}]}, "Condition"),
    ],
    ids=["action", "whole-resource-list", "effect", "principal-type", "condition-key"],
)
def test_deferred_data_source_unknown_statement(statement, unknown, element):
    """An unknown deciding part leaves that statement unknown (rules give unknown for it)."""
    (st,) = data_doc(statement, unknown).document.statements
    assert (st.unknown, st.unknown_elements) == (True, (element,))


@pytest.mark.parametrize(
    "statement, unknown, values",
    [
        ([], {"statement": True}, {}),
        ([{"actions": ["s3:GetObject"], "resources": ["*"]}], {}, {"source_policy_documents": ['{"Statement":[]}']}),
        ([{"actions": ["s3:GetObject"], "resources": ["*"]}], {"override_policy_documents": True}, {"override_policy_documents": None}),
    ],
    ids=["all-statements", "merged", "merged-unknown"],
)
def test_deferred_data_source_unknown_parts(statement, unknown, values):
    assert data_doc(statement, unknown, **values).document is None


# Role resolution --------------------------------------------------------------------------
def inventory(resources: list[dict], tmp_path) -> Inventory:
    plan = read_plan(write_plan(resources, tmp_path / "plan.json").read_bytes(), "plan.json")
    return Inventory.build(plan.resources)


def test_indexed_reference_names_one_instance(tmp_path):
    """Terraform lists `aws_iam_role.r["task"].arn` with the bare `aws_iam_role.r` too."""
    inv = inventory(
        [
            {"address": 'aws_iam_role.r["task"]', "values": {"name": "r-task"}},
            {"address": 'aws_iam_role.r["exec"]', "values": {"name": "r-exec"}},
            {"address": "aws_ecs_task_definition.td", "values": {"family": "td"}, "unknown": {"task_role_arn": True, "execution_role_arn": True},
             "references": {"task_role_arn": ['aws_iam_role.r["task"].arn', 'aws_iam_role.r["task"]', "aws_iam_role.r"],
                            "execution_role_arn": ["aws_iam_role.r"]}},
        ],
        tmp_path,
    )
    td = inv.by_address["aws_ecs_task_definition.td"]
    assert isinstance(td, TaskDefinition)
    assert [r.address for r in inv.linked(td, "task_role_arn", IamRole)] == ['aws_iam_role.r["task"]']
    # `values(aws_iam_role.r)[0].arn` names only the bare resource: every instance.
    assert {r.address for r in inv.linked(td, "execution_role_arn", IamRole)} == {'aws_iam_role.r["task"]', 'aws_iam_role.r["exec"]'}


def test_literal_arn_of_a_role_created_in_the_plan(tmp_path):
    inv = inventory(
        [
            {"address": "aws_iam_role.new", "values": {"name": "New-Role"}, "unknown": {"arn": True}},
            {"address": "aws_iam_role.old", "values": {"name": "old-role", "arn": "arn:aws:iam::123456789012:role/old-role"}},
            {"address": "aws_ecs_task_definition.a", "values": {"family": "a", "task_role_arn": "arn:aws:iam::123456789012:role/new-role"}},
            {"address": "aws_ecs_task_definition.b", "values": {"family": "b", "task_role_arn": "arn:aws:iam::999999999999:role/old-role"}},
        ],
        tmp_path,
    )
    roles = lambda addr: [r.address for r in inv.roles_for(inv.by_address[addr], "task_role_arn")]  # noqa: E731
    assert roles("aws_ecs_task_definition.a") == ["aws_iam_role.new"]
    assert roles("aws_ecs_task_definition.b") == []  # old-role's ARN is known, and it is another account's


def test_unresolved_role_policies(tmp_path):
    inv = inventory(
        [
            {"address": "aws_iam_role.r", "values": {"name": "r", "managed_policy_arns": None}, "unknown": {"managed_policy_arns": True},
             "references": {"managed_policy_arns": ["data.aws_iam_policy.x.arn", "data.aws_iam_policy.x"]}},
            {"address": "aws_iam_policy.p", "values": {"name": "p", "policy": {"Statement": []}}, "unknown": {"arn": True}},
            {"address": "aws_iam_role_policy_attachment.known", "values": {"role": "r"}, "unknown": {"policy_arn": True},
             "references": {"policy_arn": ["aws_iam_policy.p.arn", "aws_iam_policy.p"]}},
            {"address": "aws_iam_role_policy_attachment.later", "values": {"role": "r"}, "unknown": {"policy_arn": True},
             "references": {"policy_arn": ["data.aws_iam_policy.y.arn", "data.aws_iam_policy.y"]}},
            {"address": "aws_iam_role.inline_later", "values": {"name": "i", "inline_policy": None}, "unknown": {"inline_policy": True},
             "references": {"inline_policy": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}},
        ],
        tmp_path,
    )
    role = inv.by_address["aws_iam_role.r"]
    assert [(r.address, p) for r, p in inv.unresolved_policies(role)] == [
        ("aws_iam_role_policy_attachment.later", ("policy_arn",)),
        ("aws_iam_role.r", ("managed_policy_arns",)),
    ]
    assert [p.address for p in inv.attached_policies(role)] == ["aws_iam_policy.p"]
    refs = list(inv.role_documents(inv.by_address["aws_iam_role.inline_later"]))
    assert [(r.path, r.unknown) for r in refs] == [(("inline_policy",), True)]


# Rules on plans -----------------------------------------------------------------------------
def findings(report, rule_ids=IAM_RULES) -> set[tuple[str, str, str, str]]:
    assert not report.errors, [e.line() for e in report.errors]
    return {(f.rule, f.status.value, f.address, f.path_text) for f in report.findings if f.rule in rule_ids}


def iam_rules():
    return [r() for r in ALL_RULES if r.meta.id in IAM_RULES]


def test_acceptance_admin_task_role_created_in_the_plan(tmp_path):
    """The issue's example: the task role is created in the same plan (ARN unknown), has
    AdministratorAccess attached, and is also the execution role."""
    plan = write_plan(
        [
            {"address": "aws_iam_role.task", "values": {"name": "app-task", "assume_role_policy": TRUST_ECS}, "unknown": {"arn": True, "id": True}},
            {"address": "aws_iam_role_policy_attachment.admin", "values": {"role": "app-task", "policy_arn": ADMIN},
             "references": {"role": ["aws_iam_role.task.name", "aws_iam_role.task"]}},
            {"address": "aws_ecs_task_definition.app", "values": {"family": "app", "requires_compatibilities": ["FARGATE"]},
             "unknown": {"task_role_arn": True, "execution_role_arn": True},
             "references": {"task_role_arn": ["aws_iam_role.task.arn", "aws_iam_role.task"],
                            "execution_role_arn": ["aws_iam_role.task.arn", "aws_iam_role.task"]}},
        ],
        tmp_path / "plan.json",
    )
    report = scan([str(plan)], iam_rules())
    assert findings(report) == {
        ("ecs-task-role-admin", "fail", "aws_ecs_task_definition.app", "task_role_arn"),
        ("ecs-task-role-same-as-execution-role", "fail", "aws_ecs_task_definition.app", "task_role_arn"),
    }
    admin = next(f for f in report.findings if f.rule == "ecs-task-role-admin")
    assert "aws_iam_role_policy_attachment.admin" in admin.message and admin.blocking


REAL = TESTDATA / "plans" / "real"

EXPECTED_REAL = {
    "ecs_insecure": {
        ("ecs-task-role-admin", "fail", "aws_ecs_task_definition.bad_fargate", "task_role_arn"),
        ("ecs-task-role-admin", "fail", "aws_ecs_task_definition.bad_host", "task_role_arn"),
        ("ecs-task-role-same-as-execution-role", "fail", "aws_ecs_task_definition.bad_fargate", "task_role_arn"),
        ("ecs-task-role-same-as-execution-role", "fail", "aws_ecs_task_definition.bad_host", "task_role_arn"),
        ("ecs-trust-policy-confused-deputy", "fail", "aws_iam_role.bad_task", "assume_role_policy.Statement[0]"),
        ("iam-admin-policy", "fail", "aws_iam_policy.bad_star", "policy.Statement[0]"),
        # Action * grants each of these too.
        ("iam-ecs-exec-wildcard", "fail", "aws_iam_policy.bad_star", "policy.Statement[0]"),
        ("iam-passrole-wildcard", "fail", "aws_iam_policy.bad_star", "policy.Statement[0]"),
        ("iam-secrets-read-wildcard", "fail", "aws_iam_policy.bad_star", "policy.Statement[0]"),
        ("iam-passrole-wildcard", "fail", "aws_iam_role_policy.bad_passrole", "policy.Statement[0]"),
        ("iam-role-trust-any-principal", "fail", "aws_iam_role.bad_any_principal", "assume_role_policy.Statement[0]"),
        # s3:* comes from data.aws_iam_policy_document.bad_s3, reported where it is used.
        ("iam-service-wildcard-action", "fail", "aws_iam_policy.bad_s3", "policy.Statement[0]"),
    },
    # No failure. good_execution's policy is a data source read only at apply (its
    # resources are ARNs of resources created in the plan): judged from its blocks. Only
    # good_flow_logs's policy, a jsonencode() with an ARN inside, is unknown as a whole.
    "ecs_hardened": {
        (rule, "unknown", "aws_iam_role_policy.good_flow_logs", "policy")
        for rule in (
            "iam-admin-policy",
            "iam-ecs-exec-wildcard",
            "iam-passrole-wildcard",
            "iam-secrets-read-wildcard",
            "iam-service-wildcard-action",
        )
    },
    "modules_foreach": {
        (rule, "fail", f"{module}.{resource}", path)
        for module in ('module.svc["api"]', 'module.svc["worker"]', "module.batch[0]", "module.batch[1]")
        for rule, resource, path in (
            ("ecs-task-role-same-as-execution-role", "aws_ecs_task_definition.this", "task_role_arn"),
            ("ecs-trust-policy-confused-deputy", "aws_iam_role.this", "assume_role_policy.Statement[0]"),
        )
    },
    "unknown_container_defs": {
        ("ecs-task-role-missing", "fail", "aws_ecs_task_definition.bad_unknown_image", "task_role_arn"),
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED_REAL))
def test_real_plans(name):
    plan = REAL / f"{name}.json"
    if not plan.exists():
        pytest.skip(f"{plan} has not been generated")
    report = scan([str(plan)], iam_rules())
    assert findings(report) == EXPECTED_REAL[name]
    if name == "ecs_hardened":
        assert not any(f.blocking for f in report.findings)


def test_real_insecure_messages_name_the_cause():
    plan = REAL / "ecs_insecure.json"
    if not plan.exists():
        pytest.skip(f"{plan} has not been generated")
    report = scan([str(plan)], iam_rules())
    by_key = {(f.rule, f.address): f.message for f in report.findings}
    assert "aws_iam_role_policy_attachment.bad_task_admin" in by_key[("ecs-task-role-admin", "aws_ecs_task_definition.bad_host")]
    assert "aws_iam_role.bad_task" in by_key[("ecs-task-role-same-as-execution-role", "aws_ecs_task_definition.bad_host")]
    assert "data.aws_iam_policy_document.bad_s3" in by_key[("iam-service-wildcard-action", "aws_iam_policy.bad_s3")]

