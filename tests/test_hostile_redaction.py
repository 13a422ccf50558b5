"""Redaction on every rendering and channel (issue 11, item 8): a sensitive value never
appears raw, escaped (JSON, Python repr, control escapes), case-folded or as a key in
any format or on stderr; a token in an image reference is masked though nothing marks
it; and ordinary words of a sensitive document are not masked in the prose around it."""

from __future__ import annotations

import json

import pytest

from planfixture import build_plan, write_plan
from tfecs.redact import MASK, Redactor, renderings, sensitive_spans
from tfecs.reporters import render
from tfecs.scan import scan
from tfecs.textsafe import escape_control
from tfecs_rules import ALL_RULES

TOKEN = "ghp_" + "Ab1" * 12  # a GitHub token by its format
NASTY = ["n'a\"me-\x7f\x08\x0c\u200b-x", "both'\"quotes", "del\x7fvalue", "zero\u200bwidth", "form\x0cfeed\x08bs"]


def _outputs(report) -> str:
    """Everything a user can see: both formats and the stderr error lines."""
    lines = [f"tfecs: error: {escape_control(report.redact(e.line()))}" for e in report.errors]
    return "\n".join([render(report, "table"), render(report, "json"), *lines])


def _every_rendering(value: str) -> set[str]:
    forms = renderings(value) | {repr(value), escape_control(repr(value)), json.dumps(value), json.dumps(value, ensure_ascii=False)}
    return {f for f in forms if len(f) >= 4}


def assert_absent(value: str, text: str) -> None:
    folded = text.casefold()
    for form in _every_rendering(value):
        assert form.casefold() not in folded, (form, value)


def _scan(tmp_path, resources):
    plan = write_plan(resources, tmp_path / "plan.json")
    return scan([str(plan)], [r() for r in ALL_RULES])


@pytest.mark.parametrize("name", NASTY)
def test_a_sensitive_container_name_is_masked_in_every_rendering(name, tmp_path):
    containers = [{"name": name, "image": "app:1", "privileged": True}]
    report = _scan(tmp_path, [{"address": "aws_ecs_task_definition.s", "values": {"family": "f", "container_definitions": containers},
                               "sensitive": {"container_definitions": True}}])
    text = _outputs(report)
    assert "ecs-privileged-container" in text and MASK in text
    assert_absent(name, text)


@pytest.mark.parametrize("value", NASTY + ["MixedCase-Secret-Value"])
def test_every_rendering_of_a_value_is_masked(value):
    redact = Redactor({value})
    for form in _every_rendering(value) | {value.upper(), value.lower(), value.casefold(), value.swapcase()}:
        out = redact(f"<{form}>")
        assert form not in out and MASK in out, form


def test_an_upper_cased_capability_of_a_sensitive_document_is_masked(tmp_path):
    containers = [{"name": "appx", "image": "app:1", "linuxParameters": {"capabilities": {"add": ["cap_sys_admin"], "drop": ["ALL"]}}}]
    report = _scan(tmp_path, [{"address": "aws_ecs_task_definition.s", "values": {"family": "f", "container_definitions": containers},
                               "sensitive": {"container_definitions": True}}])
    text = _outputs(report)
    assert "ecs-dangerous-capabilities" in text
    assert "sys_admin" not in text.casefold()


def test_docker_label_keys_and_option_keys_of_a_sensitive_document_are_secrets():
    from tfecs.inputs.raw import RawResource

    cds = json.dumps([{"name": "a", "image": "b", "dockerLabels": {"com.example.key-9f3": "x"}, "logConfiguration": {
        "logDriver": "splunk", "options": {"splunk-token-xyz": "t"}}}])
    raw = RawResource(address="aws_ecs_task_definition.t", mode="managed", type="aws_ecs_task_definition", name="t",
                      after={"container_definitions": cds}, after_sensitive={"container_definitions": True})
    whole, parts = sensitive_spans([raw])
    assert whole == {cds}
    assert {"com.example.key-9f3", "splunk-token-xyz", "splunk"} <= parts
    assert "logDriver" not in parts and "dockerLabels" not in parts  # schema words are no secrets
    assert Redactor(whole, parts=parts)("label com.example.key-9f3 set") == f"label {MASK} set"


@pytest.mark.parametrize("image", [f"user:{TOKEN}@ghcr.io/org/app:1", f"{TOKEN}@ghcr.io/org/app", f"bob:s3cr3t-pw@registry.example.com:5000/app:2"])
def test_a_token_inside_an_image_reference_is_masked(image, tmp_path):
    report = _scan(tmp_path, [{"address": "aws_ecs_task_definition.t", "values": {"family": "f", "container_definitions": [
        {"name": "app", "image": image}]}}])
    text = _outputs(report)
    assert "ecs-image-untrusted-registry" in text
    secret = TOKEN if TOKEN in image else "s3cr3t-pw"
    assert secret not in text and MASK in text


def test_a_token_in_an_error_line_on_stderr_is_masked(tmp_path, run_cli):
    plan = build_plan([{"address": f'aws_ecs_task_definition.t["{TOKEN}"]', "values": {"family": "f", "container_definitions": []}}])
    plan["resource_changes"][0]["change"]["after"]["container_definitions"] = 3
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    code, out, err = run_cli("scan", str(path), "--format", "json")
    assert code == 2
    assert TOKEN not in err and MASK in err and TOKEN not in out


def test_ordinary_words_of_a_sensitive_document_are_not_masked_in_prose(tmp_path):
    """`root` (a user) and `plain`/`mode` (environment values and names) are parts of a
    sensitive document: masked where a finding quotes them as a value, not in the
    sentences and titles that merely use the word, nor in other resources' findings."""
    sensitive = [{"name": "appx", "image": "app:1", "user": "root", "environment": [{"name": "MODE", "value": "plain"}]}]
    clear = [{"name": "webx", "image": "web:1", "user": "root"}]
    report = _scan(tmp_path, [
        {"address": "aws_ecs_task_definition.s", "values": {"family": "f", "container_definitions": sensitive},
         "sensitive": {"container_definitions": True}},
        {"address": "aws_ecs_task_definition.c", "values": {"family": "g", "container_definitions": clear}},
    ])
    messages = {(f.rule, f.address): f.message for f in report.findings}
    table = render(report, "table")
    assert "writable root filesystem" in messages["ecs-writable-root-filesystem", "aws_ecs_task_definition.s"]
    assert "network mode" in messages["ecs-network-mode-not-awsvpc", "aws_ecs_task_definition.s"]
    assert "plain-text" in messages["ecs-secret-in-environment", "aws_ecs_task_definition.s"]
    assert "user is 'root'" in messages["ecs-container-root-user", "aws_ecs_task_definition.c"]
    for phrase in ("writable root filesystem", "plain-text", "user is 'root'", "network mode"):
        assert phrase in table


def test_a_quoted_common_word_of_a_sensitive_document_is_masked_in_its_own_findings():
    from tfecs.redact import mask_scoped_parts
    from tfecs.rule import Finding, Status

    meta = ALL_RULES[0].meta
    f = Finding(meta=meta, status=Status.FAIL, address="a.b", resource_type="a", message="user is 'root' in the root dir", container="root")
    other = Finding(meta=meta, status=Status.FAIL, address="a.c", resource_type="a", message="user is 'root'")
    mask_scoped_parts([f, other], {"a.b": {"root"}}, keep=())
    assert f.message == f"user is '{MASK}' in the root dir" and f.container == MASK
    assert other.message == "user is 'root'"


def test_debug_notes_go_through_redaction_and_escaping(tmp_path):
    """TFECS_DEBUG notes (HCL: why a value is unknown) name input values: they are held
    until the scan's secrets are known, then printed redacted and escaped."""
    import os
    import subprocess
    import sys

    (tmp_path / "main.tf").write_text(
        f'variable "tok" {{\n  default = "{TOKEN}\\u001b[2J"\n}}\n'
        'resource "aws_ecs_task_definition" "t" {\n  family = "f"\n'
        '  container_definitions = jsonencode([{ name = "a", image = lookup({}, var.tok), privileged = true }])\n}\n'
    )
    proc = subprocess.run([sys.executable, "-m", "tfecs", "scan", "."], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "TFECS_DEBUG": "1", "NO_COLOR": "1"}, timeout=120)
    assert proc.returncode in (1, 2)
    assert TOKEN not in proc.stdout + proc.stderr
    assert "\x1b" not in proc.stderr
    assert "tfecs: debug: " in proc.stderr or "tfecs: error: " in proc.stderr


def test_sensitive_variables_of_any_type_in_any_shape_of_plan():
    """Found by the property suite: a `configuration` that is a list crashed the scan;
    and a sensitive variable holding a list, map or number was not masked at all."""
    from tfecs.scan import sensitive_variables

    doc = {"configuration": {"root_module": {"variables": {"v": {"sensitive": True}, "n": {"sensitive": True}, "c": {}}}},
           "variables": {"v": {"value": ["hunter2-a", {"k": "hunter2-b"}]}, "n": {"value": 123456}, "c": {"value": "clear-value"}}}
    assert sensitive_variables(doc) == {"hunter2-a", "hunter2-b", "123456"}
    for bad in ({"configuration": []}, {"configuration": {"root_module": []}}, {"configuration": {"root_module": {"variables": []}}},
                {"configuration": {"root_module": {"variables": {"v": {"sensitive": True}}}}, "variables": []}):
        assert sensitive_variables(bad) == set()
