"""Inline ignores (`# tfecs:ignore:…` in .tf files): in HCL and hybrid scans, on resources,
module calls (every for_each/count instance), narrowed to an attribute or a jsonencode
container entry; expiry, missing reason, unknown rule, unused, --no-ignores."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date

import pytest

from conftest import TESTDATA
from tfecs import hclscan
from tfecs.suppress import RuleIds, parse_directive, tf_files

PLAN = str(TESTDATA / "plans" / "real" / "modules_foreach.json")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, tmp_path):
    monkeypatch.setenv("TFECS_TODAY", "2026-12-04")
    monkeypatch.chdir(tmp_path)  # no .tfecs.hcl of the repository may leak in


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def src(tmp_path):
    """modules_foreach with ignores: on a resource inside the module (every instance of
    both module calls), on a `module "svc"` call (its instances only), above a dynamic
    block (narrowed), above a container entry (narrowed, expired), plus broken ones."""
    root = tmp_path / "src"
    shutil.copytree(TESTDATA / "terraform" / "modules_foreach", root)
    svc = root / "modules" / "svc" / "main.tf"
    _edit(svc, 'resource "aws_iam_role" "this" {', '# tfecs:ignore:ecs-trust-policy-confused-deputy:exp:2027-01-31 scoped by an SCP (SEC-12)\nresource "aws_iam_role" "this" {')
    _edit(svc, '  dynamic "ingress" {', '  // tfecs:ignore:sg-open-to-world bastion until SSM is rolled out\n  dynamic "ingress" {')
    _edit(svc, "    {\n      name                   = var.name", "    # tfecs:ignore:ecs-privileged-container,ecs-container-root-user:exp:2026-11-30 docker-in-docker builds\n    {\n      name                   = var.name")
    _edit(svc, "  task_role_arn            = aws_iam_role.this.arn", "  task_role_arn            = aws_iam_role.this.arn # tfecs:ignore:ecs-no-such-rule whatever")
    main = root / "main.tf"
    _edit(main, 'module "svc" {', '# tfecs:ignore:ecs-task-role-same-as-execution-role one role per service is our pattern\nmodule "svc" {')
    _edit(main, 'module "batch" {', '# tfecs:ignore:ecs-capabilities-not-dropped\nmodule "batch" {')
    return root


def scan(run_cli, *args):
    code, out, err = run_cli("scan", "-f", "json", *args)
    doc = json.loads(out) if out else None
    return code, doc, err


def suppressed(doc):
    return sorted(
        (f["rule"], f["address"], f["suppressed"]["source"], f["suppressed"]["where"], f["suppressed"]["expires"])
        for f in doc["findings"]
        if f["suppressed"]
    )


def warnings(doc):
    return sorted((w["kind"], w["where"], w["message"]) for w in doc["warnings"])


EXPECTED_SUPPRESSED = [
    ("ecs-task-role-same-as-execution-role", 'module.svc["api"].aws_ecs_task_definition.this', "inline", "src/main.tf:23", None),
    ("ecs-task-role-same-as-execution-role", 'module.svc["worker"].aws_ecs_task_definition.this', "inline", "src/main.tf:23", None),
    ("ecs-trust-policy-confused-deputy", "module.batch[0].aws_iam_role.this", "inline", "src/modules/svc/main.tf:31", "2027-01-31"),
    ("ecs-trust-policy-confused-deputy", "module.batch[1].aws_iam_role.this", "inline", "src/modules/svc/main.tf:31", "2027-01-31"),
    ("ecs-trust-policy-confused-deputy", 'module.svc["api"].aws_iam_role.this', "inline", "src/modules/svc/main.tf:31", "2027-01-31"),
    ("ecs-trust-policy-confused-deputy", 'module.svc["worker"].aws_iam_role.this', "inline", "src/modules/svc/main.tf:31", "2027-01-31"),
    ("sg-open-to-world", 'module.svc["worker"].aws_security_group.this', "inline", "src/modules/svc/main.tf:86", None),
]
EXPECTED_WARNINGS = [
    ("ignore-expired", "modules/svc/main.tf:54", "ignore of ecs-privileged-container,ecs-container-root-user expired on 2026-11-30: it no longer suppresses"),
    ("ignore-invalid", "main.tf:35", "an ignore needs a reason after the rule ids (it does not suppress without one)"),
    ("ignore-invalid", "modules/svc/main.tf:50", "unknown rule id 'ecs-no-such-rule' (see `tfecs rules`)"),
]


def test_inline_ignores_in_hcl_mode_modules_and_for_each(run_cli, src):
    code, doc, _ = scan(run_cli, str(src))
    assert suppressed(doc) == EXPECTED_SUPPRESSED
    assert warnings(doc) == EXPECTED_WARNINGS
    # Suppressed findings never block; the expired ignore and the broken ones suppress nothing.
    blocking = sorted((f["rule"], f["address"]) for f in doc["findings"] if f["blocking"])
    assert blocking == [
        ("ecs-container-root-user", 'module.svc["worker"].aws_ecs_task_definition.this'),
        ("ecs-privileged-container", 'module.svc["worker"].aws_ecs_task_definition.this'),
        ("ecs-task-role-same-as-execution-role", "module.batch[0].aws_ecs_task_definition.this"),
        ("ecs-task-role-same-as-execution-role", "module.batch[1].aws_ecs_task_definition.this"),
        ("ecs-writable-root-filesystem", 'module.svc["worker"].aws_ecs_task_definition.this'),
    ]
    assert all(not f["blocking"] for f in doc["findings"] if f["suppressed"])
    assert code == 1
    first = next(f for f in doc["findings"] if f["rule"] == "sg-open-to-world")
    assert first["suppressed"] == {"source": "inline", "reason": "bastion until SSM is rolled out", "expires": None, "where": "src/modules/svc/main.tf:86"}
    assert doc["summary"]["suppressed"] == 7


def test_inline_ignores_apply_to_the_plan_in_hybrid_mode(run_cli, src):
    code, doc, _ = scan(run_cli, PLAN, "--source", str(src))
    assert suppressed(doc) == EXPECTED_SUPPRESSED
    assert warnings(doc) == EXPECTED_WARNINGS
    sg = next(f for f in doc["findings"] if f["rule"] == "sg-open-to-world")
    assert sg["path"] == "ingress[0]"  # the plan orders the set otherwise: narrowing is by block name
    assert code == 1


def test_a_plan_alone_has_no_comments(run_cli, src):
    code, doc, _ = scan(run_cli, PLAN)
    assert suppressed(doc) == [] and doc["warnings"] == []
    assert code == 1


def test_no_ignores_turns_every_inline_ignore_off(run_cli, src):
    code, doc, _ = scan(run_cli, str(src), "--no-ignores")
    assert suppressed(doc) == [] and doc["warnings"] == []
    assert sum(f["blocking"] for f in doc["findings"]) == 12
    assert code == 1


def test_the_expiry_date_itself_still_suppresses(run_cli, src, monkeypatch):
    monkeypatch.setenv("TFECS_TODAY", "2026-11-30")
    _, doc, _ = scan(run_cli, str(src))
    assert ("ecs-privileged-container", 'module.svc["worker"].aws_ecs_task_definition.this', "inline", "src/modules/svc/main.tf:54", "2026-11-30") in suppressed(doc)
    monkeypatch.setenv("TFECS_TODAY", "2027-02-01")
    _, doc, _ = scan(run_cli, str(src))
    assert not any(s[0] == "ecs-trust-policy-confused-deputy" for s in suppressed(doc))
    assert ("ignore-expired", "modules/svc/main.tf:31", "ignore of ecs-trust-policy-confused-deputy expired on 2027-01-31: it no longer suppresses") in warnings(doc)


def test_narrowed_ignores_cover_only_their_attribute(run_cli, tmp_path):
    root = tmp_path / "n"
    root.mkdir()
    (root / "main.tf").write_text(
        """resource "aws_ecs_task_definition" "app" {
  family = "app"
  # tfecs:ignore:ecs-container-root-user the sidecar needs root (SEC-7)
  container_definitions = jsonencode([
    {
      name  = "app"
      image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
      user  = "root"
    },
    # tfecs:ignore:ecs-privileged-container docker-in-docker only in the sidecar
    {
      name       = "sidecar"
      image      = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sidecar:1"
      privileged = true
      user       = "root"
    },
  ])
  # tfecs:ignore:ecs-host-network-mode the network mode is fine, this is above another attribute
  requires_compatibilities = ["EC2"]
  network_mode = "host"
}
"""
    )
    code, doc, _ = scan(run_cli, str(root), "--rule", "ecs-container-root-user", "--rule", "ecs-privileged-container", "--rule", "ecs-host-network-mode")
    rows = sorted((f["rule"], f["path"], bool(f["suppressed"])) for f in doc["findings"])
    assert rows == [
        ("ecs-container-root-user", "container_definitions[0].user", True),
        ("ecs-container-root-user", "container_definitions[1].user", True),
        ("ecs-host-network-mode", "network_mode", False),
        ("ecs-privileged-container", "container_definitions[1].privileged", True),
    ]
    assert warnings(doc) == [("ignore-unused", "main.tf:18", "ignore of ecs-host-network-mode matched no finding: remove it if the risk is gone")]
    assert code == 1


def test_unused_ignore_and_strict_ignores(run_cli, tmp_path):
    root = tmp_path / "u"
    root.mkdir()
    (root / "main.tf").write_text(
        '# tfecs:ignore:ecr-tag-mutable:exp:2027-03-31 promotion rewrites tags\n'
        'resource "aws_ecr_repository" "r" {\n  name = "r"\n  image_tag_mutability = "IMMUTABLE"\n}\n'
        '\n# tfecs:ignore:ecr-tag-mutable not attached: a blank line follows\n\nlocals {}\n'
    )
    code, doc, _ = scan(run_cli, str(root), "--rule", "ecr-tag-mutable")
    assert warnings(doc) == [
        ("ignore-invalid", "main.tf:7", "not above or inside a resource or module block: it suppresses nothing"),
        ("ignore-unused", "main.tf:1", "ignore of ecr-tag-mutable matched no finding: remove it if the risk is gone"),
    ]
    assert code == 0
    code, out, err = run_cli("scan", str(root), "--rule", "ecr-tag-mutable", "--strict-ignores")
    assert code == 2
    assert "tfecs: error: main.tf:1: ignore of ecr-tag-mutable matched no finding" in err
    assert "tfecs: error: main.tf:7: not above or inside" in err
    # An ignore that names only rules that did not run is not "unused".
    code, doc, _ = scan(run_cli, str(root), "--rule", "sg-open-to-world")
    assert [w[0] for w in warnings(doc)] == ["ignore-invalid"]


def test_only_regular_tf_files_inside_the_root_are_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.tf").write_text("# tfecs:ignore:* from outside\n")
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / ".terraform").mkdir()
    (root / "main.tf").write_text("")
    (root / "sub" / "a.tf").write_text("")
    (root / ".terraform" / "b.tf").write_text("")
    (root / "notes.txt").write_text("")
    os.symlink(outside / "x.tf", root / "evil.tf")
    os.symlink(outside, root / "linked")
    assert [rel for rel, _ in tf_files(str(root))] == ["main.tf", "sub/a.tf"]


def test_table_lists_suppressed_findings_with_reason_and_escapes_controls(run_cli, tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    (root / "main.tf").write_text('# tfecs:ignore:ecr-tag-mutable tags are rewritten \x1b[31mby promotion\nresource "aws_ecr_repository" "r" {\n  name = "r"\n}\n')
    code, out, _ = run_cli("scan", str(root), "--rule", "ecr-tag-mutable")
    where = os.path.relpath(root / "main.tf")  # no git work tree: relative to the working directory
    assert f"Suppressed (1)\n  ecr-tag-mutable  aws_ecr_repository.r: tags are rewritten \\x1b[31mby promotion (inline, {where}:1)\n" in out
    assert "\x1b" not in out
    assert code == 0


# Units ---------------------------------------------------------------------------------

KNOWN = RuleIds(["ecr-tag-mutable", "iam-admin-policy", "iam-passrole-wildcard"])


@pytest.mark.parametrize(
    "text, expected",
    [
        (" tfecs:ignore:ecr-tag-mutable promotion rewrites tags", (("ecr-tag-mutable",), None, "promotion rewrites tags")),
        ("tfecs:ignore:ecr-tag-mutable,iam-:exp:2027-01-02 two", (("ecr-tag-mutable", "iam-"), date(2027, 1, 2), "two")),
        (" tfecs:ignore:*:exp:2027-01-02   all of them ", (("*",), date(2027, 1, 2), "all of them")),
        (" tfecs:ignore:ecr-tag-mutable", "an ignore needs a reason after the rule ids (it does not suppress without one)"),
        (" tfecs:ignore:ecr-tag-mutable:exp:2027-13-01 x", "bad expiry date '2027-13-01' (expected :exp:YYYY-MM-DD)"),
        (" tfecs:ignore:ecr-tag-mutable:exp:tomorrow x", "bad expiry date 'tomorrow' (expected :exp:YYYY-MM-DD)"),
        (" tfecs:ignore:ecr-tag-mutabl x", "unknown rule id 'ecr-tag-mutabl' (see `tfecs rules`)"),
        (" tfecs:ignore:ecr-tag-mutable,,iam- x", "no rule id (expected tfecs:ignore:<rule-id>[,<rule-id>…][:exp:YYYY-MM-DD] <reason>)"),
        (" tfecs:ignore: x", "no rule id (expected tfecs:ignore:<rule-id>[,<rule-id>…][:exp:YYYY-MM-DD] <reason>)"),
        (" a comment that mentions tfecs:ignore:ecr-tag-mutable later", None),
        (" plain comment", None),
    ],
)
def test_directive_forms(text, expected):
    assert parse_directive(text, KNOWN) == expected


def test_hclscan_is_not_fooled_by_strings_heredocs_and_templates():
    text = '''resource "a" "b" {
  x = "# not a comment ${ "}" } // nor this"
  y = <<-EOT
    # tfecs:ignore:ecr-tag-mutable inside a heredoc
    }
  EOT
  z = "$${literal}" /* block
  comment */ # real comment
  list = jsonencode([
    { n = 1 },
    {
      n = 2
    }
  ])
}
module "m" { source = "./mod" }
'''
    scan = hclscan.scan(text)
    assert [(c.line, c.text, c.own_line) for c in scan.comments] == [(8, " real comment", False)]
    res, mod = scan.items
    assert (res.kind, res.name, res.labels, res.line, res.end) == ("block", "resource", ("a", "b"), 1, 15)
    assert [(i.name, i.line, i.end) for i in res.body] == [("x", 2, 2), ("y", 3, 3), ("z", 7, 7), ("list", 9, 14)]
    assert res.body[2].value == "${literal}"
    assert res.body[3].elements == [(10, 10), (11, 13)]
    assert (mod.name, mod.labels, mod.line, mod.end, mod.body[0].value) == ("module", ("m",), 16, 16, "./mod")


def test_hclscan_survives_hostile_and_truncated_text():
    deep = "a = " + "[" * 5000 + "]" * 5000 + "\n" + "b {\n" * 3000 + "}\n" * 3000 + 'c = "' + "${\"" * 3000 + "\n"
    scan = hclscan.scan(deep)
    assert [i.name for i in scan.items][:2] == ["a", "b"]
    text = (TESTDATA / "terraform" / "ecs_insecure_variants" / "main.tf").read_text()
    for cut in range(0, len(text), max(1, len(text) // 60)):
        hclscan.scan(text[:cut])  # never raises, always ends
        hclscan.scan(text[cut:])
