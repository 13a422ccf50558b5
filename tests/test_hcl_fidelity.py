"""HCL mode computes what `terraform plan` computes (issue 12): one fixture of our own per
divergence (testdata/hcl/tf_fidelity, see its README), with the exact findings."""

from __future__ import annotations

import json

import pytest
from conftest import TESTDATA

from tfecs.cli import load_rules
from tfecs.inputs.hcl import load_directory
from tfecs.inputs.hcl.evaluate import Ctx, Files, evaluate
from tfecs.inputs.hcl.schema import SchemaError, conform_attr
from tfecs.inputs.hcl.syntax import parse_expression
from tfecs.inputs.hcl.values import UNKNOWN, Unknown
from tfecs.scan import SourceOptions, scan

FIDELITY = TESTDATA / "hcl" / "tf_fidelity"


def run(directory, *rules, variables=None):
    return scan([str(directory)], load_rules(select=rules), src=SourceOptions(None, variables or {}, ()))


def outcome(report):
    return sorted((f.rule, f.address, f.status.value) for f in report.findings)


# --------------------------------------------------------------------------- type conversion


def test_numbers_and_bools_become_the_strings_the_provider_declares():
    report = run(FIDELITY / "conversions")
    assert [e.line() for e in report.errors] == []
    assert outcome(report) == [
        ("sg-open-to-world", "aws_security_group_rule.all", "fail"),
        ("sg-open-to-world", "aws_vpc_security_group_ingress_rule.all", "fail"),
    ]
    rs = {r.address: r for r in load_directory(str(FIDELITY / "conversions"))}
    assert rs["aws_ssm_parameter.token"].after["value"] == "10"
    assert rs["aws_ssm_parameter.flag"].after["value"] == "true"
    assert rs["aws_security_group_rule.all"].after["protocol"] == "-1"
    assert rs["aws_security_group_rule.all"].after["from_port"] == 0


def test_a_value_terraform_rejects_is_an_error_in_its_words():
    report = run(FIDELITY / "bad_list")
    assert [e.line() for e in report.errors] == [
        f"{FIDELITY}/bad_list/main.tf:11: Inappropriate value for attribute \"cidr_blocks\": list of string required. The value comes from var.allowed."
    ]
    assert report.exit_code == 2


@pytest.mark.parametrize(
    "rtype, name, value, expected",
    [
        ("aws_ecs_service", "desired_count", "3", 3),
        ("aws_ecs_service", "enable_execute_command", "true", True),
        ("aws_ecs_service", "enable_execute_command", "1", True),  # accepted by Terraform 1.11.4
        ("aws_ecs_service", "enable_execute_command", "0", False),
        ("aws_ecs_service", "desired_count", "1e2", 100),
        ("aws_security_group", "ingress", [{"from_port": "22", "cidr_blocks": ["0.0.0.0/0"]}], [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]),
        ("aws_ecs_task_definition", "volume", [{"name": 1, "efs_volume_configuration": [{"transit_encryption_port": "2049"}]}],
         [{"name": "1", "efs_volume_configuration": [{"transit_encryption_port": 2049}]}]),
        ("aws_unmodelled_thing", "x", 1, 1),
    ],
)
def test_conversion_follows_the_schema(rtype, name, value, expected):
    assert conform_attr(rtype, "managed", name, value) == expected


@pytest.mark.parametrize(
    "rtype, name, value, words",
    [
        ("aws_ecs_service", "desired_count", "three", "a number is required."),
        ("aws_ecs_service", "desired_count", " 2", "a number is required."),
        ("aws_ecs_service", "enable_execute_command", "yes", "a bool is required."),
        ("aws_ecs_cluster", "name", ["a"], "string required."),
        ("aws_ecs_service", "tags", ["x"], "map of string required."),
    ],
)
def test_conversion_errors_in_terraforms_words(rtype, name, value, words):
    # The words Terraform 1.11.4 + AWS provider 5.100.0 print for these values.
    with pytest.raises(SchemaError) as info:
        conform_attr(rtype, "managed", name, value)
    assert str(info.value) == f'Inappropriate value for attribute "{name}": {words}'


# --------------------------------------------------------------------------- unknowns Terraform knows


def test_partly_unknown_values_that_terraform_knows():
    report = run(FIDELITY / "known_unknowns", "ecs-privileged-container", "ecs-container-root-user", "ecs-task-role-admin", "ecs-image-mutable-tag")
    assert outcome(report) == [
        ("ecs-container-root-user", "aws_ecs_task_definition.t", "fail"),
        ("ecs-container-root-user", "aws_ecs_task_definition.with_role", "fail"),
        # A digest after the repository URL pins every value the image can take
        # (a partly known string, tfecs.model.patterns): no ecs-image-mutable-tag finding.
        ("ecs-privileged-container", "aws_ecs_task_definition.t", "fail"),
        ("ecs-task-role-admin", "aws_ecs_task_definition.with_role", "fail"),
    ]
    rs = {r.address: r for r in load_directory(str(FIDELITY / "known_unknowns"))}
    assert rs['aws_iam_role_policy_attachment.task["admin"]'].references["policy_arn"] == ("aws_iam_policy.admin",)


def test_one_unknown_container_keeps_its_siblings_verdicts():
    report = run(FIDELITY / "unknown_container", "ecs-privileged-container", "ecs-writable-root-filesystem")
    assert sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings) == [
        ("ecs-privileged-container", "aws_ecs_task_definition.t", "fail", "container_definitions[0].privileged"),
        ("ecs-privileged-container", "aws_ecs_task_definition.t", "unknown", "container_definitions[1].privileged"),
        ("ecs-writable-root-filesystem", "aws_ecs_task_definition.t", "fail", "container_definitions[0].readonlyRootFilesystem"),
        ("ecs-writable-root-filesystem", "aws_ecs_task_definition.t", "unknown", "container_definitions[1].readonlyRootFilesystem"),
    ]


def test_policy_documents_merge_as_the_provider_renders_them():
    directory = FIDELITY / "policy_merge"
    report = run(directory, "iam-admin-policy", "iam-passrole-wildcard")
    assert [e.line() for e in report.errors] == []
    assert outcome(report) == [
        ("iam-admin-policy", "aws_iam_policy.escalated", "fail"),
        ("iam-passrole-wildcard", "aws_iam_policy.escalated", "fail"),
    ]
    # What Terraform 1.11.4 with AWS provider 5.100.0 rendered for these documents
    # (`terraform plan` outputs), byte for byte.
    rendered = json.loads((directory / "terraform_rendered.json").read_text())
    rs = {r.address: r for r in load_directory(str(directory))}
    for name, text in rendered.items():
        assert rs[f"data.aws_iam_policy_document.{name}"].after["json"] == text


def test_policy_document_merge_rules():
    from tfecs.inputs.hcl.policydoc import render
    from tfecs.inputs.hcl.values import Rejected

    doc = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    with pytest.raises(Rejected, match="duplicate Sid"):
        render({"source_policy_documents": [doc, doc]})
    # Statements without a Sid are always appended; an unknown source makes it unknown.
    assert len(json.loads(render({"source_policy_documents": [json.dumps({"Statement": [{"Effect": "Deny"}]})] * 2}))["Statement"]) == 2
    assert isinstance(render({"source_policy_documents": [UNKNOWN]}), Unknown)
    partial = render({"statement": [{"actions": ["s3:GetObject"], "resources": [UNKNOWN]}]})
    assert isinstance(partial, Unknown) and partial.decoded["Statement"][0]["Action"] == "s3:GetObject"


def test_sensitivity_follows_the_values_derived_from_the_sensitive_member(run_cli):
    directory = FIDELITY / "sensitive_member"
    rs = {r.address: r for r in load_directory(str(directory))}
    # What Terraform 1.11.4 plans for container_definitions (after_sensitive).
    assert {a: bool(r.after_sensitive) for a, r in rs.items()} == {
        "aws_ecs_task_definition.web": False,
        'aws_ecs_task_definition.svc["web"]': False,
        'aws_ecs_task_definition.svc["db"]': False,
        "aws_ecs_task_definition.db_env": True,
    }
    code, out, err = run_cli("scan", str(directory), "--rule", "ecs-privileged-container", "--rule", "ecs-secret-in-environment")
    assert code == 1
    assert "container 'web' runs privileged" in out
    assert "Tq7-Example-Db-Passw0rd" not in out + err


def _eval(text, **bindings):
    return evaluate(parse_expression(text, "x.tf"), Ctx(None, Files("/nonexistent"), "x.tf", bindings))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x != null", True),
        ("x == null", False),
        ("u == null", UNKNOWN),
        ("[x.a] == [1]", UNKNOWN),
        ("[x.a] == [1, 2]", False),
        ("x == { a = 1 }", False),
        ('contains([u, "a"], "a")', True),
        ('contains([u, "a"], "b")', UNKNOWN),
        ('contains(["a"], "b")', False),
        ("length([u, u])", 2),
        ("keys(x)", ["a", "b"]),
    ],
)
def test_comparisons_with_unknown_parts(text, expected):
    got = _eval(text, x={"a": UNKNOWN, "b": 2}, u=UNKNOWN)
    assert isinstance(got, Unknown) if expected is UNKNOWN else got == expected


# --------------------------------------------------------------------------- nothing silent


def test_a_module_not_downloaded_and_a_file_inside_the_repository():
    report = run(FIDELITY / "silent_gaps" / "app", "ecs-privileged-container")
    assert [e.line() for e in report.errors] == []
    assert [(w.kind, w.where) for w in report.warnings] == [("module-not-downloaded", f"{FIDELITY}/silent_gaps/app/main.tf:1")]
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]


# --------------------------------------------------------------------------- --var as Terraform reads it


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({}, []),
        ({"cidrs": '["0.0.0.0/0"]', "port": "22"}, [("sg-open-to-world", "aws_security_group.typed", "fail")]),
        ({"untyped": "0.0.0.0/0"}, [("sg-open-to-world", "aws_security_group.untyped", "fail")]),
    ],
)
def test_var_values_are_parsed_like_terraform(variables, expected):
    assert outcome(run(FIDELITY / "var_parsing", "sg-open-to-world", variables=variables)) == expected


def test_var_values_of_untyped_and_primitive_variables_are_literal():
    # Terraform 1.11.4: `-var 'x=["a"]'` for `variable "x" {}` is the string ["a"], and
    # `-var n=2+3` for a number is an error, not 5.
    rs = {r.address: r for r in load_directory(str(FIDELITY / "var_parsing"), variables={"untyped": '["0.0.0.0/0"]'})}
    assert rs["aws_security_group.untyped"].after["ingress"][0]["cidr_blocks"] == ['["0.0.0.0/0"]']
    report = run(FIDELITY / "var_parsing", variables={"port": "2+3"})
    assert [e.line() for e in report.errors] == [f"{FIDELITY}/var_parsing/main.tf:10: the value of variable 'port' does not convert to its declared type"]
