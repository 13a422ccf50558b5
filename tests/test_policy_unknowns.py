"""Policy documents that are only partly known until apply: the model reads a decoded
document with its unknown tree (as HCL and hybrid mode hand on `jsonencode(...)`), the
rules judge the known statements and give `unknown` for the open ones, never a pass.

An unknown element of a Resource/NotResource list, a Principal's identifiers or a
condition's values is one specific value (COMPUTED, never `*`); any other unknown part
(Effect, Action, a whole Resource value, a condition operator or key, a whole
statement) leaves that statement unknown; an unknown Statement list, the document.
A statement unknown only in its Resource, Principal or Condition is decided when the
rule's own test does not fail even on its most permissive reading (Statement.widest)."""

from __future__ import annotations

import pytest
from conftest import TESTDATA

from tfecs.cli import load_rules
from tfecs.inputs.hcl import load_directory
from tfecs.inputs.raw import RawResource
from tfecs.model.ecr import RepositoryPolicy
from tfecs.model.iam import COMPUTED, IamPolicy, IamRole, PolicyDocument
from tfecs.model.inventory import Inventory
from tfecs.scan import SourceOptions, scan
from tfecs_rules import ALL_RULES

FIXTURE = TESTDATA / "hcl" / "policy_unknowns"
REAL_PLANS = TESTDATA / "plans" / "real"
SCENARIOS = TESTDATA / "terraform"
POLICY_RULES = (
    "iam-admin-policy",
    "iam-service-wildcard-action",
    "iam-passrole-wildcard",
    "iam-ecs-exec-wildcard",
    "iam-secrets-read-wildcard",
    "iam-role-trust-any-principal",
    "ecs-trust-policy-confused-deputy",
    "ecr-repository-public-policy",
    "ecs-task-role-admin",
)
STATEMENT_RULES = POLICY_RULES[:5]


def doc(unknown, *statements) -> PolicyDocument:
    parsed = PolicyDocument.parse({"Version": "2012-10-17", "Statement": list(statements)}, {"Statement": unknown})
    assert parsed is not None
    return parsed


# --------------------------------------------------------------------------- the model


def test_computed_resource_element_is_judged():
    (st,) = doc([{"Resource": [False, True]}], {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ["*", None]}).statements
    assert (st.unknown, st.resources, st.any_resource) == (False, ("*", COMPUTED), True)
    (st,) = doc([{"Resource": [True]}], {"Effect": "Allow", "Action": "*", "Resource": [None]}).statements
    assert (st.unknown, st.resources, st.any_resource, st.grants_admin) == (False, (COMPUTED,), False, False)


@pytest.mark.parametrize(
    "statement, unknown, elements",
    [
        ({"Effect": "Allow", "Resource": "*"}, {"Action": True}, ("Action",)),
        ({"Effect": "Allow", "Action": ["s3:GetObject", None], "Resource": "*"}, {"Action": [False, True]}, ("Action",)),
        ({"Effect": "Allow", "Resource": "*"}, {"NotAction": True}, ("NotAction",)),
        ({"Action": "*", "Resource": "*"}, {"Effect": True}, ("Effect",)),
        ({"Effect": "Allow", "Action": "*"}, {"Resource": True}, ("Resource",)),
        ({"Effect": "Allow", "Action": "*"}, {"NotResource": True}, ("NotResource",)),
        ({"Effect": "Allow", "Action": "sts:AssumeRole"}, {"Principal": True}, ("Principal",)),
        ({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {}}, {"Principal": {"AWS": True}}, ("Principal",)),
        ({"Effect": "Allow", "Action": "sts:AssumeRole"}, {"Condition": True}, ("Condition",)),
        ({"Effect": "Allow", "Action": "sts:AssumeRole", "Condition": {}}, {"Condition": {"StringEquals": True}}, ("Condition",)),
        ({"Action": "*"}, {"Effect": True, "Resource": True}, ("Effect", "Resource")),
    ],
    ids=["action", "action-element", "not-action", "effect", "whole-resource", "whole-not-resource", "principal",
         "principal-type-value", "condition", "condition-operator", "two-elements"],
)
def test_unknown_deciding_part_leaves_the_statement_unknown(statement, unknown, elements):
    (st,) = doc([unknown], statement).statements
    assert (st.unknown, st.unknown_elements) == (True, elements)


def test_computed_principal_and_condition_values():
    (st,) = doc(
        [{"Principal": {"AWS": [True]}, "Condition": {"StringEquals": {"aws:SourceAccount": True}, "ArnLike": {"aws:SourceArn": [False, True]}}}],
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": [None]},
            # Wholly unknown members are absent from the value, as in plans.
            "Condition": {"StringEquals": {}, "ArnLike": {"aws:SourceArn": ["arn:aws:ecs:*:1:*", None]}},
        },
    ).statements
    assert st.unknown is False
    assert st.principals == {"AWS": (COMPUTED,)} and not st.any_principal
    assert st.conditions == {"StringEquals": {"aws:SourceAccount": (COMPUTED,)}, "ArnLike": {"aws:SourceArn": ("arn:aws:ecs:*:1:*", COMPUTED)}}
    assert st.has_condition_key("aws:sourceaccount")


def test_whole_statement_and_statement_list_unknown():
    parsed = doc([False, True], {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, None)
    assert [(s.index, s.unknown, s.unknown_elements) for s in parsed.statements] == [(0, False, ()), (1, True, ())]
    everything = PolicyDocument.parse({"Version": "2012-10-17"}, {"Statement": True})
    assert everything is not None and everything.unknown and everything.statements == ()


def test_known_deny_is_decided_whatever_its_unknown_parts():
    deny, allow, unknown_effect = doc(
        [{"Action": True}, {"Action": True}, {"Effect": True}],
        {"Effect": "Deny", "Resource": "*"},
        {"Effect": "Allow", "Resource": "*"},
        {"Action": "*", "Resource": "*"},
    ).statements
    assert (deny.unknown, deny.undecided) == (True, False)
    assert (allow.undecided, unknown_effect.undecided) == (True, True)


def test_widest_reading_of_a_statement_unknown_only_in_its_scope():
    st, action_unknown = doc(
        [{"Resource": True, "Principal": True, "Condition": True}, {"Action": True}],
        {"Effect": "Allow", "Action": "iam:PassRole"},
        {"Effect": "Allow", "Resource": "*"},
    ).statements
    widest = st.widest()
    assert widest is not None and not widest.unknown
    assert (widest.resources, widest.any_resource, widest.any_principal, widest.conditions) == (("*",), True, True, {})
    assert widest.may_trust_service("ecs-tasks.amazonaws.com")
    assert action_unknown.widest() is None  # what it allows is open: never decided


def raw(address: str, after: dict, unknown, refs: dict | None = None) -> RawResource:
    rtype, name = address.split(".")
    return RawResource(
        address=address, mode="managed", type=rtype, name=name, after=after, after_unknown=unknown,
        references=refs or {}, configured=frozenset(after) | frozenset(unknown or ()), origin="hcl",
    )


def test_resources_read_decoded_documents_with_their_unknown_tree():
    policy = IamPolicy.build(raw("aws_iam_policy.p", {"policy": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}}, {"policy": {"Statement": [{"Action": True}]}}))
    assert policy.policy.statements[0].unknown_elements == ("Action",)
    role = IamRole.build(
        raw(
            "aws_iam_role.r",
            {"assume_role_policy": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [None]}}]},
             "inline_policy": [{"name": "a", "policy": {"Statement": [{"Action": "*", "Resource": "*"}]}}]},
            {"assume_role_policy": {"Statement": [{"Principal": {"AWS": [True]}}]}, "inline_policy": [{"policy": {"Statement": [{"Effect": True}]}}]},
        )
    )
    assert role.assume_role_policy.statements[0].principals == {"AWS": (COMPUTED,)}
    assert role.inline_policy[0].policy.statements[0].unknown_elements == ("Effect",)
    repo_policy = RepositoryPolicy.build(
        raw("aws_ecr_repository_policy.p", {"policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}, None]}}, {"policy": {"Statement": [False, True]}})
    )
    assert [s.unknown for s in repo_policy.policy.statements] == [False, True]
    # A JSON string stays as before: nothing in it is unknown.
    text = IamPolicy.build(raw("aws_iam_policy.s", {"policy": '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'}, False))
    assert text.policy.statements[0].grants_admin and not text.policy.statements[0].unknown


def run(rule_id: str, *raws: RawResource) -> list[tuple[str, str, str]]:
    rule = next(r for r in ALL_RULES if r.meta.id == rule_id)()
    inv = Inventory.build(raws)
    return sorted((f.address, f.status.value, f.path_text) for f in rule.check(inv))


ADMIN_NEXT_TO_ARN = raw(
    "aws_iam_policy.admin",
    {"policy": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [None]}, {"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
    {"policy": {"Statement": [{"Resource": [True]}]}},
)
SCOPED = raw(
    "aws_iam_policy.scoped",
    {"policy": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": [None, None]}]}},
    {"policy": {"Statement": [{"Resource": [True, True]}]}},
)
UNKNOWN_ACTION = raw(
    "aws_iam_policy.action", {"policy": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}}, {"policy": {"Statement": [{"Action": True}]}}
)
UNKNOWN_EFFECT = raw(
    "aws_iam_policy.effect", {"policy": {"Statement": [{"Action": "*", "Resource": "*"}]}}, {"policy": {"Statement": [{"Effect": True}]}}
)
# Resources known only after apply: only a rule whose test can fail on some Resource is open.
READS_UNKNOWN_RESOURCES = raw(
    "aws_iam_policy.reads", {"policy": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}}, {"policy": {"Statement": [{"Resource": True}]}}
)
PASSROLE_UNKNOWN_RESOURCES = raw(
    "aws_iam_policy.passrole", {"policy": {"Statement": [{"Effect": "Allow", "Action": "iam:PassRole"}]}}, {"policy": {"Statement": [{"Resource": True}]}}
)
UNKNOWN_STATEMENT = raw(
    "aws_iam_policy.statement",
    {"policy": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [None]}, None]}},
    {"policy": {"Statement": [{"Resource": [True]}, True]}},
)


@pytest.mark.parametrize("rule_id", STATEMENT_RULES)
def test_statement_rules_on_partly_known_documents(rule_id):
    found = run(rule_id, ADMIN_NEXT_TO_ARN, SCOPED, UNKNOWN_ACTION, UNKNOWN_EFFECT, UNKNOWN_STATEMENT, READS_UNKNOWN_RESOURCES, PASSROLE_UNKNOWN_RESOURCES)
    fails = [("aws_iam_policy.admin", "fail", "policy.Statement[1]")] if rule_id != "iam-service-wildcard-action" else []
    passrole = [("aws_iam_policy.passrole", "unknown", "policy.Statement[0].Resource")] if rule_id == "iam-passrole-wildcard" else []
    assert found == sorted(
        [
            *fails,
            *passrole,
            ("aws_iam_policy.action", "unknown", "policy.Statement[0].Action"),
            ("aws_iam_policy.effect", "unknown", "policy.Statement[0].Effect"),
            ("aws_iam_policy.statement", "unknown", "policy.Statement[1]"),
        ]
    )


def test_trust_and_repository_rules_on_partly_known_documents():
    anyone = raw(
        "aws_iam_role.anyone",
        {"name": "anyone", "assume_role_policy": {"Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [None]}},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}},
        ]}},
        {"assume_role_policy": {"Statement": [{"Principal": {"AWS": [True]}}]}},
    )
    later = raw(
        "aws_iam_role.later",
        {"name": "later", "assume_role_policy": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}},
        {"assume_role_policy": {"Statement": [{"Principal": True}]}},
    )
    computed_service = raw(
        "aws_iam_role.service",
        {"name": "service", "assume_role_policy": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": [None]}}]}},
        {"assume_role_policy": {"Statement": [{"Principal": {"Service": [True]}}]}},
    )
    irsa = raw(
        "aws_iam_role.irsa",
        {"name": "irsa", "assume_role_policy": {"Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": [None]}, "Condition": {}},
        ]}},
        {"assume_role_policy": {"Statement": [{"Principal": {"Federated": [True]}, "Condition": {"StringEquals": True}}]}},
    )
    assert run("iam-role-trust-any-principal", anyone, later, computed_service, irsa) == [
        ("aws_iam_role.anyone", "fail", "assume_role_policy.Statement[1]"),
        ("aws_iam_role.later", "unknown", "assume_role_policy.Statement[0].Principal"),
    ]
    assert run("ecs-trust-policy-confused-deputy", anyone, later, computed_service, irsa) == [
        ("aws_iam_role.later", "unknown", "assume_role_policy.Statement[0].Principal"),
        ("aws_iam_role.service", "unknown", "assume_role_policy.Statement[0].Principal.Service"),
    ]
    public = raw(
        "aws_ecr_repository_policy.public",
        {"repository": "app", "policy": {"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [None]}, "Action": "ecr:BatchGetImage"},
            {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
            {"Principal": "*", "Action": "ecr:BatchGetImage"},
        ]}},
        {"policy": {"Statement": [{"Principal": {"AWS": [True]}}, False, {"Effect": True}]}},
    )
    assert run("ecr-repository-public-policy", public) == [
        ("aws_ecr_repository_policy.public", "fail", "policy.Statement[1]"),
        ("aws_ecr_repository_policy.public", "unknown", "policy.Statement[2].Effect"),
    ]


# ------------------------------------------------------------------------------- HCL mode


def findings(paths, *rules, source=None):
    report = scan([str(p) for p in paths], load_rules(select=rules), src=SourceOptions(source and str(source), {}, ()))
    assert not report.errors, [e.line() for e in report.errors]
    return sorted((f.address, f.rule, f.status.value, f.path_text) for f in report.findings)


def test_hcl_hands_on_partly_known_policies_decoded():
    rs = {r.address: r for r in load_directory(str(FIXTURE))}
    template = rs["aws_iam_role_policy.good_template_resource"]
    # A string template with a computed ARN is one computed element, not a whole unknown list.
    assert template.after["policy"]["Statement"][0]["Resource"] == [None]
    assert template.after_unknown["policy"] == {"Statement": [{"Resource": [True]}]}
    listed = rs["aws_iam_role_policy.unknown_resource_list"]
    assert listed.after_unknown["policy"] == {"Statement": [{"Resource": True}]}
    inline = rs["aws_iam_role.bad_inline_admin"]
    assert inline.after_unknown["inline_policy"] == [{"policy": {"Statement": [{"Resource": [True]}, False]}}]


def test_policy_verdicts_from_hcl_alone():
    found = findings([FIXTURE], *POLICY_RULES)
    statement_rules_unknown = lambda address, path: [(address, r, "unknown", path) for r in STATEMENT_RULES]  # noqa: E731
    admin_fails = lambda address, path: [(address, r, "fail", path) for r in STATEMENT_RULES if r != "iam-service-wildcard-action"]  # noqa: E731
    assert found == sorted(
        [
            ("aws_ecr_repository_policy.bad_public_next_to_arn", "ecr-repository-public-policy", "fail", "policy.Statement[1]"),
            ("aws_ecs_task_definition.bad_admin_task", "ecs-task-role-admin", "fail", "task_role_arn"),
            ("aws_ecs_task_definition.unknown_task_role", "ecs-task-role-admin", "unknown", "task_role_arn"),
            *admin_fails("aws_iam_policy.bad_admin_next_to_arn", "policy.Statement[1]"),
            *admin_fails("aws_iam_role.bad_inline_admin", "inline_policy[0].policy.Statement[1]"),
            *admin_fails("aws_iam_role_policy.bad_task_admin", "policy.Statement[1]"),
            ("aws_iam_role_policy.bad_passrole_star_and_arn", "iam-passrole-wildcard", "fail", "policy.Statement[0]"),
            ("aws_iam_role.bad_trust_anyone_next_to_arn", "iam-role-trust-any-principal", "fail", "assume_role_policy.Statement[1]"),
            ("aws_iam_role.unknown_task_service", "ecs-trust-policy-confused-deputy", "unknown", "assume_role_policy.Statement[0].Principal.Service"),
            *statement_rules_unknown("aws_iam_policy.unknown_actions", "policy.Statement[0].Action"),
            *statement_rules_unknown("aws_iam_policy.unknown_effect", "policy.Statement[0].Effect"),
            *statement_rules_unknown("aws_iam_policy.unknown_second_statement", "policy.Statement[1]"),
            *statement_rules_unknown("aws_iam_policy.unknown_statements", "policy"),
            # Only PassRole's rule can fail on some Resource; the others cannot whatever it holds.
            ("aws_iam_role_policy.unknown_resource_list", "iam-passrole-wildcard", "unknown", "policy.Statement[0].Resource"),
            ("aws_iam_role.unknown_anyone_condition", "iam-role-trust-any-principal", "unknown", "assume_role_policy.Statement[0].Condition"),
            *statement_rules_unknown("aws_iam_role_policy.unknown_task_actions", "policy.Statement[0].Action"),
        ]
    )
    assert not [f for f in found if f[0].split(".")[1].startswith("good_")]


# ----------------------------------------------------------------------------- real plans


def real_plan(scenario):
    path = REAL_PLANS / f"{scenario}.json"
    if not path.exists():
        pytest.skip(f"no real plan {path.name} (generated by tests/tfharness.py)")
    return path


def test_hardened_stack_with_its_source_has_no_finding():
    plan = real_plan("ecs_hardened")
    # Without the source the flow-log role's policy is wholly unknown...
    assert findings([plan], *STATEMENT_RULES) == [
        ("aws_iam_role_policy.good_flow_logs", rule, "unknown", "policy") for rule in sorted(STATEMENT_RULES)
    ]
    # ...with it, its Resource is one computed log group ARN: every rule gives a verdict.
    assert findings([plan], source=SCENARIOS / "ecs_hardened") == []


def test_insecure_stack_with_its_source_finds_what_the_plan_finds():
    plan = real_plan("ecs_insecure")
    with_source = findings([plan], source=SCENARIOS / "ecs_insecure")
    assert with_source == findings([plan])
    assert [f for f in with_source if f[1] in POLICY_RULES] == [
        ("aws_ecr_repository_policy.bad_public", "ecr-repository-public-policy", "fail", "policy.Statement[0]"),
        ("aws_ecs_task_definition.bad_fargate", "ecs-task-role-admin", "fail", "task_role_arn"),
        ("aws_ecs_task_definition.bad_host", "ecs-task-role-admin", "fail", "task_role_arn"),
        ("aws_iam_policy.bad_s3", "iam-service-wildcard-action", "fail", "policy.Statement[0]"),
        ("aws_iam_policy.bad_star", "iam-admin-policy", "fail", "policy.Statement[0]"),
        ("aws_iam_policy.bad_star", "iam-ecs-exec-wildcard", "fail", "policy.Statement[0]"),
        ("aws_iam_policy.bad_star", "iam-passrole-wildcard", "fail", "policy.Statement[0]"),
        ("aws_iam_policy.bad_star", "iam-secrets-read-wildcard", "fail", "policy.Statement[0]"),
        ("aws_iam_role.bad_any_principal", "iam-role-trust-any-principal", "fail", "assume_role_policy.Statement[0]"),
        ("aws_iam_role.bad_task", "ecs-trust-policy-confused-deputy", "fail", "assume_role_policy.Statement[0]"),
        ("aws_iam_role_policy.bad_passrole", "iam-passrole-wildcard", "fail", "policy.Statement[0]"),
    ]
