"""Bounded work on hostile values (issue 11, item 10): patterns over input values match
in linear time. Each adversarial scan runs the real CLI in a subprocess with a generous
timeout: the old backtracking regexes ran for minutes to forever on these inputs, now
they take about a second. No timing is asserted beyond "it finishes"."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest

from planfixture import build_plan
from tfecs.model.glob import glob_match
from tfecs.model.iam import wildcard_match

TIMEOUT = 120  # seconds; generous for a loaded CI machine, far below "never"


def _scan(tmp_path, resources: list[dict], *rules: str) -> tuple[int, dict]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(build_plan(resources)))
    args = [sys.executable, "-m", "tfecs", "scan", str(plan), "--format", "json"]
    for r in rules:
        args += ["--rule", r]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_secret_detector_on_a_megabyte_of_repeated_connection_string_starts(tmp_path):
    value = "jdbc:oracle:thin:a/" * 55_000  # ~1 MB, no `@`: each start scanned to the end before
    code, report = _scan(
        tmp_path,
        [{"address": "aws_ecs_task_definition.t", "values": {"family": "f", "container_definitions": [
            {"name": "app", "image": "app:1", "environment": [{"name": "DSN", "value": value}, {"name": "X" * 100_000, "value": value[:1000]}]}]}}],
        "ecs-secret-in-environment",
    )
    assert code == 0 and report["findings"] == []


def test_secret_detector_still_finds_the_connection_string_password():
    from tfecs.model.secretscan import secret_format

    assert secret_format("jdbc:oracle:thin:scott/tiger@db:1521/x") == "connection string with a password"
    assert secret_format("jdbc:oracle:thin:" + "a/" * 100) is None


def test_ecr_scanning_filter_with_many_wildcards(tmp_path):
    name = "a" * 5000
    flt = "*a" * 40 + "*b"  # no match possible: `.*a.*a…` backtracked through every split
    code, report = _scan(
        tmp_path,
        [
            {"address": "aws_ecr_registry_scanning_configuration.this", "values": {"scan_type": "BASIC", "rule": [
                {"scan_frequency": "SCAN_ON_PUSH", "repository_filter": [{"filter": flt, "filter_type": "WILDCARD"}]}]}},
            {"address": "aws_ecr_repository.r", "values": {"name": name, "image_scanning_configuration": [{"scan_on_push": False}]}},
        ],
        "ecr-scan-on-push-disabled",
    )
    assert code == 1
    assert [(f["address"], f["status"]) for f in report["findings"]] == [("aws_ecr_repository.r", "fail")]


def test_iam_action_glob_with_many_wildcards(tmp_path):
    # `.*.` thirty times against `secretsmanager:GetSecretValue`: exponential backtracking before.
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["*?" * 30 + "Q", "i" + "*a" * 60 + "*z"], "Resource": "*"}]}
    code, report = _scan(
        tmp_path, [{"address": "aws_iam_policy.p", "values": {"name": "p", "policy": policy}}],
        "iam-admin-policy", "iam-passrole-wildcard", "iam-service-wildcard-action", "iam-secrets-read-wildcard", "iam-ecs-exec-wildcard",
    )
    assert code == 0 and report["findings"] == []


def _reference(pattern: str, text: str, question: bool, ignore_case: bool) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" and question else re.escape(c) for c in pattern)
    return re.fullmatch(rx, text, re.S | (re.I if ignore_case else 0)) is not None


def test_glob_match_agrees_with_the_regex_it_replaces():
    rng = random.Random(10)
    for _ in range(5_000):
        pattern = "".join(rng.choice("aAb*?:") for _ in range(rng.randint(0, 8)))
        text = "".join(rng.choice("aAb:?*") for _ in range(rng.randint(0, 9)))
        for question in (True, False):
            for ignore_case in (True, False):
                assert glob_match(pattern, text, question=question, ignore_case=ignore_case) == _reference(
                    pattern, text, question, ignore_case), (pattern, text, question, ignore_case)


@pytest.mark.parametrize(
    "glob, action, expected",
    [("iam:Pass*", "iam:PassRole", True), ("IAM:passrole", "iam:PassRole", True), ("iam:?assRole", "iam:PassRole", True),
     ("*", "s3:GetObject", True), ("s3:*Object", "s3:GetObject", True), ("s3:*Object*x", "s3:GetObject", False),
     ("ec2:*", "iam:PassRole", False), ("iam:PassRole?", "iam:PassRole", False)],
)
def test_iam_wildcards(glob, action, expected):
    assert wildcard_match(glob, action) is expected
