"""The JSON report is written a batch of findings at a time (encode_report): the pieces
joined are byte for byte the report encoded whole, redaction included."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest
from planfixture import write_plan

from tfecs.cli import load_rules
from tfecs.redact import redact_strings
from tfecs.reporters import json as report_json
from tfecs.scan import scan

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import genplan  # noqa: E402

RULES = load_rules()


def whole(report) -> bytes:
    return report_json.encode(redact_strings(report_json.report_dict(report), report.redact))


def pieces(report) -> list[bytes]:
    return list(report_json.encode_report(report, report.redact))


def test_a_report_of_several_batches_is_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(report_json, "_BATCH", 64)
    plan = tmp_path / "plan.json"
    plan.write_bytes(orjson.dumps(genplan.generate(700, seed=5, dense=True)))
    report = scan([str(plan)], RULES)
    assert len(report.findings) > 2 * report_json._BATCH
    parts = pieces(report)
    assert len(parts) > 3 and b"".join(parts) == whole(report)
    assert len(json.loads(b"".join(parts))["findings"]) == len(report.findings)


@pytest.mark.parametrize("n", [0, 1])
def test_none_or_one_finding(tmp_path, n):
    repo = {"address": "aws_ecr_repository.r", "values": {"name": "r", "image_tag_mutability": "MUTABLE" if n else "IMMUTABLE"}}
    report = scan([str(write_plan([repo], tmp_path / "plan.json"))], [r for r in RULES if r.meta.id == "ecr-tag-mutable"])
    assert len(report.findings) == n
    assert b"".join(pieces(report)) == whole(report)


def test_secrets_and_controls_are_masked_and_escaped_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(report_json, "_BATCH", 64)
    secret = "s3cr3t-\x7f-valu3"
    containers = [{"name": "app\x7f", "image": "app:1", "privileged": True, "environment": [{"name": "TOKEN", "value": secret}]}]
    plan = write_plan([
        {"address": "aws_ssm_parameter.p", "values": {"name": "/p", "type": "SecureString", "value": secret}, "sensitive": {"value": True}},
        *({"address": f"aws_ecs_task_definition.t{i}", "values": {"family": f"f{i}", "container_definitions": containers}} for i in range(300)),
    ], tmp_path / "plan.json")
    report = scan([str(plan)], RULES)
    text = b"".join(pieces(report))
    assert text == whole(report)
    assert secret.encode() not in text and b"\x7f" not in text and b"app\\u007f" in text
