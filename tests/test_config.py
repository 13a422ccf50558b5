""".tfecs.hcl: lookup, precedence (flags > file > defaults), rule blocks (enabled,
severity, typed options), ignore blocks (exact address, glob, expiry, unused), and every
mistake as exit 2 naming file:line."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import TESTDATA

INSECURE = str(TESTDATA / "plans" / "real" / "ecs_insecure.json")
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture(autouse=True)
def cwd(monkeypatch, tmp_path):
    monkeypatch.setenv("TFECS_TODAY", "2026-12-04")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def scan(run_cli, *args):
    code, out, err = run_cli("scan", "-f", "json", *args)
    return code, (json.loads(out) if out else None), err


def rows(doc):
    return sorted((f["rule"], f["address"], f["path"], f["severity"], f["blocking"], (f["suppressed"] or {}).get("source")) for f in doc["findings"])


# Gate settings and precedence ------------------------------------------------------------


def test_file_sets_gate_defaults_and_flags_beat_it(run_cli, cwd):
    write(cwd / ".tfecs.hcl", 'fail_on = "high"\ngate = "all"\nunknown = "ignore"\nprofiles = ["account"]\n')
    code, doc, _ = scan(run_cli, INSECURE)
    assert not any(f["status"] == "unknown" for f in doc["findings"])  # unknown = "ignore"
    assert {f["severity"] for f in doc["findings"] if f["blocking"]} == {"high"}
    assert {f["severity"] for f in doc["findings"] if not f["blocking"]} == {"info", "low", "medium"}
    assert code == 1
    code, doc, _ = scan(run_cli, INSECURE, "--fail-on", "none")
    assert code == 0 and not any(f["blocking"] for f in doc["findings"])
    write(cwd / ".tfecs.hcl", 'fail_on = "none"\n')
    assert scan(run_cli, INSECURE)[0] == 0
    assert scan(run_cli, INSECURE, "--fail-on", "low")[0] == 1  # the default value, given explicitly


def test_profiles_are_stored():
    from tfecs import config

    cfg = config.load(str(write(__import__("pathlib").Path(".tfecs.hcl"), 'profiles = ["account"]\n')))
    assert cfg.profiles == ("account",) and cfg.path == ".tfecs.hcl"


def test_lookup_order_cwd_then_scan_root_then_explicit(run_cli, cwd, tmp_path):
    root = tmp_path / "tf"
    write(root / "main.tf", 'resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n')
    write(root / ".tfecs.hcl", 'rule "ecr-tag-mutable" {\n  severity = "critical"\n}\n')
    other = tmp_path / "work"
    other.mkdir()
    import os

    os.chdir(other)
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecr-tag-mutable")
    assert [f["severity"] for f in doc["findings"]] == ["critical"]  # from the scan root
    write(other / ".tfecs.hcl", 'rule "ecr-tag-mutable" {\n  severity = "info"\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecr-tag-mutable")
    assert [f["severity"] for f in doc["findings"]] == ["info"]  # the current directory first
    explicit = write(tmp_path / "policy.hcl", 'rule "ecr-tag-mutable" {\n  severity = "medium"\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecr-tag-mutable", "--config", str(explicit))
    assert [f["severity"] for f in doc["findings"]] == ["medium"]
    code, out, err = run_cli("scan", str(root), "--config", str(tmp_path / "missing.hcl"))
    assert (code, out) == (2, "") and err == f"tfecs: error: {tmp_path / 'missing.hcl'}: no such config file\n"


def test_enabled_false_and_severity(run_cli, cwd):
    write(cwd / ".tfecs.hcl", 'rule "ecr-tag-mutable" {\n  enabled = false\n}\nrule "ecr-scan-on-push-disabled" {\n  severity = "critical"\n}\n')
    _, doc, _ = scan(run_cli, INSECURE, "--rule", "ecr-")
    rules = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert "ecr-tag-mutable" not in rules and rules["ecr-scan-on-push-disabled"] == "critical"
    # --rule naming a rule the file disables runs it: flags beat the file.
    _, doc, _ = scan(run_cli, INSECURE, "--rule", "ecr-tag-mutable")
    assert [f["rule"] for f in doc["findings"]] == ["ecr-tag-mutable"]


# Ignore blocks ---------------------------------------------------------------------------


def test_config_ignores_by_exact_address_and_glob(run_cli, cwd):
    write(
        cwd / ".tfecs.hcl",
        """\
        ignore {
          rule    = "sg-open-to-world"
          address = "aws_security_group.bad"
          reason  = "bastion, replaced by SSM in Q1"
          expires = "2027-03-31"
        }
        ignore {
          rule    = "iam-"
          address = "aws_iam_*"
          reason  = "IAM is owned by the platform team"
        }
        ignore {
          rule   = "ecr-tag-mutable"
          reason = "expired, so it suppresses nothing"
          expires = "2026-12-01"
        }
        ignore {
          rule    = "ecs-exec-enabled"
          address = "module.nowhere.*"
          reason  = "matches nothing"
        }
        """,
    )
    code, doc, _ = scan(run_cli, INSECURE)
    sup = sorted((f["rule"], f["address"], f["suppressed"]["where"], f["suppressed"]["expires"]) for f in doc["findings"] if f["suppressed"])
    iam = sorted((f["rule"], f["address"]) for f in doc["findings"] if f["rule"].startswith("iam-"))
    assert iam and sup == sorted(
        [(r, a, ".tfecs.hcl:7", None) for r, a in iam if a.startswith("aws_iam_")]
        + [("sg-open-to-world", "aws_security_group.bad", ".tfecs.hcl:1", "2027-03-31")]
    )
    sg = next(f for f in doc["findings"] if f["address"] == "aws_security_group.bad")
    assert sg["suppressed"] == {"source": "config", "reason": "bastion, replaced by SSM in Q1", "expires": "2027-03-31", "where": ".tfecs.hcl:1"}
    assert sorted((w["kind"], w["where"], w["message"]) for w in doc["warnings"]) == [
        ("ignore-expired", ".tfecs.hcl:12", "ignore of ecr-tag-mutable expired on 2026-12-01: it no longer suppresses"),
        ("ignore-unused", ".tfecs.hcl:17", "ignore of ecs-exec-enabled matched no finding: remove it if the risk is gone"),
    ]
    assert code == 1
    _, doc, _ = scan(run_cli, INSECURE, "--no-ignores")
    assert not any(f["suppressed"] for f in doc["findings"]) and doc["warnings"] == []


def test_address_glob_brackets_are_literal_and_keys_optional():
    from tfecs.suppress import address_glob

    g = address_glob('module.svc["worker"].aws_security_group.*')
    assert g.match('module.svc["worker"].aws_security_group.this')
    assert not g.match('module.svc["api"].aws_security_group.this')
    assert not g.match("module.svc[w].aws_security_group.this")
    assert address_glob("module.*.aws_ecs_service.web").match("module.a.module.b.aws_ecs_service.web")


@pytest.mark.parametrize(
    "pattern, address, hit",
    [("*", "", True), ("*", "a.b", True), ("a?c", "abc", True), ("a?c", "ac", False), ("a*", "b", False),
     ("*.x", "a.x.y", False), ("*.x*", "a.x.y", True), ("a[0]", "a0", False), ("a.b", "a.bc", False),
     ("**", "x", True), ("*b*b", "abab", True), ("*b*b", "abba", False)],
)
def test_address_glob_semantics(pattern, address, hit):
    from tfecs.suppress import address_glob

    assert address_glob(pattern).match(address) is hit


def test_a_glob_that_would_backtrack_ends(run_cli, cwd):
    """`.*` per star backtracked exponentially: this config hung the scan before."""
    write(cwd / ".tfecs.hcl", '''
        ignore {
          rule    = "ecs-privileged-container"
          address = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*Z"
          reason  = "hostile"
        }
    ''')
    from planfixture import write_plan

    address = "aws_ecs_task_definition." + "a" * 40
    plan = write_plan([{"address": address, "values": {
        "family": "f", "network_mode": "awsvpc", "container_definitions": [{"name": "c", "image": "a:1", "privileged": True}]}}], cwd / "plan.json")
    doc = json.loads(run_cli("scan", "-f", "json", "--rule", "ecs-privileged-container", str(plan))[1])
    assert [(f["rule"], f["address"], f["suppressed"]) for f in doc["findings"]] == [("ecs-privileged-container", address, None)]


# Rule options ----------------------------------------------------------------------------


def _task(root, containers):
    write(root / "main.tf", f"""\
        resource "aws_ecs_task_definition" "app" {{
          family                = "app"
          container_definitions = jsonencode([{containers}])
        }}
        """)


def test_allowed_registries_replace_the_default_list(run_cli, cwd):
    root = cwd / "tf"
    _task(root, f'{{ name = "a", image = "ghcr.io/acme/a:1" }}, {{ name = "b", image = "public.ecr.aws/acme/b:1" }}, '
                f'{{ name = "c", image = "public.ecr.aws/other/c:1" }}, {{ name = "d", image = "{ECR}/d:1" }}')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecs-image-untrusted-registry")
    assert [f["container"] for f in doc["findings"]] == ["a"]
    write(cwd / ".tfecs.hcl", 'rule "ecs-image-untrusted-registry" {\n  allowed_registries = ["123456789012.dkr.ecr.*.amazonaws.com", "public.ecr.aws/acme/*", "GHCR.io"]\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecs-image-untrusted-registry")
    assert [f["container"] for f in doc["findings"]] == ["c"]


def test_allowed_ports(run_cli, cwd):
    root = cwd / "tf"
    write(root / "main.tf", """\
        resource "aws_security_group" "g" {
          ingress {
            from_port   = 22
            to_port     = 22
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
          ingress {
            from_port   = 443
            to_port     = 443
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
        }
        """)
    _, doc, _ = scan(run_cli, str(root), "--rule", "sg-open-to-world")
    assert [f["path"] for f in doc["findings"]] == ["ingress[0]"]
    write(cwd / ".tfecs.hcl", 'rule "sg-open-to-world" {\n  allowed_ports = [22]\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "sg-open-to-world")
    assert [f["path"] for f in doc["findings"]] == ["ingress[1]"]
    write(cwd / ".tfecs.hcl", 'rule "sg-open-to-world" {\n  allowed_ports = [22, 443]\n  allowed_udp_ports = [22]\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "sg-open-to-world")
    assert doc["findings"] == []
    _edit = (root / "main.tf").read_text().replace('protocol    = "tcp"', 'protocol    = "udp"', 1)
    (root / "main.tf").write_text(_edit)
    write(cwd / ".tfecs.hcl", 'rule "sg-open-to-world" {\n  allowed_ports = [22, 443]\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "sg-open-to-world")
    assert [f["path"] for f in doc["findings"]] == ["ingress[0]"]  # udp 22: the UDP list is still empty


def test_secret_names_to_add_and_exempt(run_cli, cwd):
    root = cwd / "tf"
    _task(root, '{ name = "app", image = "x", environment = [{ name = "DB_PASSWORD", value = "hunter2" }, { name = "ACME_LICENSE", value = "abc-123-xyz" }] }')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecs-secret-in-environment")
    assert [f["path"] for f in doc["findings"]] == ["container_definitions[0].environment[0].value"]
    write(cwd / ".tfecs.hcl", 'rule "ecs-secret-in-environment" {\n  secret_names = ["*_license"]\n  exempt_names = ["DB_PASSWORD"]\n}\n')
    _, doc, _ = scan(run_cli, str(root), "--rule", "ecs-secret-in-environment")
    assert [(f["path"], f["message"]) for f in doc["findings"]] == [
        ("container_definitions[0].environment[1].value", "container 'app' sets environment variable ACME_LICENSE to a secret in plain text (a name listed in secret_names, with a literal value)")
    ]
    assert "abc-123-xyz" not in json.dumps(doc)


def test_minimum_tls_version(run_cli, cwd):
    root = cwd / "tf"
    write(root / "main.tf", """\
        resource "aws_lb_listener" "https" {
          load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"
          port              = 443
          protocol          = "HTTPS"
          ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
        }
        """)
    _, doc, _ = scan(run_cli, str(root), "--rule", "lb-weak-tls-policy")
    assert doc["findings"] == []
    write(cwd / ".tfecs.hcl", 'rule "lb-weak-tls-policy" {\n  minimum_tls_version = "1.3"\n}\n')
    code, doc, _ = scan(run_cli, str(root), "--rule", "lb-weak-tls-policy")
    assert [f["message"] for f in doc["findings"]] == [
        "HTTPS listener uses ELBSecurityPolicy-TLS13-1-2-2021-06, which accepts TLS versions older than 1.3 (minimum_tls_version = 1.3)"
    ]
    assert code == 1
    write(cwd / ".tfecs.hcl", 'rule "lb-weak-tls-policy" {\n  minimum_tls_version = "1.3"\n  allowed_policies = ["ELBSecurityPolicy-TLS13-1-2-2021-06"]\n}\n')
    assert scan(run_cli, str(root), "--rule", "lb-weak-tls-policy")[1]["findings"] == []


def test_explain_documents_options_and_suppressions(run_cli):
    code, out, _ = run_cli("explain", "sg-open-to-world")
    assert code == 0
    assert '## Options (in .tfecs.hcl: rule "sg-open-to-world" { … })\n- `allowed_ports` (list[int], default [80, 443]): TCP ports' in out
    assert "A plan alone has\nno comments" in out


# Mistakes are exit 2 with file:line ------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ('fail_on = "medium"\ncolour = "red"\n', ".tfecs.hcl:2: unknown key 'colour' (expected fail_on, gate, unknown, baseline, profiles, rule or ignore blocks)"),
        ('fail_on = "severe"\n', ".tfecs.hcl:1: fail_on must be one of info, low, medium, high, critical, none, not 'severe'"),
        ('\nfail_on = var.x\n', ".tfecs.hcl:2: fail_on must be a literal value (no variables, functions or interpolation)"),
        ('profiles = "ecs"\n', ".tfecs.hcl:1: profiles must be a list of strings"),
        ('rule "no-such-rule" {\n  enabled = false\n}\n', ".tfecs.hcl:1: unknown rule 'no-such-rule' (see `tfecs rules`)"),
        ('rule "sg-open-to-world" {\n  enabled = "yes"\n}\n', ".tfecs.hcl:2: enabled must be true or false"),
        ('rule "sg-open-to-world" {\n\n  allowed_ports = ["443"]\n}\n', ".tfecs.hcl:3: allowed_ports must be a list of int, not '443'"),
        ('rule "sg-open-to-world" {\n  allowed_ports = [70000]\n}\n', ".tfecs.hcl:2: allowed_ports: 70000 is outside 0..65535"),
        ('rule "sg-open-to-world" {\n  allowed_port = [22]\n}\n', ".tfecs.hcl:2: rule sg-open-to-world has no option 'allowed_port' (options: allowed_ports, allowed_udp_ports)"),
        ('rule "lb-weak-tls-policy" {\n  minimum_tls_version = "1.1"\n}\n', ".tfecs.hcl:2: minimum_tls_version: '1.1' is not one of 1.2, 1.3"),
        ('ignore {\n  rule = "ecr-tag-mutable"\n}\n', ".tfecs.hcl:1: an ignore needs a reason (why the risk is accepted)"),
        ('ignore {\n  rule = "ecr-tag-mutable"\n  reason = " "\n}\n', ".tfecs.hcl:3: an ignore needs a reason (why the risk is accepted)"),
        ('ignore {\n  reason = "x"\n}\n', ".tfecs.hcl:1: an ignore needs rule"),
        ('ignore {\n  rule = "ecr-tag-mutabl"\n  reason = "x"\n}\n', '.tfecs.hcl:2: unknown rule \'ecr-tag-mutabl\' in ignore (an id, a prefix such as "iam-", or "*")'),
        ('ignore {\n  rule = "*"\n  reason = "x"\n  expires = "2027-02-30"\n}\n', ".tfecs.hcl:4: expires must be a date YYYY-MM-DD, not '2027-02-30'"),
        ('ignore {\n  rule = "*"\n  reason = "x"\n  until = "2027-02-03"\n}\n', ".tfecs.hcl:4: unknown key 'until' in ignore (expected rule, address, reason, expires)"),
        ('ignore "x" {\n  rule = "*"\n  reason = "x"\n}\n', ".tfecs.hcl:1: expected ignore { rule = …, reason = … }"),
        ('rules {\n}\n', ".tfecs.hcl:1: unknown block 'rules' (expected rule or ignore)"),
        ('fail_on = "low"\nfail_on = "high"\n', ".tfecs.hcl:2: fail_on is set twice"),
        ('rule "x" {\n  enabled = \n', ".tfecs.hcl:2: HCL syntax error"),
    ],
)
def test_mistakes_are_exit_2_with_file_and_line(run_cli, cwd, text, message):
    write(cwd / ".tfecs.hcl", text)
    code, out, err = run_cli("scan", INSECURE)
    assert (code, out, err) == (2, "", f"tfecs: error: {message}\n")


def test_ignore_rule_list_and_address_without_instance_keys(run_cli, cwd):
    write(cwd / ".tfecs.hcl", """\
        ignore {
          rule    = ["ecs-privileged-container", "ecs-container-root-user"]
          address = "module.svc.aws_ecs_task_definition.this"
          reason  = "worker builds images (docker-in-docker)"
        }
        """)
    _, doc, _ = scan(run_cli, str(TESTDATA / "plans" / "real" / "modules_foreach.json"))
    assert sorted((f["rule"], f["address"]) for f in doc["findings"] if f["suppressed"]) == [
        ("ecs-container-root-user", 'module.svc["worker"].aws_ecs_task_definition.this'),
        ("ecs-privileged-container", 'module.svc["worker"].aws_ecs_task_definition.this'),
    ]


def test_a_config_symlinked_out_of_its_directory_is_refused(run_cli, cwd, tmp_path):
    import os

    elsewhere = write(tmp_path / "elsewhere" / "policy.hcl", 'fail_on = "none"\n')
    (cwd / "repo").mkdir()
    os.symlink(elsewhere, cwd / "repo" / ".tfecs.hcl")
    os.chdir(cwd / "repo")
    code, out, err = run_cli("scan", INSECURE)
    assert (code, out, err) == (2, "", "tfecs: error: ./.tfecs.hcl: the config is a symlink out of its directory\n")


def test_a_config_larger_than_256_kib_is_refused_unparsed(run_cli, cwd):
    """1 MiB of `a = 1` lines cost the HCL parser 14 s and 700 MB before the first
    validation error: a policy file is small, a larger one is refused unread."""
    (cwd / ".tfecs.hcl").write_text("a = 1\n" * 50_000)
    code, out, err = run_cli("scan", str(TESTDATA / "plans" / "real" / "ecs_insecure.json"))
    assert (code, out) == (2, "")
    assert err == "tfecs: error: ./.tfecs.hcl: the config is larger than 256 KiB\n"
