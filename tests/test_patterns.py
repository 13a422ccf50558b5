"""Partly known strings as patterns (issue 12 item 3): the shared helper
(tfecs/model/patterns.py) and what the rules decide with it, exactly."""

from __future__ import annotations

from conftest import TESTDATA

from tfecs.cli import load_rules
from tfecs.inputs.hcl import load_directory
from tfecs.model.iam import admin_policy_pattern
from tfecs.model.patterns import Hole, Pattern, image_pinned, image_registry_hosts, image_tag
from tfecs.scan import SourceOptions, scan

REPO_URL = Hole("aws_ecr_repository.app.repository_url")
PARTITION = Hole("data.aws_partition.current.partition")
DNS_SUFFIX = Hole('module.x["a"].data.aws_partition.current.dns_suffix')
ANY = Hole("var.anything")  # not a resource attribute: any text
NONE = Hole()


# ----------------------------------------------------------------------------- the helper


def test_a_hole_knows_its_origin_through_modules_keys_and_data():
    assert REPO_URL.kind == ("aws_ecr_repository", "repository_url")
    assert PARTITION.kind == ("aws_partition", "partition")
    assert DNS_SUFFIX.kind == ("aws_partition", "dns_suffix")
    assert Hole('aws_ecr_repository.app["x"].repository_url').kind == ("aws_ecr_repository", "repository_url")
    assert ANY.kind is None and NONE.kind is None
    assert ANY.values is None and REPO_URL.values is None
    assert "aws-cn" in PARTITION.values and "amazonaws.com.cn" in DNS_SUFFIX.values


def test_literals_merge_and_prefix_suffix_are_the_known_ends():
    p = Pattern.of(["a", "b", NONE, "", "c", "d"])
    assert p.parts == ("ab", NONE, "cd")
    assert (p.prefix, p.suffix) == ("ab", "cd")
    q = Pattern.of([NONE, ":latest"])
    assert (q.prefix, q.suffix) == ("", ":latest")
    assert str(Pattern.of([REPO_URL, ":1"])) == "${aws_ecr_repository.app.repository_url}:1"


def test_finite_holes_enumerate_and_decide_always():
    p = Pattern.of(["arn:", PARTITION, ":iam::aws:policy/AdministratorAccess"])
    assert p.values() is not None and "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" in p.values()
    assert p.always(lambda v: v.endswith("/AdministratorAccess")) is True
    assert p.always(lambda v: v.startswith("arn:aws-cn:")) is None  # some do, some do not
    assert p.always(lambda v: "ReadOnly" in v) is False
    assert Pattern.of(["arn:", ANY, ":iam::aws:policy/AdministratorAccess"]).always(lambda v: True) is None


def test_can_equal_answers_never_only_when_no_value_can_be_it():
    service = "ecs-tasks.amazonaws.com"
    assert Pattern.of(["codebuild.", DNS_SUFFIX]).can_equal(service) is False
    assert Pattern.of(["codebuild.", ANY]).can_equal(service) is False  # the known prefix differs
    assert Pattern.of(["ecs-tasks.", DNS_SUFFIX]).can_equal(service) is True
    assert Pattern.of(["ECS-Tasks.", DNS_SUFFIX]).can_equal(service, ignore_case=True) is True
    assert Pattern.of(["ECS-Tasks.", DNS_SUFFIX]).can_equal(service) is False
    assert Pattern.of([ANY, ".amazonaws.com"]).can_equal(service) is True
    assert Pattern.of([ANY, ".amazonaws.com.cn"]).can_equal(service) is False
    assert Pattern.of(["ecs", ANY, "tasks", ANY, "com"]).can_equal(service) is True
    assert Pattern.of(["ecs", ANY, "tasks", ANY, "org"]).can_equal(service) is False
    # literals may not overlap: "ab" + hole + "ba" is at least 4 characters
    assert Pattern.of(["ab", ANY, "ba"]).can_equal("aba") is False


def test_too_many_expansions_are_not_decided():
    p = Pattern.of([PARTITION, PARTITION, PARTITION, PARTITION])  # 8**4 > the bound
    assert p.values() is None
    assert p.always(lambda v: True) is None
    assert p.can_equal("nothing-like-it") is True  # cannot tell: may be
    assert p.always_matches_glob("*") is False


def test_glob_containment_is_sound():
    host = image_registry_hosts(Pattern.of([REPO_URL, ":1"]))
    assert host is not None and len(host) == 2
    assert all(h.always_matches_glob("*.dkr.ecr.*.amazonaws.com") or h.always_matches_glob("*.dkr.ecr.*.amazonaws.com.cn") for h in host)
    # A hole can hold any account: an account-specific glob is not shown for every value.
    assert not host[0].always_matches_glob("123456789012.dkr.ecr.*.amazonaws.com")
    # `?` stands for one character, a hole for any text.
    assert not Pattern.of(["a", ANY, "b"]).always_matches_glob("a?b")
    assert Pattern.of(["a", ANY, "b"]).always_matches_glob("a*")
    assert not Pattern.of(["a", ANY, "b"]).always_matches_glob("a*c")
    assert not Pattern.of(["a", ANY, "b"]).always_matches_glob("a[bc]*")
    assert Pattern.of(["x.", DNS_SUFFIX]).always_matches_glob("x.*")
    assert not Pattern.of(["x.", DNS_SUFFIX]).always_matches_glob("x.*.com")


def test_image_questions():
    assert image_pinned(Pattern.of([REPO_URL, ":1.4.2@sha256:" + "a" * 64])) is True
    assert image_pinned(Pattern.of([ANY, "@sha256:" + "a" * 64])) is True
    assert image_pinned(Pattern.of([REPO_URL, ":latest"])) is None
    assert image_tag(Pattern.of([REPO_URL, ":latest"])) == "latest"
    assert image_tag(Pattern.of([REPO_URL, ":1.0"])) == "1.0"
    assert image_tag(Pattern.of([REPO_URL, ":", ANY])) is None  # the tag is the hole
    assert image_tag(Pattern.of([ANY, ":latest"])) is None  # the hole may hold a digest
    assert image_tag(Pattern.of([REPO_URL, ":x/y"])) is None
    assert image_tag(Pattern.of([REPO_URL, "-suffix"])) is None
    assert image_registry_hosts(Pattern.of([ANY, "/app:1"])) is None
    assert [str(h) for h in image_registry_hosts(Pattern.of(["ghcr.io/acme/", ANY]))] == ["ghcr.io"]
    assert [str(h) for h in image_registry_hosts(Pattern.of(["library/", ANY]))] == ["docker.io"]
    assert image_registry_hosts(Pattern.of(["registry:5000/", ANY])) is None
    assert image_registry_hosts(Pattern.of(["nginx:", ANY])) is None


def test_admin_policy_pattern():
    assert admin_policy_pattern(Pattern.of(["arn:", PARTITION, ":iam::aws:policy/AdministratorAccess"])) is True
    assert admin_policy_pattern(Pattern.of(["arn:", ANY, ":iam::aws:policy/AdministratorAccess"])) is False
    assert admin_policy_pattern(Pattern.of(["arn:", PARTITION, ":iam::aws:policy/ReadOnlyAccess"])) is False
    assert admin_policy_pattern(None) is False


def test_matching_is_linear_on_hostile_patterns():
    p = Pattern.of([x for _ in range(20000) for x in ("a", ANY)] + ["b"])
    assert p.can_equal("a" * 100000) is False
    assert not p.always_matches_glob("*a*a*a*a*c")


# ----------------------------------------------------------------------------- end to end

FIXTURE = '''
data "aws_partition" "current" {}
variable "tag" {}
variable "registry" {}
variable "partition" {}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}

locals {
  base = { name = "app", essential = true, user = "1000", readonlyRootFilesystem = true }
}

resource "aws_ecs_task_definition" "latest" {
  family                = "latest"
  container_definitions = jsonencode([merge(local.base, { image = "${aws_ecr_repository.app.repository_url}:latest" })])
}
resource "aws_ecs_task_definition" "pinned" {
  family                = "pinned"
  container_definitions = jsonencode([merge(local.base, { image = "${aws_ecr_repository.app.repository_url}:1.4.2@sha256:0123456789012345678901234567890123456789012345678901234567890123" })])
}
resource "aws_ecs_task_definition" "var_tag" {
  family                = "var-tag"
  container_definitions = jsonencode([merge(local.base, { image = "${aws_ecr_repository.app.repository_url}:${var.tag}" })])
}
resource "aws_ecs_task_definition" "var_registry" {
  family                = "var-registry"
  container_definitions = jsonencode([merge(local.base, { image = "${var.registry}/app:latest" })])
}
resource "aws_ecs_task_definition" "hub" {
  family                = "hub"
  container_definitions = jsonencode([merge(local.base, { image = "docker.io/library/nginx:${var.tag}" })])
}

resource "aws_iam_role" "codebuild" {
  name = "codebuild"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.${data.aws_partition.current.dns_suffix}" } }]
  })
}
resource "aws_iam_role" "maybe_ecs" {
  name = "maybe-ecs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = ["codebuild.amazonaws.com", "ecs-tasks.${data.aws_partition.current.dns_suffix}"] } }]
  })
}
'''

IMAGE_RULES = ("ecs-image-mutable-tag", "ecs-image-untrusted-registry")


def _report(tmp_path, *rules, options=None):
    (tmp_path / "main.tf").write_text(FIXTURE)
    loaded = load_rules(select=rules)
    for rule in loaded:
        if options and rule.meta.id in options:
            rule.options = {**rule.options, **options[rule.meta.id]}
    return scan([str(tmp_path)], loaded, src=SourceOptions(None, {}, ()))


def _rows(report):
    return sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings)


def test_images_the_configuration_decides(tmp_path):
    report = _report(tmp_path, *IMAGE_RULES)
    assert [e.line() for e in report.errors] == []
    img = "container_definitions[0].image"
    assert _rows(report) == [
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.hub", "unknown", img),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.latest", "fail", img),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.var_registry", "unknown", img),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.var_tag", "unknown", img),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.hub", "fail", img),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.var_registry", "unknown", img),
    ]
    by = {(f.rule, f.address): f for f in report.findings}
    assert by[("ecs-image-mutable-tag", "aws_ecs_task_definition.latest")].message == (
        "container 'app' image '${aws_ecr_repository.app.repository_url}:latest' uses the moving tag `latest`"
    )
    assert by[("ecs-image-untrusted-registry", "aws_ecs_task_definition.hub")].message == (
        "container 'app' pulls its image from registry 'docker.io', outside the trusted registries"
    )


def test_an_account_specific_registry_list_leaves_the_repository_url_undecided(tmp_path):
    report = _report(tmp_path, "ecs-image-untrusted-registry", options={"ecs-image-untrusted-registry": {"allowed_registries": ["123456789012.dkr.ecr.*.amazonaws.com"]}})
    assert [(a, s) for _, a, s, _ in _rows(report)] == [
        ("aws_ecs_task_definition.hub", "fail"),
        ("aws_ecs_task_definition.latest", "unknown"),
        ("aws_ecs_task_definition.pinned", "unknown"),
        ("aws_ecs_task_definition.var_registry", "unknown"),
        ("aws_ecs_task_definition.var_tag", "unknown"),
    ]


def test_a_service_principal_with_a_known_prefix(tmp_path):
    report = _report(tmp_path, "ecs-trust-policy-confused-deputy")
    # codebuild.${dns_suffix} can never be ecs-tasks.amazonaws.com; ecs-tasks.${dns_suffix} may.
    assert _rows(report) == [
        ("ecs-trust-policy-confused-deputy", "aws_iam_role.maybe_ecs", "unknown", "assume_role_policy.Statement[0].Principal.Service"),
    ]


def test_patterns_travel_beside_the_unknown_marker(tmp_path):
    (tmp_path / "main.tf").write_text(FIXTURE)
    rs = {r.address: r for r in load_directory(str(tmp_path))}
    latest = rs["aws_ecs_task_definition.latest"]
    assert {k: str(v) for k, v in latest.patterns.items()} == {
        ("container_definitions", 0, "image"): "${aws_ecr_repository.app.repository_url}:latest"
    }
    assert "image" not in latest.after["container_definitions"][0]  # `after` is as before: unknown
    assert latest.after_unknown["container_definitions"][0]["image"] is True
    assert {k: str(v) for k, v in rs["aws_iam_role.maybe_ecs"].patterns.items()} == {
        ("assume_role_policy", "Statement", 0, "Principal", "Service", 1): "ecs-tasks.${data.aws_partition.current.dns_suffix}"
    }
    assert rs["aws_ecr_repository.app"].patterns == {}


def test_fidelity_fixtures_decide_in_hcl_mode():
    directory = TESTDATA / "terraform" / "fidelity_unknowns"
    report = scan([str(directory)], load_rules(select=("ecs-task-role-admin", "ecs-trust-policy-confused-deputy", *IMAGE_RULES)), src=SourceOptions(None, {}, ()))
    rows = {(f.rule, f.address): (f.status.value, f.path_text) for f in report.findings}
    assert rows[("ecs-task-role-admin", "aws_ecs_task_definition.bad_partition_admin")] == ("fail", "task_role_arn")
    assert rows[("ecs-image-mutable-tag", "aws_ecs_task_definition.bad_ecr_latest")] == ("fail", "container_definitions[0].image")
    assert ("ecs-image-untrusted-registry", "aws_ecs_task_definition.bad_ecr_latest") not in rows
    assert ("ecs-trust-policy-confused-deputy", "aws_iam_role.good_codebuild") not in rows


def test_a_service_principal_pattern_through_a_policy_document_data_source(tmp_path):
    doc = '''
data "aws_iam_policy_document" "%s" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["%s.${data.aws_partition.current.dns_suffix}"]
    }
  }
}
resource "aws_iam_role" "%s" {
  name               = "%s"
  assume_role_policy = data.aws_iam_policy_document.%s.json
}
'''
    text = 'data "aws_partition" "current" {}\n' + doc % ("cb", "codebuild", "cb", "cb", "cb") + doc % ("ecs", "ecs-tasks", "ecs", "ecs", "ecs")
    (tmp_path / "main.tf").write_text(text)
    report = scan([str(tmp_path)], load_rules(select=("ecs-trust-policy-confused-deputy",)), src=SourceOptions(None, {}, ()))
    assert _rows(report) == [
        ("ecs-trust-policy-confused-deputy", "aws_iam_role.ecs", "unknown", "assume_role_policy.Statement[0].Principal.Service"),
    ]


def test_json_text_templates_and_a_bare_repository_url():
    """A heredoc or templatefile() JSON text keeps a hole inside a JSON string as a
    pattern; an image that is a repository URL alone names no tag (Docker pulls latest)."""
    report = scan([str(TESTDATA / "hcl" / "container_defs")], load_rules(select=IMAGE_RULES), src=SourceOptions(None, {}, ()))
    assert [(f.rule, f.address, f.status.value, f.path_text) for f in sorted(report.findings, key=lambda f: (f.address, f.rule))] == [
        # "image": "${image}" in app.json.tftpl, image = aws_ecr_repository.app.repository_url
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.bad_templatefile", "fail", "container_definitions[0].image"),
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.bad_untagged_image", "fail", "container_definitions[0].image"),
        # container_definitions from an SSM parameter: wholly unknown
        ("ecs-image-mutable-tag", "aws_ecs_task_definition.unknown_definitions", "unknown", "container_definitions"),
        ("ecs-image-untrusted-registry", "aws_ecs_task_definition.unknown_definitions", "unknown", "container_definitions"),
    ]
    # bad_heredoc's "${aws_ecr_repository.app.repository_url}:${var.image_tag}" is decided: tag 1.4.2, own ECR.
    assert "neither tag nor digest" in next(f.message for f in report.findings if f.address.endswith("bad_untagged_image"))


def test_admin_in_every_partition_on_role_and_attachment(tmp_path):
    (tmp_path / "main.tf").write_text(ADMIN_FIXTURE)
    report = scan([str(tmp_path)], load_rules(select=("ecs-task-role-admin",)), src=SourceOptions(None, {}, ()))
    assert [(f.address, f.status.value, f.message) for f in sorted(report.findings, key=lambda f: f.address)] == [
        # a variable's partition may be anything: not shown to be AdministratorAccess
        ("aws_ecs_task_definition.by_var", "unknown", "the task role's policies are known only after apply: aws_iam_role_policy_attachment.by_var.policy_arn"),
        ("aws_ecs_task_definition.managed", "fail", "task role is an administrator (aws_iam_role.managed: AdministratorAccess attached by aws_iam_role.managed.managed_policy_arns[0])"),
    ]


_TRUST = 'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" }, Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } } }] })'
_IMAGE = "public.ecr.aws/x/y@sha256:" + "0" * 64
ADMIN_FIXTURE = f'''
data "aws_partition" "current" {{}}
variable "partition" {{}}
resource "aws_iam_role" "managed" {{
  name                = "managed"
  assume_role_policy  = {_TRUST}
  managed_policy_arns = ["arn:${{data.aws_partition.current.partition}}:iam::aws:policy/AdministratorAccess"]
}}
resource "aws_iam_role" "by_var" {{
  name               = "by-var"
  assume_role_policy = {_TRUST}
}}
resource "aws_iam_role_policy_attachment" "by_var" {{
  role       = aws_iam_role.by_var.name
  policy_arn = "arn:${{var.partition}}:iam::aws:policy/AdministratorAccess"
}}
resource "aws_ecs_task_definition" "managed" {{
  family                = "managed"
  task_role_arn         = aws_iam_role.managed.arn
  container_definitions = jsonencode([{{ name = "app", image = "{_IMAGE}" }}])
}}
resource "aws_ecs_task_definition" "by_var" {{
  family                = "by-var"
  task_role_arn         = aws_iam_role.by_var.arn
  container_definitions = jsonencode([{{ name = "app", image = "{_IMAGE}" }}])
}}
'''
