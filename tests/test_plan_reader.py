"""The plan reader on real plans (the shared corpus, when it is beside the checkout) and
on every kind of broken input: one clear line, exit 2, never a traceback."""

from __future__ import annotations

import codecs
import json

import pytest
from conftest import CORPUS
from planfixture import build_plan

from tfecs.errors import InputError
from tfecs.inputs.plan import read_plan

CORPUS_FILES = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared plan corpus is not beside this checkout")
@pytest.mark.parametrize("plan", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_plan_scans(plan, run_cli):
    code, out, err = run_cli("scan", str(plan), "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["schema_version"] == 1 and report["errors"] == []
    assert report["summary"]["exit_code"] == code
    assert err == ""


def _plan_bytes(resources, **kw) -> bytes:
    return json.dumps(build_plan(resources, **kw)).encode()


def test_utf16_with_bom_reads_like_utf8():
    data = _plan_bytes([{"address": "aws_ecr_repository.r", "values": {"name": "r"}}])
    for encoded in (codecs.BOM_UTF16_LE + data.decode().encode("utf-16-le"), data.decode().encode("utf-16"), codecs.BOM_UTF8 + data):
        plan = read_plan(encoded, "p.json")
        assert [r.address for r in plan.resources] == ["aws_ecr_repository.r"]


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2"])
def test_format_versions(version):
    plan = read_plan(_plan_bytes([{"address": "aws_ecr_repository.r", "values": {"name": "r"}}], format_version=version), "p")
    assert plan.format_version == version and len(plan.resources) == 1


def test_future_major_version_is_refused():
    with pytest.raises(InputError, match="unsupported plan format_version 2.0"):
        read_plan(_plan_bytes([], format_version="2.0"), "p")


def test_modules_for_each_addresses_and_references():
    plan = read_plan(
        _plan_bytes(
            [
                {"address": 'module.svc["api"].aws_iam_role.task', "values": {"name": "api-task"}},
                {"address": 'module.svc["api"].aws_ecs_task_definition.this[0]', "values": {"family": "api"},
                 "unknown": {"task_role_arn": True}, "references": {"task_role_arn": ["aws_iam_role.task.arn", "aws_iam_role.task"]}},
            ]
        ),
        "p",
    )
    td = next(r for r in plan.resources if r.type == "aws_ecs_task_definition")
    assert td.module_address == 'module.svc["api"]'
    assert td.references == {"task_role_arn": ('module.svc["api"].aws_iam_role.task',)}
    assert td.configured == frozenset({"family", "task_role_arn"})


def test_variables_and_module_outputs_resolve_to_resources():
    doc = build_plan([{"address": "module.app.aws_ecs_task_definition.td", "values": {"family": "x"}, "unknown": {"task_role_arn": True}}])
    root = doc["configuration"]["root_module"]
    root["resources"] = [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "expressions": {}}]
    root["module_calls"]["app"]["expressions"] = {"role_arn": {"references": ["module.iam.arn", "module.iam"]}}
    root["module_calls"]["app"]["module"]["resources"][0]["expressions"]["task_role_arn"] = {"references": ["var.role_arn"]}
    root["module_calls"]["iam"] = {"source": "./iam", "module": {
        "outputs": {"arn": {"expression": {"references": ["aws_iam_role.inner.arn", "aws_iam_role.inner"]}}},
        "resources": []}}
    plan = read_plan(json.dumps(doc).encode(), "p")
    td = plan.resources[0]
    assert td.references["task_role_arn"] == ("module.iam.aws_iam_role.inner",)


def test_data_sources_read_during_plan_come_from_prior_state():
    plan = read_plan(
        _plan_bytes([{"address": "data.aws_iam_policy_document.d", "actions": ["read"], "values": {"json": "{}"}}]), "p"
    )
    assert [(r.address, r.mode, r.actions) for r in plan.resources] == [("data.aws_iam_policy_document.d", "data", ("read",))]


def test_planned_values_only_plan_scans_as_introduced(tmp_path, run_cli):
    doc = build_plan([{"address": "aws_ecr_repository.r", "values": {"name": "r"}}])
    del doc["resource_changes"]
    (tmp_path / "p.json").write_text(json.dumps(doc))
    code, out, _ = run_cli("scan", str(tmp_path / "p.json"), "-f", "json", "--rule", "ecr-tag-mutable")
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [(f["rule"], f["address"], f["delta"], f["action"]) for f in findings] == [
        ("ecr-tag-mutable", "aws_ecr_repository.r", "introduced", None)
    ]


def test_state_json_scans_as_existing(tmp_path, run_cli):
    doc = build_plan([{"address": "aws_ecr_repository.r", "values": {"name": "r"}}])
    state = {"format_version": "1.0", "terraform_version": "1.9.0", "values": doc["planned_values"]}
    (tmp_path / "s.json").write_text(json.dumps(state))
    code, out, _ = run_cli("scan", str(tmp_path / "s.json"), "-f", "json", "--rule", "ecr-tag-mutable")
    report = json.loads(out)
    assert code == 0
    assert [(f["address"], f["delta"], f["blocking"]) for f in report["findings"]] == [("aws_ecr_repository.r", "existing", False)]
    assert report["inputs"][0]["kind"] == "state"


DEEP = "[" * 100000 + "]" * 100000
BAD_INPUTS = {
    "empty.json": (b"", "empty.json: empty input: expected the output of `terraform show -json`"),
    "blank.json": (b"  \n", "blank.json: empty input"),
    "truncated.json": (b'{"format_version": "1.2", "resource_changes": [', "truncated.json: invalid JSON at line 1 column 48: unexpected end of data"),
    "binary.json": (bytes(range(256)) * 4, "binary.json: not text"),
    "zip.tfplan": (b"PK\x03\x04....", "zip.tfplan: this is a binary plan file; convert it with `terraform show -json PLANFILE > plan.json`"),
    "array.json": (b"[1, 2]", "array.json: not a Terraform plan: the top level is an array, not an object"),
    "other.json": (b'{"hello": "world"}', "other.json: not a Terraform plan: no `format_version`"),
    "noresources.json": (b'{"format_version": "1.2"}', "noresources.json: not a Terraform plan: no `resource_changes`"),
    "deep.json": (DEEP.encode(), "deep.json: JSON nested too deeply to be a Terraform plan"),
    "actions.json": (
        b'{"format_version":"1.2","resource_changes":[{"address":"aws_x.y","type":"aws_x","change":{"actions":"create"}}]}',
        "actions.json: aws_x.y: change.actions: expected an array, found a string",
    ),
    "change.json": (
        b'{"format_version":"1.2","resource_changes":[{"address":"aws_x.y","type":"aws_x","change":[]}]}',
        "change.json: aws_x.y: change: expected an object, found an array",
    ),
    "address.json": (b'{"format_version":"1.2","resource_changes":[{"address":5}]}', "address.json: resource_changes[0].address: expected a string, found a number"),
    "changes.json": (b'{"format_version":"1.2","resource_changes":{}}', "changes.json: resource_changes: expected an array, found an object"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(name, tmp_path, run_cli):
    data, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_cli("scan", str(path))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"tfecs: error: {tmp_path}/{expected}"), lines[0]
    assert "Traceback" not in out + err


def test_missing_file_and_empty_directory(tmp_path, run_cli):
    code, _, err = run_cli("scan", str(tmp_path / "nope.json"))
    assert (code, err.strip()) == (2, f"tfecs: error: {tmp_path}/nope.json: no such file")
    code, _, err = run_cli("scan", str(tmp_path))
    assert (code, err.strip()) == (2, f"tfecs: error: {tmp_path}: no Terraform plan or .tf files in this directory")


def test_container_definitions_that_are_not_json_are_an_error(tmp_path, run_cli):
    doc = build_plan([{"address": "aws_ecs_task_definition.td", "values": {"family": "x", "container_definitions": "[{\"name\": broken"}},
                      {"address": "aws_ecr_repository.r", "values": {"name": "r", "image_tag_mutability": "MUTABLE"}}])
    (tmp_path / "p.json").write_text(json.dumps(doc))
    code, out, err = run_cli("scan", str(tmp_path / "p.json"), "-f", "json", "--rule", "ecr-tag-mutable")
    assert code == 2
    assert err.strip() == "tfecs: error: aws_ecs_task_definition.td: container_definitions is not valid JSON (unexpected character, expected a JSON value)"
    report = json.loads(out)
    # The rest of the plan is still judged and reported.
    assert [f["address"] for f in report["findings"]] == ["aws_ecr_repository.r"]
    assert report["errors"] == [{"kind": "resource", "where": "aws_ecs_task_definition.td",
                                 "message": "container_definitions is not valid JSON (unexpected character, expected a JSON value)"}]


def test_wrong_value_types_in_a_resource_are_an_error(tmp_path, run_cli):
    doc = build_plan([{"address": "aws_ecs_task_definition.td", "values": {"network_mode": ["host"]}}])
    (tmp_path / "p.json").write_text(json.dumps(doc))
    code, _, err = run_cli("scan", str(tmp_path / "p.json"))
    assert code == 2
    assert err.strip() == "tfecs: error: aws_ecs_task_definition.td: network_mode: Input should be a valid string"


def test_stdin(run_cli):
    data = _plan_bytes([{"address": "aws_ecr_repository.r", "values": {"name": "r", "image_tag_mutability": "IMMUTABLE"}}])
    code, out, err = run_cli("scan", "-", "-f", "json", "--rule", "ecr-tag-mutable", input=data)
    assert code == 0 and json.loads(out)["inputs"][0]["path"] == "<stdin>"
    code, _, err = run_cli("scan", "-", input=b"[]")
    assert code == 2 and err.strip() == "tfecs: error: <stdin>: not a Terraform plan: the top level is an array, not an object"


def test_references_with_dots_inside_instance_keys():
    plan = read_plan(
        _plan_bytes(
            [
                {"address": 'aws_iam_role.r["a.b"]', "values": {"name": "ab"}},
                {"address": "aws_ecs_task_definition.td", "values": {"family": "x"}, "unknown": {"task_role_arn": True},
                 "references": {"task_role_arn": ['aws_iam_role.r["a.b"].arn', 'aws_iam_role.r["a.b"]', "aws_iam_role.r"]}},
            ]
        ),
        "p",
    )
    td = next(r for r in plan.resources if r.type == "aws_ecs_task_definition")
    assert td.references["task_role_arn"] == ('aws_iam_role.r["a.b"]', "aws_iam_role.r")


@pytest.mark.parametrize(
    "resource, message",
    [
        ({"address": "aws_security_group.sg", "values": {"name": "sg", "ingress": [{"from_port": "x", "to_port": 22, "protocol": "tcp"}]}},
         "ingress.0.from_port: Input should be a valid integer, unable to parse string as an integer"),
        ({"address": "data.aws_iam_policy_document.d", "mode": "data", "actions": ["read"], "values": {"statement": [{"effect": ["Allow"], "actions": ["*"]}]}},
         "effect: Input should be a valid string"),
        ({"address": "aws_iam_role_policy.p", "values": {"name": ["p"], "role": "r", "policy": {"Statement": []}}},
         "name: Input should be a valid string"),
    ],
)
def test_malformed_values_are_the_resources_error_not_a_rule_crash(resource, message, tmp_path, run_cli):
    """Found by fuzzing real plans: every rule still runs, the resource is named."""
    (tmp_path / "p.json").write_text(json.dumps(build_plan([resource])))
    code, out, err = run_cli("scan", str(tmp_path / "p.json"), "-f", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["kind"], e["where"]) for e in errors] == [("resource", resource["address"])]
    assert message in errors[0]["message"]
