"""Differential tests: HCL mode against real Terraform (issue 12).

For every HCL fixture directory in testdata/ that Terraform can plan offline, the plan
Terraform made of it (committed under testdata/plans/real/) is scanned, the directory
is scanned in HCL mode with the same variables, and the two are compared per
(address, rule):

(a) HCL must ``fail`` wherever the plan scan fails -- except where the plan's value
    comes from a variable the HCL scan was not given (``hcl_withheld``), or from a
    module call the HCL report warns about (a module not downloaded: the value is
    unknown, and saying so is the fix, not silence);
(b) HCL may be ``unknown`` only where the plan shows the value unknown (or where a
    withheld variable or a warned-about module feeds the resource);
(c) HCL has no finding the plan scan lacks (no false positive of our evaluator).

Plus what the three imply: a resource HCL could not read at all (``hcl-error``), a scan
HCL could not finish (``hcl-aborted``), and a finding HCL prints ``(redacted)`` where
Terraform marks nothing sensitive (``redacted``). Where the plan is unknown, HCL may
know more (a ``fail`` or nothing): that is the point of HCL mode, not a divergence.

The divergences that exist today are listed in EXPECTED_DIVERGENCES and asserted as
exactly that set: a divergence fixed in the evaluator makes its test fail, so its row
is removed in the same change. The default run compares against the committed plans
(fast); ``pytest -m slow tests/test_differential.py`` re-plans the testdata/hcl
fixtures with Terraform 1.11 + AWS provider 5.100.0 and checks the committed
``diff_*.json`` plans are current (testdata/terraform scenarios are re-planned by
tests/test_regenerate_plans.py). ``TFECS_REGENERATE=1`` rewrites them instead.

Limits of the comparison: the ``hcl_withheld`` exception follows direct references
(``var.x`` in a resource's own expressions, or in its module call's arguments), not
references through locals; statuses are compared per (address, rule), not per path.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import TESTDATA

try:
    from tests import tfharness
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    import tfharness

HCL = TESTDATA / "hcl"
REAL = TESTDATA / "plans" / "real"


@dataclass(frozen=True)
class Fixture:
    name: str
    source: Path  # the directory given to terraform (copied) -- may hold more than the root
    root: str | None = None  # sub-directory planned and scanned
    plan_vars: dict = field(default_factory=dict)  # -var values for Terraform
    hcl_withheld: frozenset = frozenset()  # variables NOT given to the HCL scan
    mock_provider: bool = False  # a directory written for real AWS: add the offline provider
    plan_file: str | None = None  # default: diff_<name>.json

    @property
    def directory(self) -> Path:
        return self.source / self.root if self.root else self.source

    @property
    def plan_path(self) -> Path:
        return REAL / (self.plan_file or f"diff_{self.name}.json")

    @property
    def hcl_vars(self) -> dict:
        return {k: v for k, v in self.plan_vars.items() if k not in self.hcl_withheld}


def _scenario_fixtures() -> list[Fixture]:
    out = []
    for name in tfharness.list_scenarios():
        src = tfharness.SCENARIO_ROOT / name
        options = tfharness.scenario_options(src)
        root = "after" if (src / "before").is_dir() else options.get("root")
        out.append(Fixture(name, src, root=root, plan_vars=options.get("vars", {}), plan_file=f"{name}.json"))
    return out


# testdata/hcl/* directories Terraform can plan offline (planned with the mock provider).
HCL_FIXTURES = [
    Fixture("dynamic_unknown", HCL / "dynamic_unknown", mock_provider=True),
    Fixture("registry_layout", HCL / "registry_layout", plan_vars={"name": "layout"}, mock_provider=True),
    Fixture("registry_layout_minimal", HCL / "registry_layout", root="examples/minimal", mock_provider=True),
    # `image` has no default: Terraform is given one, the HCL scan is not.
    Fixture("variables", HCL / "variables", plan_vars={"image": "nginx:1.25"},
            hcl_withheld=frozenset({"image"}), mock_provider=True),
    # file("../outside.json"): outside the scanned directory, inside the repository.
    Fixture("file_escape_inner", HCL / "file_escape", root="inner", mock_provider=True),
]

# testdata/hcl/* directories Terraform cannot plan here, and why.
NOT_PLANNABLE = {
    "container_defs": "data \"aws_ssm_parameter\" calls AWS SSM at plan time (fails offline)",
    "policy_unknowns": "data \"aws_caller_identity\" calls AWS STS at plan time (fails offline)",
    "registry_layout/examples/complete": "module cloudposse/label/null needs the registry and the null provider (offline)",
    "file_escape/symlink": "templatefile(\"link/policy.json.tftpl\"): the file does not exist, Terraform rejects it",
    "syntax_errors/*": "invalid HCL on purpose: Terraform rejects every one",
    "tf_fidelity": "the evaluator's own unit fixtures (tests/test_hcl_fidelity.py); their real-Terraform twins are testdata/terraform/fidelity_*",
}

FIXTURES = _scenario_fixtures() + HCL_FIXTURES
BY_NAME = {f.name: f for f in FIXTURES}

# Scenarios Terraform rejects on purpose (testdata/terraform/fidelity_rejected_*): their
# tfharness.json maps each rejected address to Terraform's message. HCL mode must
# report an error on that resource (not judge it), in Terraform's words.
REJECTED = {
    name: tfharness.scenario_options(tfharness.SCENARIO_ROOT / name) for name in tfharness.list_rejected()
}

# (scenario, address, rule, kind): reason. Kinds: missed-fail, fail-as-unknown,
# unknown-where-known, false-positive, hcl-error, hcl-aborted, redacted, and for the
# scenarios Terraform rejects: accepted-rejected (HCL judged it), rejected-unlike-terraform
# (HCL's error does not say what Terraform says).
# Every row is a divergence of today's HCL evaluator from Terraform 1.11.4 + AWS provider
# 5.100.0 (issue 12); when the evaluator is fixed the row goes.
_FAIL, _UNK = "fail-as-unknown", "unknown-where-known"
_CONTAINER_RULES = {  # the container rules a wholly unknown container_definitions turns unknown
    "ecs-capabilities-not-dropped": _FAIL, "ecs-container-logging-missing": _FAIL,
    "ecs-container-root-user": _FAIL, "ecs-dangerous-capabilities": _UNK, "ecs-image-mutable-tag": _FAIL,
    "ecs-image-untrusted-registry": _FAIL, "ecs-privileged-container": _FAIL, "ecs-secret-in-environment": _UNK,
    "ecs-sensitive-host-mount": _UNK, "ecs-unconfined-security-options": _UNK, "ecs-writable-root-filesystem": _FAIL,
}
EXPECTED_DIVERGENCES: dict[tuple[str, str, str, str], str] = {}


# ----------------------------------------------------------------------------- comparing


def _scan(*argv: str) -> dict | None:
    """The JSON report of one in-process scan, or None when it printed none (fatal error)."""
    from click.testing import CliRunner

    from tfecs.cli import cli

    result = CliRunner().invoke(cli, ["scan", *argv, "-f", "json"], catch_exceptions=False)
    if result.exit_code == 2 and not result.stdout.strip():
        return None
    return json.loads(result.stdout)


def _by_key(report: dict) -> dict[tuple[str, str], dict]:
    """(address, rule) -> {"status": fail|unknown, "messages": [...]}: fail wins over unknown."""
    out: dict[tuple[str, str], dict] = {}
    for f in report["findings"]:
        entry = out.setdefault((f["address"], f["rule"]), {"status": "unknown", "messages": []})
        if f["status"] == "fail":
            entry["status"] = "fail"
        entry["messages"].append(f["message"])
    return out


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")


def _config_address(address: str) -> str:
    return _INSTANCE_KEY.sub("", address)


def _references(node) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "references" and isinstance(value, list):
                out.update(v for v in value if isinstance(v, str))
            else:
                out |= _references(value)
    elif isinstance(node, list):
        for item in node:
            out |= _references(item)
    return out


def withheld_addresses(plan: dict, withheld: frozenset, warned_modules: frozenset = frozenset()) -> set[str]:
    """Configuration addresses whose values (directly, or through their module call's
    arguments) come from a root variable the HCL scan was not given, or from a root
    module call the HCL report warns about (e.g. not downloaded: run terraform init)."""
    wanted = {f"var.{name}" for name in withheld} | {f"module.{name}" for name in warned_modules}
    out: set[str] = set()

    def walk(module: dict, prefix: str, tainted: bool) -> None:
        for res in module.get("resources", []):
            if tainted or _references(res.get("expressions", {})) & wanted:
                out.add(prefix + res["address"])
        for name, call in module.get("module_calls", {}).items():
            walk(call.get("module", {}), f"{prefix}module.{name}.",
                 tainted or bool(_references(call.get("expressions", {})) & wanted))

    if wanted:
        walk(plan.get("configuration", {}).get("root_module", {}), "", False)
    return out


_REDACTED = ("(redacted)", "(sensitive)")


def divergences(fixture: Fixture) -> set[tuple[str, str, str, str]]:
    plan_doc = json.loads(fixture.plan_path.read_text())
    plan_report = _scan(str(fixture.plan_path))
    assert plan_report is not None and plan_report["errors"] == [], f"{fixture.name}: the plan scan itself failed"
    var_args = [arg for k, v in fixture.hcl_vars.items() for arg in ("--var", f"{k}={v}")]
    hcl_report = _scan(str(fixture.directory), *var_args)
    out: set[tuple[str, str, str, str]] = set()
    if hcl_report is None:
        return {(fixture.name, "-", "-", "hcl-aborted")}
    for err in hcl_report["errors"]:
        out.add((fixture.name, err.get("where") or "-", "-", "hcl-error"))
    calls = plan_doc.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    warned = frozenset(
        name for name in calls for w in hcl_report.get("warnings", [])
        if f"module.{name}" in f"{w.get('where') or ''} {w.get('message') or ''}"
        or (w.get("kind") == "module-not-downloaded" and f"module '{name}'" in (w.get("message") or ""))
    )
    exempt = withheld_addresses(plan_doc, fixture.hcl_withheld, warned)
    plan, hcl = _by_key(plan_report), _by_key(hcl_report)
    for key in sorted(set(plan) | set(hcl)):
        address, rule = key
        p, h = plan.get(key), hcl.get(key)
        p_status, h_status = p and p["status"], h and h["status"]
        free = _config_address(address) in exempt
        kind = None
        if p_status == "fail" and h_status != "fail":
            kind = None if free else ("fail-as-unknown" if h_status == "unknown" else "missed-fail")
        elif p_status is None and h_status == "unknown":
            kind = None if free else "unknown-where-known"
        elif p_status is None and h_status == "fail":
            kind = "false-positive"
        elif p_status == "fail" and h_status == "fail":
            if any(m in msg for msg in h["messages"] for m in _REDACTED) and not any(
                m in msg for msg in p["messages"] for m in _REDACTED
            ):
                kind = "redacted"
        if kind:
            out.add((fixture.name, address, rule, kind))
    return out


def rejected_divergences(name: str) -> set[tuple[str, str, str, str]]:
    options = REJECTED[name]
    directory = tfharness.SCENARIO_ROOT / name / options.get("root", ".")
    var_args = [arg for k, v in options.get("vars", {}).items() for arg in ("--var", f"{k}={v}")]
    from click.testing import CliRunner

    from tfecs.cli import cli

    result = CliRunner().invoke(cli, ["scan", str(directory), *var_args, "-f", "json"], catch_exceptions=False)
    if result.exit_code == 2 and not result.stdout.strip():
        # Rejected as Terraform rejects it: the whole scan stops, with Terraform's words.
        said = result.stderr
        out = set()
        for address, terraform_says in options["terraform_rejects"].items():
            reason = terraform_says.rsplit(": ", 1)[-1].rstrip(".")
            if reason not in said or said.count("\n") != 1:
                out.add((name, address, "-", "rejected-unlike-terraform"))
        return out
    report = json.loads(result.stdout)
    errors = {e.get("where"): e["message"] for e in report["errors"]}
    out = set()
    for address, terraform_says in options["terraform_rejects"].items():
        if address not in errors:
            out.add((name, address, "-", "accepted-rejected"))
            continue
        reason = terraform_says.rsplit(": ", 1)[-1].rstrip(".")
        if reason not in errors[address]:
            out.add((name, address, "-", "rejected-unlike-terraform"))
    for f in report["findings"]:
        if f["address"] in options["terraform_rejects"]:
            out.add((name, f["address"], f["rule"], "accepted-rejected"))
    return out


# Where Terraform's own plan is unknown but the configuration decides: HCL mode should
# reach these statuses. (scenario, address, rule) -> the status the configuration decides.
HCL_MUST_DECIDE = {
    # "${aws_ecr_repository.app.repository_url}:latest": the tag is a known literal.
    ("fidelity_unknowns", "aws_ecs_task_definition.bad_ecr_latest", "ecs-image-mutable-tag"): "fail",
    # ... and the registry is this configuration's own ECR repository (trusted).
    ("fidelity_unknowns", "aws_ecs_task_definition.bad_ecr_latest", "ecs-image-untrusted-registry"): None,
    # "${aws_ecr_repository.good_app.repository_url}:1.4.2@sha256:...": pinned, own ECR.
    ("ecs_hardened_variants", "aws_ecs_task_definition.good_batch", "ecs-image-mutable-tag"): None,
    ("ecs_hardened_variants", "aws_ecs_task_definition.good_batch", "ecs-image-untrusted-registry"): None,
}
# The ones HCL does not reach today: (scenario, address, rule) -> (status today, reason).
EXPECTED_UNDECIDED: dict[tuple[str, str, str], tuple[str | None, str]] = {}


# ----------------------------------------------------------------------------- default run


def test_every_hcl_fixture_directory_is_compared_or_said_why_not():
    planned = {str(f.directory.relative_to(HCL)) for f in HCL_FIXTURES}
    tops = {p.name for p in HCL.iterdir() if p.is_dir()}
    covered = {d.split("/")[0] for d in planned} | {d.split("/")[0] for d in NOT_PLANNABLE}
    assert tops <= covered, f"testdata/hcl directories neither compared nor listed: {sorted(tops - covered)}"
    assert {f.name for f in _scenario_fixtures()} == set(tfharness.list_scenarios())


def test_expected_divergences_name_real_fixtures():
    kinds = {"missed-fail", "fail-as-unknown", "unknown-where-known", "false-positive", "hcl-error", "hcl-aborted", "redacted"}
    kinds |= {"accepted-rejected", "rejected-unlike-terraform"}
    for scenario, _address, _rule, kind in EXPECTED_DIVERGENCES:
        assert (scenario in BY_NAME or scenario in REJECTED) and kind in kinds


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_hcl_mode_agrees_with_terraform(name):
    fixture = BY_NAME[name]
    if not fixture.plan_path.is_file():
        pytest.fail(f"{fixture.plan_path} is missing: run `pytest -m slow tests/test_differential.py` with TFECS_REGENERATE=1")
    found = divergences(fixture)
    expected = {k for k in EXPECTED_DIVERGENCES if k[0] == name}
    assert sorted(found - expected) == [], f"{name}: new divergences from Terraform"
    assert sorted(expected - found) == [], f"{name}: fixed divergences: remove them from EXPECTED_DIVERGENCES"


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_hcl_mode_rejects_what_terraform_rejects(name):
    found = rejected_divergences(name)
    expected = {k for k in EXPECTED_DIVERGENCES if k[0] == name}
    assert sorted(found - expected) == [], f"{name}: new divergences from Terraform"
    assert sorted(expected - found) == [], f"{name}: fixed divergences: remove them from EXPECTED_DIVERGENCES"


def test_hcl_decides_what_the_configuration_decides():
    today = {}
    for (scenario, address, rule), want in HCL_MUST_DECIDE.items():
        fixture = BY_NAME[scenario]
        plan = _by_key(_scan(str(fixture.plan_path)))
        assert plan.get((address, rule), {}).get("status") == "unknown", "only where Terraform's plan is unknown"
        var_args = [arg for k, v in fixture.hcl_vars.items() for arg in ("--var", f"{k}={v}")]
        got = _by_key(_scan(str(fixture.directory), *var_args)).get((address, rule), {}).get("status")
        if got != want:
            today[(scenario, address, rule)] = got
    assert today == {k: status for k, (status, _reason) in EXPECTED_UNDECIDED.items()}, (
        "update EXPECTED_UNDECIDED (remove what the evaluator now decides)"
    )


def test_withheld_variable_exempts_only_what_it_feeds():
    plan = json.loads(BY_NAME["variables"].plan_path.read_text())
    assert withheld_addresses(plan, frozenset({"image"})) == {"aws_ecs_task_definition.from_tfvars"}
    assert withheld_addresses(plan, frozenset()) == set()


def test_a_warned_about_module_exempts_what_it_feeds():
    plan = json.loads((REAL / "fidelity_module_not_downloaded.json").read_text())
    assert withheld_addresses(plan, frozenset(), frozenset({"container"})) == {"aws_ecs_task_definition.bad_from_module"}


# ----------------------------------------------------------------------------- slow: re-plan


@pytest.mark.slow
@pytest.mark.parametrize("name", [f.name for f in HCL_FIXTURES])
def test_committed_diff_plan_is_current(name, tmp_path):
    reason = tfharness.v5_unavailable_reason()
    if reason:
        pytest.skip(f"cannot run Terraform 1.11 + AWS provider 5.100.0 here: {reason}")
    fixture = BY_NAME[name]
    plan = tfharness.generate_plan(
        fixture.source, workroot=tmp_path, variables=fixture.plan_vars, root=fixture.root,
        mock_provider=fixture.mock_provider,
    )
    if os.environ.get("TFECS_REGENERATE") == "1":
        fixture.plan_path.write_text(tfharness.render(plan))
        return
    committed = json.loads(fixture.plan_path.read_text())
    assert tfharness.plan_signature(plan) == tfharness.plan_signature(committed), (
        f"{name}: addresses/actions drifted; regenerate with TFECS_REGENERATE=1"
    )
    changes = lambda doc: {rc["address"]: rc["change"] for rc in doc.get("resource_changes", [])}  # noqa: E731
    assert changes(plan) == changes(committed), f"{name}: planned values drifted; regenerate with TFECS_REGENERATE=1"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REJECTED))
def test_terraform_rejects_what_the_scenario_says(name, tmp_path):
    reason = tfharness.v5_unavailable_reason()
    if reason:
        pytest.skip(f"cannot run Terraform 1.11 + AWS provider 5.100.0 here: {reason}")
    with pytest.raises(tfharness.TerraformFailed) as failed:
        tfharness.generate_plan(name, workroot=tmp_path)
    said = failed.value.stderr + failed.value.stdout
    for address, message in REJECTED[name]["terraform_rejects"].items():
        rtype, rname = address.split(".")
        assert f'in resource "{rtype}" "{rname}"' in said and message in said, said


# ----------------------------------------------------------------------------- the reference


@pytest.mark.parametrize("name", [n for n in sorted(BY_NAME) if n.startswith(("fidelity_", "ecs_v5_"))])
def test_terraform_plan_scan_flags_bad_and_passes_good(name):
    """The fixtures say what they mean: in the scan of Terraform's own plan (the
    reference), every bad_* resource fails at least one rule and no good_* has a finding."""
    fixture = BY_NAME[name]
    report = _scan(str(fixture.plan_path))
    plan = json.loads(fixture.plan_path.read_text())
    names = {rc["address"]: rc["name"] for rc in plan["resource_changes"] if rc["mode"] == "managed"}
    failing = {f["address"] for f in report["findings"] if f["status"] == "fail"}
    flagged = {f["address"] for f in report["findings"]}
    assert sorted(a for a, n in names.items() if n.startswith("bad_") and a not in failing) == []
    assert sorted(a for a, n in names.items() if n.startswith("good_") and a in flagged) == []
    assert any(n.startswith(("bad_", "good_")) for n in names.values())
