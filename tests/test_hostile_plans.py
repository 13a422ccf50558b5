"""Hostile plans (issue 11, items 1, 3 and 5): every legal spelling of an insecure
resource is judged, and every plan that cannot be judged is an input error (exit 2,
one line), never a pass."""

from __future__ import annotations

import copy
import os
import json

import orjson
import pytest

from conftest import TESTDATA
from planfixture import build_plan
from tfecs.gate import is_data_source
from tfecs.inputs.plan import read_plan
from tfecs.inputs.raw import ResourceAddress, is_data_address, parse_address, split_address

PRIVILEGED = [{"name": "agent", "image": "agent:2", "privileged": True}]

# Every legal odd name and key: modules and resources named like the keywords, keys
# holding dots, `.data.`, quotes, brackets, backslashes, spaces, Unicode.
ODD_KEYS = [
    '"a.data.b"', '".data."', '"data"', '"module.x"', '"a\\"b"', '"]["', '"[0]"', '"x\\\\"',
    '"a b"', '""', '"\u00e9t\u00e9"', "0", "12", '"data.aws_x.y"', '"."',
]
ODD_ADDRESSES = (
    ["module.data.aws_ecs_task_definition.t", "module.data.module.data.aws_ecs_task_definition.data",
     "module.module.aws_ecs_task_definition.module", "aws_ecs_task_definition.data", "module.data-1.aws_ecs_task_definition.t_2",
     "module._m.aws_ecs_task_definition.caf\u00e9"]
    + [f"aws_ecs_task_definition.t[{k}]" for k in ODD_KEYS]
    + [f"module.data[{k}].aws_ecs_task_definition.t[{k}]" for k in ODD_KEYS]
    + [f"module.m[{k}].module.data.aws_ecs_task_definition.data[{k}]" for k in ODD_KEYS]
)


@pytest.mark.parametrize("address", ODD_ADDRESSES)
def test_odd_addresses_are_managed_resources(address):
    parsed = parse_address(address)
    assert parsed is not None and parsed.mode == "managed" and parsed.type == "aws_ecs_task_definition"
    assert not is_data_address(address) and not is_data_source(address)
    assert ".".join(split_address(address)[:-1]) == parsed.module


@pytest.mark.parametrize("address", ODD_ADDRESSES)
def test_privileged_container_at_any_legal_address_blocks(address, tmp_path, run_cli):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(build_plan([{"address": address, "values": {"family": "f", "container_definitions": PRIVILEGED}}])))
    code, out, err = run_cli("scan", str(plan), "--rule", "ecs-privileged-container", "--format", "json")
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    assert (finding["rule"], finding["address"], finding["status"], finding["blocking"]) == (
        "ecs-privileged-container", address, "fail", True)


@pytest.mark.parametrize(
    "address, expected",
    [
        ("data.aws_iam_policy_document.d", ResourceAddress("", "data", "aws_iam_policy_document", "d", None)),
        ('module.data["k.data.z"].data.aws_x.data[0]', ResourceAddress('module.data["k.data.z"]', "data", "aws_x", "data", "0")),
        ('module.a.module.b["x"].aws_x.y["q\\"]."]', ResourceAddress('module.a.module.b["x"]', "managed", "aws_x", "y", '"q\\"]."')),
    ],
)
def test_parse_address(address, expected):
    assert parse_address(address) == expected
    assert is_data_address(address) == (expected.mode == "data")


@pytest.mark.parametrize(
    "address",
    ["", "aws_x", "module.m", "aws_x.y.z", "aws_x.y[0].arn", 'aws_x.y["open]', "aws_x.y[a]", "data.aws_x", "module..aws_x.y",
     "aws_x.y[0][1]", "aws x.y", "module.m[0]aws_x.y"],
)
def test_not_resource_addresses(address):
    assert parse_address(address) is None


def _plan(**change) -> dict:
    plan = build_plan([{"address": "aws_ecs_task_definition.t", "values": {"family": "f", "container_definitions": PRIVILEGED}}])
    plan["resource_changes"][0].update(change)
    return plan


def _scan(run_cli, tmp_path, plan: dict | bytes) -> tuple[int, str, str]:
    path = tmp_path / "plan.json"
    path.write_bytes(plan if isinstance(plan, bytes) else json.dumps(plan).encode())
    return run_cli("scan", str(path), "--rule", "ecs-privileged-container", "--format", "json")


def _one_error(err: str, fragment: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfecs: error: ") and fragment in lines[0], err


@pytest.mark.parametrize("value, kind", [(5, "a number"), (True, "a boolean"), (0, "a number"), (False, "a boolean"), (1.5, "a number")])
def test_container_definitions_of_the_wrong_type_are_a_resource_error(value, kind, tmp_path, run_cli):
    plan = _plan()
    plan["resource_changes"][0]["change"]["after"]["container_definitions"] = value
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, f"aws_ecs_task_definition.t: container_definitions is {kind}, not a JSON string")


@pytest.mark.parametrize("actions", [["create"], ["update"], ["delete", "create"], ["create", "delete"]])
def test_a_create_without_after_is_an_input_error(actions, tmp_path, run_cli):
    plan = _plan()
    plan["resource_changes"][0]["change"].update(actions=actions, after=None)
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, "without change.after")


def test_a_delete_without_after_is_read():
    plan = _plan()
    plan["resource_changes"][0]["change"].update(actions=["delete"], after=None, before={"family": "f"})
    (r,) = [r for r in read_plan(orjson.dumps(plan), "p").resources if r.mode == "managed"]
    assert r.actions == ("delete",) and r.after is None


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"mode": "data"}, "mode 'data' does not match the address (managed)"),
        ({"mode": "weird"}, "mode 'weird' does not match"),
        ({"type": "aws_s3_bucket"}, "type 'aws_s3_bucket' does not match"),
        ({"name": "other"}, "name 'other' does not match"),
        ({"module_address": "module.x"}, "module_address 'module.x' does not match"),
        ({"address": "aws_ecs_task_definition.t.extra"}, "not a Terraform resource address"),
    ],
)
def test_labels_that_contradict_the_address_are_an_input_error(change, fragment, tmp_path, run_cli):
    code, _, err = _scan(run_cli, tmp_path, _plan(**change))
    assert code == 2
    _one_error(err, fragment)


def test_data_labelled_data_source_address_in_a_module_named_data_is_still_a_data_source():
    plan = build_plan([{"address": "module.data.data.aws_iam_policy_document.d", "mode": "data", "actions": ["read"], "values": {"json": "{}"}}])
    (r,) = read_plan(orjson.dumps(plan), "p").resources
    assert (r.mode, r.module_address, r.type, r.name) == ("data", "module.data", "aws_iam_policy_document", "d")


@pytest.mark.parametrize("errored", [True, "true", 1])
def test_an_errored_plan_is_an_input_error(errored, tmp_path, run_cli):
    plan = _plan()
    plan["errored"] = errored
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, "the plan is errored")


def test_errored_false_is_read(tmp_path, run_cli):
    plan = _plan()
    plan["errored"] = False
    assert _scan(run_cli, tmp_path, plan)[0] == 1


def test_deferred_changes_are_judged(tmp_path, run_cli):
    plan = build_plan([{"address": "aws_ecs_task_definition.ok", "values": {"family": "f", "container_definitions": [{"name": "a", "image": "a:1"}]}}])
    hidden = copy.deepcopy(_plan()["resource_changes"][0])
    hidden["address"] = hidden["name"] = "aws_ecs_task_definition.later"
    hidden["name"] = "later"
    plan["complete"] = False
    plan["deferred_changes"] = [{"reason": "resource_config_unknown", "resource_change": hidden}]
    code, out, err = _scan(run_cli, tmp_path, plan)
    assert code == 1, err
    assert [(f["address"], f["status"]) for f in json.loads(out)["findings"]] == [("aws_ecs_task_definition.later", "fail")]


@pytest.mark.parametrize("deferred", [{}, [1], [{"reason": "x"}], [{"resource_change": []}]])
def test_malformed_deferred_changes_are_an_input_error(deferred, tmp_path, run_cli):
    plan = _plan()
    plan["deferred_changes"] = deferred
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2 and err.count("\n") == 1 and "deferred_changes" in err


@pytest.mark.parametrize("twin_first", [True, False])
def test_a_duplicate_address_is_an_input_error(twin_first, tmp_path, run_cli):
    plan = _plan()
    create = plan["resource_changes"][0]
    twin = copy.deepcopy(create)
    twin["change"].update(actions=["no-op"], before=twin["change"]["after"])
    twin["change"]["after"]["container_definitions"] = "[]"
    plan["resource_changes"] = [twin, create] if twin_first else [create, twin]
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, "aws_ecs_task_definition.t: more than one change for this address")


def test_a_deferred_change_cannot_hide_behind_a_change_of_the_same_address(tmp_path, run_cli):
    plan = _plan()
    plan["deferred_changes"] = [{"reason": "x", "resource_change": copy.deepcopy(plan["resource_changes"][0])}]
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, "more than one change for this address")


def test_deposed_objects_are_no_duplicates(tmp_path, run_cli):
    plan = _plan()
    deposed = copy.deepcopy(plan["resource_changes"][0])
    deposed["deposed"] = "00000001"
    deposed["change"].update(actions=["delete"], after=None, before={"family": "old"})
    plan["resource_changes"].append(deposed)
    assert _scan(run_cli, tmp_path, plan)[0] == 1


# Item 5: a repeated top-level member. One rule whatever the bytes: the last member wins,
# as orjson, Python's json, jq and Go's encoding/json decide.
def _changes(privileged: bool, big: bool) -> bytes:
    cd = [{"name": "a", "image": "a:1", "privileged": privileged}]
    changes = build_plan([{"address": "aws_ecs_task_definition.t", "values": {"family": "f", "container_definitions": cd}}])["resource_changes"]
    if big:  # over the member-by-member reader's 1 MB piece: parsed in pieces
        changes += [
            {"address": f"aws_s3_bucket.b{i}", "mode": "managed", "type": "aws_s3_bucket", "name": f"b{i}",
             "change": {"actions": ["create"], "before": None, "after": {"bucket": "x" * 200}}}
            for i in range(5000)
        ]
    return orjson.dumps(changes)


def _encoded(text: bytes, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text
    return text if encoding == "utf-8" else text.decode().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("space", [b"", b" " * 20])
@pytest.mark.parametrize("first_big, last_big", [(True, False), (False, True), (False, False), (True, True)])
@pytest.mark.parametrize("last_privileged", [True, False])
def test_the_last_of_repeated_members_wins(first_big, last_big, last_privileged, space, encoding):
    first, last = _changes(not last_privileged, first_big), _changes(last_privileged, last_big)
    doc = space + b'{"format_version":"1.2","resource_changes":' + first + b',"resource_changes":' + last + b"}"
    (td,) = [r for r in read_plan(_encoded(doc, encoding), "p").resources if r.type == "aws_ecs_task_definition"]
    assert json.loads(td.after["container_definitions"])[0]["privileged"] is last_privileged


@pytest.mark.parametrize("part", ["expressions", "outputs", "resources"])
def test_a_malformed_configuration_block_links_nothing_and_crashes_nothing(part, tmp_path, run_cli):
    """Found by the property suite: module_calls expressions or module outputs given as a
    list crashed the scan while resolving references (an internal error)."""
    plan = build_plan([
        {"address": "module.m.aws_ecs_task_definition.t", "values": {"family": "f", "container_definitions": PRIVILEGED},
         "references": {"task_role_arn": ["var.role"]}},
        {"address": "aws_ecs_service.s", "values": {"name": "s"}, "references": {"task_definition": ["module.m.arn"]}},
    ])
    call = plan["configuration"]["root_module"]["module_calls"]["m"]
    if part == "expressions":
        call["expressions"] = [1]
    elif part == "outputs":
        call["module"]["outputs"] = [1]
    else:
        call["module"]["resources"] = 7
    code, out, err = _scan(run_cli, tmp_path, plan)
    assert code == 1, err
    assert [f["address"] for f in json.loads(out)["findings"]] == ["module.m.aws_ecs_task_definition.t"]


def test_resources_of_the_wrong_type_in_planned_values_are_an_input_error(tmp_path, run_cli):
    plan = _plan()
    del plan["resource_changes"]
    plan["planned_values"]["root_module"]["resources"] = 7
    code, _, err = _scan(run_cli, tmp_path, plan)
    assert code == 2
    _one_error(err, "planned_values.root_module.resources: expected an array, found a number")


def test_a_fifo_or_a_device_as_the_plan_is_an_error_never_a_hang(tmp_path):
    """A FIFO with no writer reads as empty (exit 2) instead of blocking for ever; a
    device is refused; a pipe with a writer (`<(terraform show -json tfplan)`) is read."""
    import subprocess
    import sys

    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    for path, said in ((str(fifo), "empty input"), ("/dev/zero", "is not a regular file or a pipe")):
        r = subprocess.run([sys.executable, "-m", "tfecs", "scan", path], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and said in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    plan = (TESTDATA / "plans" / "real" / "ecs_hardened.json").read_bytes()
    cmd = f'exec {sys.executable} -m tfecs scan "{fifo}" -f json'
    proc = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "wb") as writer:
        writer.write(plan)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_an_action_tfecs_does_not_know_is_an_input_error(tmp_path, run_cli):
    doc = json.loads((TESTDATA / "plans" / "real" / "ecs_insecure.json").read_text())
    doc["resource_changes"][0]["change"]["actions"] = ["frobnicate"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    code, out, err = run_cli("scan", str(path))
    assert code == 2 and "holds an action tfecs does not know" in err


@pytest.mark.parametrize("value", [["KMS"], {"a": 1}, 7])
def test_a_block_value_of_the_wrong_type_is_the_resources_error_not_a_rule_crash(value, tmp_path, run_cli):
    """Found by the long property run: an ECR `encryption_type` that is a list crashed
    ecr-not-cmk-encrypted (`.upper()`). The block is typed now: exit 2, one line naming
    the resource."""
    plan = tmp_path / "plan.json"
    plan.write_bytes(orjson.dumps(build_plan([
        {"address": "aws_ecr_repository.r", "values": {"name": "r", "encryption_configuration": [{"encryption_type": value, "kms_key": None}]}},
    ])))
    code, out, err = run_cli("scan", str(plan), "-f", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["kind"], e["where"]) for e in errors] == [("resource", "aws_ecr_repository.r")]
    assert "encryption_configuration" in errors[0]["message"]


def test_a_wrong_typed_exec_logging_is_the_clusters_error(tmp_path, run_cli):
    plan = tmp_path / "plan.json"
    config = [{"execute_command_configuration": [{"logging": ["NONE"]}]}]
    plan.write_bytes(orjson.dumps(build_plan([{"address": "aws_ecs_cluster.c", "values": {"name": "c", "configuration": config}}])))
    code, out, _ = run_cli("scan", str(plan), "-f", "json")
    assert code == 2
    assert [(e["kind"], e["where"]) for e in json.loads(out)["errors"]] == [("resource", "aws_ecs_cluster.c")]


@pytest.mark.parametrize(
    "resource",
    [
        {"address": "aws_ecs_task_definition.t", "values": {"family": "f", "runtime_platform": [{"operating_system_family": ["LINUX"]}],
                                                          "container_definitions": [{"name": "a", "image": "a:1"}]}},
        {"address": "aws_cloudwatch_log_metric_filter.m", "values": {"name": "m", "pattern": "x", "metric_transformation": [{"name": ["n"], "namespace": "ns"}]}},
        {"address": "aws_cloudwatch_metric_alarm.a", "values": {"alarm_name": "a", "metric_query": [{"metric": [{"metric_name": {"x": 1}}]}]}},
    ],
    ids=["runtime_platform", "metric_transformation", "metric_query"],
)
def test_other_wrong_typed_blocks_are_the_resources_error(resource, tmp_path, run_cli):
    """More of the class the long property run found: each block a rule reads is typed."""
    plan = tmp_path / "plan.json"
    plan.write_bytes(orjson.dumps(build_plan([resource])))
    code, out, _ = run_cli("scan", str(plan), "-f", "json")
    assert code == 2
    assert [(e["kind"], e["where"]) for e in json.loads(out)["errors"]] == [("resource", resource["address"])]
