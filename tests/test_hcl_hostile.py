"""Hostile HCL input (issue 11, HCL side): confinement of every read to the repository,
no file content in error messages, configuration Terraform rejects as an error, and
budgets on evaluation. Fixtures are built in tmp_path: the confinement rule depends on
where the enclosing git work tree is, and this repository is one."""

from __future__ import annotations

import json
import os
import signal
from contextlib import contextmanager

import pytest

from tfecs.cli import load_rules
from tfecs.errors import InputError
from tfecs.inputs.hcl import load_directory
from tfecs.inputs.hcl.budget import Budget
from tfecs.inputs.hcl.confine import Confinement, Outside, repository_root
from tfecs.inputs.hcl.syntax import shown_token
from tfecs.scan import SourceOptions, scan

SECRET = "ghp_Zx8QwErTy2UiOp4AsDfGh6JkLzXcVbNm0Q1w"
PRIVILEGED = 'jsonencode([{ name = "a", image = "a:1", privileged = true }])'


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def task(name="t", defs=PRIVILEGED):
    return f'resource "aws_ecs_task_definition" "{name}" {{\n  family = "{name}"\n  container_definitions = {defs}\n}}\n'


def run(directory, *rules, variables=None, var_files=()):
    report = scan([str(directory)], load_rules(select=rules), src=SourceOptions(None, variables or {}, var_files))
    return report


def outcome(report):
    return sorted((f.rule, f.address, f.status.value) for f in report.findings)


def warnings(report):
    return [(w.kind, w.where) for w in report.warnings]


def errors(report):
    return [e.line() for e in report.errors]


@contextmanager
def deadline(seconds):
    """Fail instead of hanging the suite (a FIFO read would block forever)."""

    def boom(*_):
        raise TimeoutError("blocked")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def repo(tmp_path):
    """A repository (its own .git) holding a scan directory `repo/infra`, with a CI
    token in .git/config and a secret file outside the repository."""
    root = tmp_path / "repo"
    write(root / ".git" / "config", f"[http]\n  extraheader = AUTHORIZATION: basic {SECRET}\n")
    write(tmp_path / "outside" / "secret.txt", SECRET)
    (root / "infra").mkdir()
    return root


# --------------------------------------------------------------------------- the repository root


def test_repository_root_is_the_enclosing_git_work_tree(repo, tmp_path):
    assert repository_root(str(repo / "infra")) == str(repo)
    lone = tmp_path / "lone"
    lone.mkdir()
    assert repository_root(str(lone)) == str(lone)
    conf = Confinement.for_scan(str(repo / "infra"))
    assert conf.check(str(repo / "infra" / ".." / "README")) == str(repo / "README")
    for path, reason in [
        (repo / ".git" / "config", ".git"),
        (repo / "infra" / ".." / ".." / "outside" / "secret.txt", "outside the repository"),
    ]:
        with pytest.raises(Outside, match=reason):
            conf.check(str(path))


def test_a_tf_file_that_is_a_symlink_out_of_the_repository_is_not_read(repo, tmp_path):
    infra = repo / "infra"
    write(infra / "main.tf", task())
    write(tmp_path / "outside" / "evil.tf", f'resource "aws_ecs_cluster" "{SECRET}" {{\n  name = "x"\n}}\n')
    os.symlink(tmp_path / "outside" / "evil.tf", infra / "evil.tf")
    os.symlink(tmp_path / "outside" / "secret.txt", infra / "environ.tf")  # a syntax error if read
    report = run(infra, "ecs-privileged-container")
    assert errors(report) == []
    assert warnings(report) == [("file-outside-root", f"{infra}/environ.tf"), ("file-outside-root", f"{infra}/evil.tf")]
    assert "symlink that leads out of the repository" in report.warnings[0].message
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]
    assert SECRET not in repr(report.findings) + repr(report.warnings)


def test_a_tfvars_symlink_out_of_the_repository_is_not_read(repo, tmp_path):
    infra = repo / "infra"
    write(infra / "main.tf", 'variable "image" {}\n' + task(defs='jsonencode([{ name = "a", image = var.image }])'))
    write(tmp_path / "outside" / "vars.tfvars", f'image = "{SECRET}"\n')
    os.symlink(tmp_path / "outside" / "vars.tfvars", infra / "terraform.tfvars")
    report = run(infra, "ecs-image-mutable-tag")
    assert errors(report) == []
    assert warnings(report) == [
        ("file-outside-root", f"{infra}/terraform.tfvars"),
        ("variable-no-value", f"{infra}/main.tf:1"),
    ]
    assert outcome(report) == [("ecs-image-mutable-tag", "aws_ecs_task_definition.t", "unknown")]


@pytest.mark.parametrize(
    "call",
    [
        'file("${path.module}/../.git/config")',
        'file("../.git/config")',
        'file("/etc/hostname")',
        'file("../../outside/secret.txt")',
        'templatefile("../../outside/secret.txt", {})',
        'filebase64("../.git/config")',
        'filesha256("../../outside/secret.txt")',
    ],
)
def test_file_functions_never_read_outside_the_repository_or_git(repo, call):
    infra = repo / "infra"
    write(infra / "main.tf", task(defs=call))
    report = run(infra, "ecs-privileged-container")
    assert errors(report) == []
    assert warnings(report) == [("file-outside-root", f"{infra}/main.tf:3")]
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "unknown")]
    assert SECRET not in repr(report.findings) + repr(report.warnings)


def test_file_reads_anywhere_inside_the_repository(repo):
    infra = repo / "infra"
    write(repo / "shared" / "defs.json", '[{"name": "a", "image": "a:1", "privileged": true}]')
    write(repo / "shared" / "defs.tftpl", '[{"name": "a", "image": "${image}", "privileged": true}]')
    write(infra / "main.tf", task("f", 'file("../shared/defs.json")') + task("g", 'templatefile("../shared/defs.tftpl", { image = "a:1" })'))
    report = run(infra, "ecs-privileged-container")
    assert (errors(report), warnings(report)) == ([], [])
    assert outcome(report) == [
        ("ecs-privileged-container", "aws_ecs_task_definition.f", "fail"),
        ("ecs-privileged-container", "aws_ecs_task_definition.g", "fail"),
    ]


def test_module_sources_obey_the_same_rule(repo, tmp_path):
    infra = repo / "infra"
    write(tmp_path / "outside" / "mod" / "main.tf", task("m"))
    write(repo / "modules" / "inside" / "main.tf", task("i") + task("j", 'file("${path.module}/../../.git/config")'))
    write(
        infra / "main.tf",
        'module "out" {\n  source = "../../outside/mod"\n}\nmodule "in" {\n  source = "../modules/inside"\n}\n',
    )
    report = run(infra, "ecs-privileged-container")
    assert errors(report) == []
    assert warnings(report) == [
        ("file-outside-root", f"{infra}/main.tf:1"),
        ("file-outside-root", f"{infra}/../modules/inside/main.tf:7".replace("infra/../", "")),
    ]
    assert "module 'out': source '../../outside/mod' is not read" in report.warnings[0].message
    assert outcome(report) == [
        ("ecs-privileged-container", "module.in.aws_ecs_task_definition.i", "fail"),
        ("ecs-privileged-container", "module.in.aws_ecs_task_definition.j", "unknown"),
    ]


def test_a_module_symlinked_out_of_the_repository_is_not_read(repo, tmp_path):
    infra = repo / "infra"
    write(tmp_path / "outside" / "mod" / "main.tf", task("m"))
    os.symlink(tmp_path / "outside" / "mod", infra / "mod")
    write(infra / "main.tf", 'module "m" {\n  source = "./mod"\n}\n')
    report = run(infra, "ecs-privileged-container")
    assert (errors(report), warnings(report), outcome(report)) == ([], [("file-outside-root", f"{infra}/main.tf:1")], [])


def test_a_module_not_downloaded_is_a_warning(tmp_path):
    write(tmp_path / "main.tf", 'module "svc" {\n  source  = "terraform-aws-modules/ecs/aws"\n  version = "5.0.0"\n}\n' + task())
    report = run(tmp_path, "ecs-privileged-container")
    assert errors(report) == []
    assert warnings(report) == [("module-not-downloaded", f"{tmp_path}/main.tf:1")]
    assert "terraform init" in report.warnings[0].message
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]


# --------------------------------------------------------------------------- only regular files


@pytest.mark.parametrize("name", ["main.tf", "terraform.tfvars", "defs.json"])
def test_a_fifo_is_an_error_never_a_hang(tmp_path, name):
    write(tmp_path / "main.tf", 'variable "x" {\n  default = 1\n}\n' + task(defs='file("defs.json")'))
    (tmp_path / name).unlink(missing_ok=True)
    os.mkfifo(tmp_path / name)
    if name == "main.tf":
        write(tmp_path / "other.tf", task("o"))
    with deadline(20):
        report = run(tmp_path, "ecs-privileged-container")
    assert len(report.errors) == 1 and report.exit_code == 2
    line = errors(report)[0]
    assert "not a regular file" in line
    assert line.startswith(f"{tmp_path}/{name}" if name != "defs.json" else f"{tmp_path}/main.tf:6")


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_folder_whose_only_tf_is_not_a_file_is_an_error(run_cli, tmp_path, kind):
    if kind == "fifo":
        os.mkfifo(tmp_path / "main.tf")
    else:
        (tmp_path / "main.tf").mkdir()
    with deadline(20):
        code, _, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err.startswith(f"tfecs: error: {tmp_path}")
    assert "regular file" in err or "no .tf" in err


# --------------------------------------------------------------------------- syntax errors quote no content


def test_a_syntax_error_never_quotes_file_content(run_cli, tmp_path):
    write(tmp_path / "main.tf", task())
    write(tmp_path / "terraform.tfvars", f"db_password = '{SECRET}'\n")
    code, out, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err == f"tfecs: error: {tmp_path}/terraform.tfvars:1: HCL syntax error: unexpected text (a string? HCL strings use double quotes) at column 15\n"


def test_syntax_error_tokens_go_through_the_secret_detector():
    assert shown_token("=") == "'='"
    assert shown_token("2") == "'2'"
    assert shown_token("AKIAIOSFODNN7EXAMPLE") == "(redacted)"
    assert shown_token("x" * 100) == "a token of 100 characters"
    assert shown_token("\x1b[31m") == "'\\\\x1b[31m'"
    assert shown_token("abc", "STRING_CHARS") == "text"


def test_a_bad_template_directive_is_not_quoted(tmp_path):
    write(tmp_path / "main.tf", task(defs=f'"%{{ {SECRET} }}"'))
    with pytest.raises(InputError) as info:
        load_directory(str(tmp_path))
    assert info.value.where == f"{tmp_path}/main.tf:3"
    assert SECRET not in str(info.value)


# --------------------------------------------------------------------------- what Terraform rejects


@pytest.mark.parametrize(
    "text, line, message",
    [
        (task(defs="var.nope"), 3, "undeclared input variable 'nope'"),
        (task(defs="local.nope"), 3, "undeclared local value 'nope'"),
        (task(defs="aws_iam_role.nope.arn"), 3, "undeclared resource aws_iam_role.nope"),
        (task(defs="data.aws_iam_policy_document.nope.json"), 3, "undeclared data source"),
        (task(defs="module.nope.x"), 3, "undeclared module call 'nope'"),
        (task(defs='lookup({ a = "1" }, "b")'), 3, "lookup(): the map has no key"),
        ('locals {\n  a = local.b\n  b = local.a\n}\n' + task(defs="local.a"), 2, "reference cycle"),
        ('name = "x"\n' + task(), 1, "an argument ('name') is not expected at the top level"),
        (task() + 'resouce "aws_iam_role" "r" {\n}\n', 5, "blocks of type 'resouce' are not expected here"),
        (task() + 'resource "aws_ecs_task_definition" "t" {\n}\n', 5, "declared twice"),
    ],
)
def test_configuration_terraform_rejects_is_an_error(tmp_path, text, line, message):
    write(tmp_path / "main.tf", text)
    report = run(tmp_path)
    assert report.exit_code == 2
    assert len(report.errors) == 1
    assert report.errors[0].where == f"{tmp_path}/main.tf:{line}"
    assert message in report.errors[0].message


def test_try_still_catches_a_failing_lookup(tmp_path):
    write(tmp_path / "main.tf", task(defs='try(lookup({ a = "1" }, "b"), ' + PRIVILEGED + ")"))
    assert outcome(run(tmp_path, "ecs-privileged-container")) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]


def test_a_module_missing_a_required_variable_is_an_error(tmp_path):
    write(tmp_path / "mod" / "main.tf", 'variable "image" {}\n' + task(defs='jsonencode([{ name = "a", image = var.image }])'))
    write(tmp_path / "main.tf", 'module "m" {\n  source = "./mod"\n}\n')
    report = run(tmp_path)
    assert errors(report) == [f"{tmp_path}/mod/main.tf:1: module 'm' needs a value for its variable 'image', which has no default"]


# --------------------------------------------------------------------------- cycles and budgets


def test_a_module_that_calls_itself_is_an_error(tmp_path):
    write(tmp_path / "main.tf", 'module "again" {\n  source = "./"\n}\n' + task())
    with deadline(20):
        report = run(tmp_path)
    assert errors(report) == [f"{tmp_path}/main.tf:1: module 'again' calls itself: its source leads back to a module that calls it"]


def test_modules_that_call_each_other_are_an_error(tmp_path):
    write(tmp_path / "a" / "main.tf", 'module "b" {\n  source = "../b"\n}\n')
    write(tmp_path / "b" / "main.tf", 'module "a" {\n  source = "../a"\n}\n')
    write(tmp_path / "main.tf", 'module "a" {\n  source = "./a"\n}\n')
    report = run(tmp_path)
    assert errors(report) == [f"{tmp_path}/b/main.tf:1: module 'a' calls itself: its source leads back to a module that calls it"]


def test_a_recursive_templatefile_is_an_error(tmp_path):
    write(tmp_path / "t.tftpl", '${templatefile("t.tftpl", {})}')
    write(tmp_path / "main.tf", task(defs='templatefile("t.tftpl", {})'))
    with deadline(20):
        report = run(tmp_path)
    assert errors(report) == [f"{tmp_path}/main.tf:3: templatefile() cannot be called from inside a template (Terraform rejects recursive templates)"]


@pytest.mark.parametrize(
    "expr, what",
    [
        ("[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]", "element budget"),
        ("setproduct(range(1000), range(1000), range(1000))", "setproduct"),
        ('format("%2000000000d", 1)', "format"),
        ('format("%99999999d", 1)', "format"),
        ('replace(join("", [for i in range(1000) : "aaaaaaaaaa"]), "a", join("", [for i in range(1000) : "bbbbbbbbbb"]))', "replace"),
    ],
)
def test_blow_ups_exceed_a_budget_with_file_and_line(tmp_path, expr, what):
    write(tmp_path / "main.tf", f"locals {{\n  big = {expr}\n}}\n" + task(defs="jsonencode(local.big)"))
    with deadline(60):
        report = run(tmp_path)
    assert report.exit_code == 2
    assert [e.where for e in report.errors] == [f"{tmp_path}/main.tf:2"]
    assert what in report.errors[0].message and "budget exceeded" in report.errors[0].message


def test_a_big_heredoc_interpolated_many_times_exceeds_the_string_budget(tmp_path):
    body = ("x" * 1023 + "\n") * 1024  # 1 MiB
    write(tmp_path / "main.tf", f"locals {{\n  h = <<EOT\n{body}EOT\n  many = \"{'${local.h}' * 300}\"\n}}\n" + task(defs="jsonencode(local.many)"))
    with deadline(60):
        report = run(tmp_path)
    assert [e.where for e in report.errors] == [f"{tmp_path}/main.tf:1028"]
    assert "string budget exceeded" in report.errors[0].message


def test_the_time_budget(tmp_path):
    write(tmp_path / "main.tf", "locals {\n  n = [for a in range(1000) : [for b in range(100) : a + b]]\n}\n" + task(defs="jsonencode(local.n)"))
    with pytest.raises(InputError, match="time budget exceeded") as info:
        load_directory(str(tmp_path), budget=Budget(time_limit=0.0))
    assert info.value.where == str(tmp_path)  # checked after each module directory is read, and every 4096 evaluation steps


def test_toset_and_distinct_are_linear(tmp_path):
    # Quadratic, 40k elements took minutes; linear, well under a second.
    write(
        tmp_path / "main.tf",
        'locals {\n  s = toset([for i in range(1000) : [for j in range(40) : "v${i}-${j}"]][0])\n'
        '  big = flatten([for i in range(1000) : [for j in range(40) : "v${i}-${j}"]])\n'
        "  n = length(distinct(concat(local.big, local.big)))\n  m = length(toset(local.big))\n}\n"
        + task(defs='jsonencode([{ name = "a", image = "a:1", privileged = local.n == 40000 && local.m == 40000 }])'),
    )
    with deadline(30):
        report = run(tmp_path, "ecs-privileged-container")
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]


@pytest.mark.parametrize(
    "expr",
    [
        'regex("(a+)+$", "${join("", [for i in range(1000) : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])}b")',
        'regexall("(x+x+)+y", join("", [for i in range(1000) : "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]))',
        'replace(join("", [for i in range(1000) : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]), "/(a|aa)+$/", "b")',
    ],
)
def test_regular_expressions_are_linear_time(tmp_path, expr):
    # With a backtracking engine each of these runs for longer than the universe.
    write(tmp_path / "main.tf", f"locals {{\n  r = try({expr}, false)\n}}\n" + task(defs=PRIVILEGED))
    with deadline(30):
        report = run(tmp_path, "ecs-privileged-container")
    assert errors(report) == []


def test_regex_matches_like_go():
    from tfecs.inputs.hcl.functions import call

    assert call("regex", ["(?P<user>[a-z]+)@(?P<host>[a-z.]+)", "me@example.com"]) == {"user": "me", "host": "example.com"}
    assert call("regexall", ["[0-9]+", "a1b22c333"]) == ["1", "22", "333"]
    assert call("replace", ["a-b-c", "/-(\\w)/", "+$1"]) == "a+b+c"


# --------------------------------------------------------------------------- JSON syntax and overrides


def test_tf_json_resources_are_scanned(tmp_path):
    write(
        tmp_path / "main.tf.json",
        json.dumps(
            {
                "variable": {"priv": {"type": "bool", "default": True}},
                "locals": {"image": "app:1"},
                "resource": {
                    "aws_ecs_task_definition": {
                        "j": {
                            "family": "j",
                            "container_definitions": '${jsonencode([{ name = "b", image = local.image, privileged = var.priv }])}',
                        }
                    },
                    "aws_security_group": {
                        "sg": {"name": "sg", "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}
                    },
                },
            },
            indent=2,
        ),
    )
    report = run(tmp_path, "ecs-privileged-container", "sg-open-to-world")
    assert errors(report) == []
    assert outcome(report) == [
        ("ecs-privileged-container", "aws_ecs_task_definition.j", "fail"),
        ("sg-open-to-world", "aws_security_group.sg", "fail"),
    ]
    found = {f.address: (f.file, f.line) for f in report.findings}
    assert found["aws_ecs_task_definition.j"] == ("main.tf.json", 15)


def test_tf_json_alone_is_a_configuration(run_cli, tmp_path):
    write(tmp_path / "main.tf.json", json.dumps({"resource": {"aws_ecs_task_definition": {"j": {"family": "j", "container_definitions": '[{"name": "b", "image": "b:1", "privileged": true}]'}}}}))
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json", "--rule", "ecs-privileged-container")
    assert code == 1, err
    assert [(f["rule"], f["address"], f["status"]) for f in json.loads(out)["findings"]] == [
        ("ecs-privileged-container", "aws_ecs_task_definition.j", "fail")
    ]


def test_duplicate_json_properties_are_an_error(tmp_path):
    write(tmp_path / "main.tf.json", '{"resource": {"aws_ecs_cluster": {"c": {"name": "a"}}},\n "resource": {}}')
    report = run(tmp_path)
    assert errors(report) == [f"{tmp_path}/main.tf.json:2: JSON configuration error: a JSON object gives the same property twice"]


@pytest.mark.parametrize("name", ["override.tf", "z_override.tf", "a_override.tf", "override.tf.json"])
def test_override_files_merge_last(tmp_path, name):
    write(tmp_path / "main.tf", task(defs='jsonencode([{ name = "a", image = "a:1", privileged = false }])'))
    if name.endswith(".json"):
        write(tmp_path / name, json.dumps({"resource": {"aws_ecs_task_definition": {"t": {"container_definitions": '${' + PRIVILEGED + '}'}}}}))
    else:
        write(tmp_path / name, 'resource "aws_ecs_task_definition" "t" {\n  container_definitions = ' + PRIVILEGED + "\n}\n")
    report = run(tmp_path, "ecs-privileged-container")
    assert outcome(report) == [("ecs-privileged-container", "aws_ecs_task_definition.t", "fail")]
    # Where the finding points: the original block (Location has one file).
    assert [(f.file, f.line) for f in report.findings] == [("main.tf", 1)]


def test_override_nested_blocks_replace_by_type(tmp_path):
    write(
        tmp_path / "main.tf",
        'resource "aws_security_group" "sg" {\n  name = "sg"\n  ingress {\n    from_port = 22\n    to_port = 22\n'
        '    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n',
    )
    write(
        tmp_path / "sg_override.tf",
        'resource "aws_security_group" "sg" {\n  dynamic "ingress" {\n    for_each = [22]\n    content {\n'
        '      from_port = ingress.value\n      to_port = ingress.value\n      protocol = "tcp"\n      cidr_blocks = ["0.0.0.0/0"]\n    }\n  }\n}\n',
    )
    assert outcome(run(tmp_path, "sg-open-to-world")) == [("sg-open-to-world", "aws_security_group.sg", "fail")]


def test_an_override_with_nothing_to_override_is_an_error(tmp_path):
    write(tmp_path / "main.tf", task())
    write(tmp_path / "x_override.tf", 'resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n')
    assert errors(run(tmp_path)) == [f"{tmp_path}/x_override.tf:1: there is no resource aws_ecs_cluster.c to override"]


@pytest.mark.parametrize("expr", ["[" * 3000 + "]" * 3000, "1+" * 100000 + "1"])
def test_deeply_nested_expressions_are_an_error_not_a_crash(run_cli, tmp_path, expr):
    write(tmp_path / "main.tf", f"locals {{\n  x = {expr}\n}}\n" + task())
    code, _, err = run_cli("scan", str(tmp_path))
    assert (code, err) == (2, f"tfecs: error: {tmp_path}/main.tf: expressions nested too deeply for tfecs to read\n")


def test_instances_count_against_the_element_budget(tmp_path):
    write(tmp_path / "mod" / "main.tf", 'resource "aws_ecs_cluster" "c" {\n  count = 5000\n  name  = "c"\n}\n')
    write(tmp_path / "main.tf", 'module "m" {\n  source = "./mod"\n  count  = 5000\n}\n')
    with pytest.raises(InputError, match="element budget exceeded") as info:
        load_directory(str(tmp_path), budget=Budget(max_elements=100_000))
    assert info.value.where == f"{tmp_path}/mod/main.tf:2"


def test_hybrid_mode_warns_and_goes_on_when_the_source_reads_outside(repo, tmp_path):
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_ecs_task_definition.t", "mode": "managed", "type": "aws_ecs_task_definition", "name": "t",
                "change": {"actions": ["create"], "before": None, "after": {"family": "t"}, "after_unknown": {"container_definitions": True}},
            },
            {
                "address": "aws_ecs_task_definition.u", "mode": "managed", "type": "aws_ecs_task_definition", "name": "u",
                "change": {"actions": ["create"], "before": None, "after": {"family": "u"}, "after_unknown": {"container_definitions": True}},
            },
        ],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    infra = repo / "infra"
    write(infra / "main.tf", task("t", 'file("../../outside/secret.txt")') + task("u"))
    report = scan([str(tmp_path / "plan.json")], load_rules(select=("ecs-privileged-container",)), src=SourceOptions(str(infra), {}, ()))
    assert errors(report) == []
    assert warnings(report) == [("file-outside-root", f"{infra}/main.tf:3")]
    assert outcome(report) == [
        ("ecs-privileged-container", "aws_ecs_task_definition.t", "unknown"),
        ("ecs-privileged-container", "aws_ecs_task_definition.u", "fail"),
    ]
    assert SECRET not in repr(report.findings) + repr(report.warnings)


@pytest.mark.parametrize("use", ["jsonencode(local.c)", "length(flatten(local.c))", "length(toset(local.c))", "local.c"])
def test_values_that_share_their_parts_cannot_blow_up(tmp_path, use):
    # c holds one list a million times over: small in memory, 10^9 strings written out.
    write(
        tmp_path / "main.tf",
        'locals {\n  a = [for i in range(1000) : "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]\n'
        "  b = [for i in range(1000) : local.a]\n  c = [for i in range(1000) : local.b]\n}\n"
        f'resource "aws_ecs_cluster" "x" {{\n  name = "x"\n  tags = {{ t = {use} }}\n}}\n',
    )
    with deadline(60):
        report = run(tmp_path)
    assert report.exit_code == 2
    assert [e.where for e in report.errors] == [f"{tmp_path}/main.tf:8"]
    assert "budget exceeded" in report.errors[0].message


def test_a_shared_value_given_to_a_typed_module_variable_cannot_blow_up(tmp_path):
    write(tmp_path / "mod" / "main.tf", 'variable "x" {\n  type = list(list(list(string)))\n}\n')
    write(
        tmp_path / "main.tf",
        'locals {\n  a = [for i in range(1000) : "x"]\n  b = [for i in range(1000) : local.a]\n  c = [for i in range(1000) : local.b]\n}\n'
        'module "m" {\n  source = "./mod"\n  x      = local.c\n}\noutput "o" {\n  value = module.m\n}\n'
        'resource "aws_ecs_cluster" "x" {\n  name = "x"\n  tags = { n = length(module.m.x) }\n}\n',
    )
    write(tmp_path / "mod" / "outputs.tf", 'output "x" {\n  value = var.x\n}\n')
    with deadline(60):
        report = run(tmp_path)
    assert [e.line() for e in report.errors] == [
        f"{tmp_path}/mod/main.tf:1: the value of variable 'x' is too large to convert (element budget exceeded)"
    ]


def test_tf_json_dynamic_blocks(tmp_path):
    write(
        tmp_path / "main.tf.json",
        json.dumps(
            {
                "variable": {"ports": {"default": [22, 3389]}},
                "resource": {
                    "aws_security_group": {
                        "sg": {
                            "name": "sg",
                            "dynamic": {
                                "ingress": {
                                    "for_each": "${var.ports}",
                                    "iterator": "port",
                                    "content": {"from_port": "${port.value}", "to_port": "${port.value}", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
                                }
                            },
                        }
                    }
                },
            }
        ),
    )
    rs = {r.address: r for r in load_directory(str(tmp_path))}
    assert [(i["from_port"], i["cidr_blocks"]) for i in rs["aws_security_group.sg"].after["ingress"]] == [(22, ["0.0.0.0/0"]), (3389, ["0.0.0.0/0"])]
    report = run(tmp_path, "sg-open-to-world")
    assert sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings) == [
        ("sg-open-to-world", "aws_security_group.sg", "fail", "ingress[0]"),
        ("sg-open-to-world", "aws_security_group.sg", "fail", "ingress[1]"),
    ]


@pytest.mark.parametrize(
    "source",
    [f"git::https://ci:{SECRET}@github.com/acme/ecs.git", "git::https://ci:hunter2@example.com/acme/ecs.git?ref=v1", f"s3::https://b.s3.amazonaws.com/m.zip?token={SECRET}"],
)
def test_module_sources_are_shown_without_credentials(tmp_path, source):
    write(tmp_path / "main.tf", f'module "m" {{\n  source = "{source}"\n}}\n' + task())
    report = run(tmp_path, "ecs-privileged-container")
    assert warnings(report) == [("module-not-downloaded", f"{tmp_path}/main.tf:1")]
    message = report.warnings[0].message
    assert SECRET not in message and "hunter2" not in message
    assert "terraform init" in message


def test_a_misspelled_block_type_that_looks_like_a_secret_is_not_printed(tmp_path):
    write(tmp_path / "main.tf", task() + "AKIAIOSFODNN7EXAMPLE {\n}\n")
    assert errors(run(tmp_path)) == [f"{tmp_path}/main.tf:5: blocks of type (redacted) are not expected here (a misspelled block type?)"]


def test_a_folder_with_nothing_readable_names_itself_once(run_cli, tmp_path, monkeypatch):
    """Only a symlink out of the repository: exit 2, the folder named as given (not `d/d`)."""
    (tmp_path / "repo" / "d").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "out.tf").write_text('resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n')
    os.symlink(tmp_path / "out.tf", tmp_path / "repo" / "d" / "main.tf")
    monkeypatch.chdir(tmp_path / "repo")
    code, out, err = run_cli("scan", "d")
    assert code == 2 and out == ""
    assert err == "tfecs: error: d: no .tf or .tf.json files that tfecs can read in this directory\n"
