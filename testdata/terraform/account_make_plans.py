"""Plan the account scenarios with real Terraform (1.11) and the AWS provider 5.100.0
from a filesystem mirror, offline, into testdata/plans/real/<scenario>.json.

    python testdata/terraform/account_make_plans.py [--mirror /opt/tf-plugins] [SCENARIO ...]

Mock credentials and the provider's skip_* flags: nothing calls AWS (~8 s a plan). A plain
scenario is planned from an empty state; a change scenario (before/ and after/) plans
before/, turns that plan into a state with tests/tfharness.state_from_plan (computed
values faked deterministically), and plans after/ against it with -refresh=false.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "plans" / "real"
SCENARIOS = ("account_baseline_secure", "account_baseline_insecure", "account_change")


def _tf(workdir: Path, *args: str, env: dict) -> str:
    done = subprocess.run(["terraform", f"-chdir={workdir}", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"terraform {' '.join(args)} in {workdir.name}: {done.stderr.strip()}")
    return done.stdout


def _plan(workdir: Path, env: dict) -> dict:
    _tf(workdir, "init", "-input=false", "-no-color", env=env)
    _tf(workdir, "plan", "-input=false", "-no-color", "-refresh=false", "-lock=false", "-out=plan.out", env=env)
    return json.loads(_tf(workdir, "show", "-json", "plan.out", env=env))


def _render(plan: dict) -> str:
    plan.pop("timestamp", None)  # a regeneration without change gives the same file
    if isinstance(plan.get("relevant_attributes"), list):
        plan["relevant_attributes"].sort(key=lambda ra: json.dumps(ra, sort_keys=True))
    return json.dumps(plan, indent=1, sort_keys=True) + "\n"


def make(name: str, env: dict, work: Path) -> dict:
    src = HERE / name
    if not (src / "before").is_dir():
        shutil.copytree(src, work / name)
        return _plan(work / name, env)
    sys.path.insert(0, str(HERE.parent.parent / "tests"))
    from tfharness import state_from_plan  # the harness's own state builder, not a copy

    before, after = work / name / "before", work / name / "after"
    shutil.copytree(src / "before", before)
    shutil.copytree(src / "after", after)
    plan = _plan(before, env)
    schemas = json.loads(_tf(before, "providers", "schema", "-json", env=env))
    aws = next(v for k, v in schemas["provider_schemas"].items() if k.endswith("hashicorp/aws"))
    state = state_from_plan(plan, aws["resource_schemas"], name)
    (after / "terraform.tfstate").write_text(json.dumps(state, indent=2))
    return _plan(after, env)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default=os.environ.get("TFECS_TF_MIRROR", "/opt/tf-plugins"))
    ap.add_argument("--out", default=str(OUT), help="where to write the plans (default: testdata/plans/real)")
    ap.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = ap.parse_args()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rc = work / "cli.tfrc"
        rc.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path = "{args.mirror}"\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
        )
        env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        for name in args.scenarios:
            (out / f"{name}.json").write_text(_render(make(name, env, work)))
            print(f"wrote {out / name}.json")


if __name__ == "__main__":
    main()
