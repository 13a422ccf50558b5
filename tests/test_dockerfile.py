"""Dockerfile mode: which files are Dockerfiles, reading them safely (inside the
repository, regular files, no symlink out), USER resolution (ARG defaults, ENV,
multi-stage, uid:gid, heredocs), findings with file and line through the reporters and
the gate, and inline `# tfecs:ignore:...` comments."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from conftest import TESTDATA

from tfecs import gate
from tfecs.dockerfile_scan import scan_dockerfile
from tfecs.inputs.dockerfile import inline_ignores, is_dockerfile_name, mask_heredocs, parse_stages, substitute, UNKNOWN
from tfecs.report import Report
from tfecs_rules import ALL_RULES

RULE = next(r for r in ALL_RULES if r.meta.id == "dockerfile-user-missing")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository (a .git folder) as the working directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(repo, name, text):
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def scan_cli(run_cli, *args):
    code, out, err = run_cli("scan", *args, "-f", "json")
    return code, (json.loads(out) if out else None), err


ROOT_FINAL = "FROM golang:1.22 AS build\nUSER 10001\nRUN go build\n\nFROM alpine:3.20\nCOPY --from=build /app /app\n"
MULTI_STAGE_GOOD = "ARG UID=10001\nFROM golang:1.22 AS build\nRUN go build\n\nFROM gcr.io/distroless/base\nARG UID\nCOPY --from=build /app /app\nUSER ${UID}:${UID}\n"


# Done-when -------------------------------------------------------------------------------------
def test_root_final_stage_fails_and_non_root_multistage_passes(run_cli, repo):
    write(repo, "Dockerfile", ROOT_FINAL)
    write(repo, "svc/api.Dockerfile", MULTI_STAGE_GOOD)
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 1
    (f,) = report["findings"]
    assert (f["rule"], f["address"], f["status"], f["delta"], f["blocking"], f["file"], f["line"], f["resource_type"]) == (
        "dockerfile-user-missing", "Dockerfile", "fail", "introduced", True, "Dockerfile", 5, "dockerfile",
    )
    assert f["message"] == "the final stage (stage 2) sets no USER: the container runs as root"
    assert report["inputs"] == [{"path": "Dockerfile", "kind": "dockerfile", "format_version": None, "terraform_version": None, "resources": 1}]
    code, report, _ = scan_cli(run_cli, "svc/api.Dockerfile")
    assert (code, report["findings"]) == (0, [])


def test_table_shows_file_and_line(run_cli, repo):
    write(repo, "Dockerfile", "FROM alpine\nUSER app\nUSER root\n")
    code, out, _ = run_cli("scan", "Dockerfile")
    assert code == 1
    assert "dockerfile-user-missing" in out and "Dockerfile:3" in out and "its last USER (line 3) is root" in out


def test_address_is_repository_relative(run_cli, repo, monkeypatch):
    write(repo, "services/web/Dockerfile.prod", "FROM nginx\n")
    monkeypatch.chdir(repo / "services")
    code, report, _ = scan_cli(run_cli, "web/Dockerfile.prod")
    assert code == 1 and report["findings"][0]["address"] == "services/web/Dockerfile.prod"
    assert report["findings"][0]["file"] == "services/web/Dockerfile.prod"


def test_dockerfile_option_takes_any_name(run_cli, repo):
    write(repo, "build/container.txt", "FROM alpine\n")
    code, report, _ = scan_cli(run_cli, "--dockerfile", "build/container.txt")
    assert code == 1 and report["findings"][0]["address"] == "build/container.txt"


def test_plan_and_dockerfile_in_one_scan(run_cli, repo):
    """Terraform rules (the account profile too) say nothing about a Dockerfile, and the
    Dockerfile rule nothing about a plan."""
    write(repo, "Dockerfile", "FROM alpine\n")
    plan = TESTDATA / "plans" / "real" / "account_baseline_secure.json"
    code, report, _ = scan_cli(run_cli, str(plan), "Dockerfile", "--profile", "account")
    assert code == 1
    assert [(f["rule"], f["address"]) for f in report["findings"]] == [("dockerfile-user-missing", "Dockerfile")]
    assert [i["kind"] for i in report["inputs"]] == ["plan", "dockerfile"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Dockerfile", True),
        ("app/Dockerfile", True),
        ("api.Dockerfile", True),
        ("Dockerfile.prod", True),
        ("Dockerfile.", False),
        (".Dockerfile", False),
        ("dockerfile", False),
        ("Dockerfiles", False),
        ("main.tf", False),
        ("plan.json", False),
    ],
)
def test_is_dockerfile_name(name, expected):
    assert is_dockerfile_name(name) is expected


# Hostile input ------------------------------------------------------------------------------
def test_symlink_out_of_the_repository_is_not_read(run_cli, repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret"
    outside.write_text("FROM alpine\nUSER app\n")
    os.symlink(outside, repo / "Dockerfile")
    code, out, err = run_cli("scan", "Dockerfile")
    assert code == 2 and out == ""
    assert err == "tfecs: error: Dockerfile: is outside the repository (or a symlink leading out of it): not read\n"


def test_symlink_inside_the_repository_is_read(run_cli, repo):
    write(repo, "docker/base.Dockerfile", "FROM alpine\nUSER 1000\n")
    os.symlink(repo / "docker" / "base.Dockerfile", repo / "Dockerfile")
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert (code, report["findings"]) == (0, [])


@pytest.mark.parametrize("kind", ["fifo", "directory", "binary", "huge", "missing"])
def test_only_small_regular_text_files(run_cli, repo, kind):
    path = repo / "Dockerfile.x"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
        (path / "main.tf").write_text("")
    elif kind == "binary":
        path.write_bytes(b"FROM alpine\n\xff\xfe\x00")
    elif kind == "huge":
        path.write_text("FROM alpine\n" + "# pad\n" * 200_000)
    code, out, err = run_cli("scan", "--dockerfile", "Dockerfile.x")
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("tfecs: error: Dockerfile.x: ")


# USER resolution ---------------------------------------------------------------------------
def final(text):
    return parse_stages(text)[-1]


def test_arg_defaults_and_env_reach_user():
    assert final("ARG U=app\nFROM alpine\nARG U\nUSER $U\n")["user"] == "app"
    assert final("ARG U=app\nFROM alpine\nUSER $U\n")["user"] == ""  # a global ARG not re-declared is empty in the stage
    assert final("FROM alpine\nARG U=1000\nARG G=${U}\nUSER ${U}:${G}\n")["user"] == "1000:1000"
    assert final("FROM alpine\nENV HOME_USER app\nUSER ${HOME_USER}\n")["user"] == "app"
    assert final("FROM alpine\nARG U\nUSER ${U:-app}\n")["user_unknown"] is True
    assert final("FROM alpine\nUSER \\\n  app\n")["user"] == "app"


def test_multistage_inherits_from_stage_not_from_image():
    text = "FROM alpine AS base\nENV U=svc\nUSER $U\n\nFROM base AS test\nRUN true\n\nFROM BASE\n"
    stage = final(text)
    assert (stage["user"], stage["user_line"], stage["base_stage"]) == ("svc", 3, 0)
    assert final("FROM alpine AS base\nUSER 1000\nFROM alpine\n")["user_set"] is False


def test_escape_directive_and_comments():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nUSER `\n  ContainerUser\n"
    assert final(text)["user"] == "ContainerUser"


def test_heredoc_bodies_are_not_instructions():
    text = "FROM nginx\nCOPY <<EOF /etc/nginx/nginx.conf\nuser nginx;\nUSER nginx\nEOF\nRUN <<-'X' bash\n\tUSER app\n\tX\n"
    assert mask_heredocs(text).split("\n")[2:5] == ["", "", ""]
    assert final(text)["user_set"] is False


def test_substitute():
    scope = {"A": "x", "E": "", "U": UNKNOWN}
    assert substitute("$A-${A}-${E:-d}-${E-d}-${A:+y}-${NOPE}-\\$A", scope) == "x-x-d--y--$A"
    assert substitute("${U}", scope) is None


@pytest.mark.parametrize(
    "user, root",
    [("root", True), ("0", True), ("0:0", True), ("0:1000", True), ("000", True), ("ROOT", True), ("1000:0", False), ("app", False), ("rooty", False),
     # Go's strconv.Atoi (how Docker reads a numeric user) takes a sign: +0 and -0 are uid 0.
     ("+0", True), ("-0:0", True), ("+1000", False),
     # Digits to Python's isdigit, not to Go: no user, and no crash of the rule.
     ("\u00b2", False), ("\u0660", False)],
)
def test_root_forms(user, root, repo):
    write(repo, "Dockerfile", f"FROM alpine\nUSER {user}\n")
    report = Report()
    scan_dockerfile("Dockerfile", [RULE()], gate.GateOptions(), report)
    assert [f.status.value for f in report.findings] == (["fail"] if root else [])


# Inline ignores ----------------------------------------------------------------------------
def test_inline_ignore_suppresses_and_does_not_block(run_cli, repo):
    write(repo, "Dockerfile", "FROM alpine\n# build tooling\n# tfecs:ignore:dockerfile-user-missing:exp:2999-01-01 entrypoint drops to uid 1000\nUSER root\n")
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 0
    (f,) = report["findings"]
    assert f["blocking"] is False and f["line"] == 4
    assert f["suppressed"] == {"source": "inline", "reason": "entrypoint drops to uid 1000", "expires": "2999-01-01", "where": "Dockerfile:3"}
    assert report["summary"]["suppressed"] == 1


IGNORED_ROOT = "FROM alpine\n# tfecs:ignore:dockerfile-user-missing entrypoint drops to uid 1000\nUSER root\n"


def test_no_ignores_turns_off_dockerfile_ignores_too(run_cli, repo):
    """--no-ignores (audits) left a Dockerfile's inline ignores in force, in a single
    scan and in a recursive one (whose workers apply them)."""
    write(repo, "Dockerfile", IGNORED_ROOT)
    code, report, _ = scan_cli(run_cli, "Dockerfile", "--no-ignores")
    assert code == 1 and [(f["rule"], f["suppressed"], f["blocking"]) for f in report["findings"]] == [("dockerfile-user-missing", None, True)]
    write(repo, "a/main.tf", 'resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n')
    write(repo, "b/main.tf", 'resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n')
    code, report, _ = scan_cli(run_cli, "-r", "a", "b", "--rule", "dockerfile-user-missing", "--dockerfile", "Dockerfile", "--no-ignores")
    assert code == 1 and [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("dockerfile-user-missing", None)]
    # Named among the paths of a recursive scan: a worker process scans it.
    code, report, _ = scan_cli(run_cli, "-r", "a", "Dockerfile", "--rule", "dockerfile-user-missing", "--no-ignores")
    assert code == 1 and [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("dockerfile-user-missing", None)]


def test_an_ignore_without_a_reason_does_not_suppress(run_cli, repo):
    """As in .tf files: a reasonless ignore is reported, and the finding blocks."""
    write(repo, "Dockerfile", "FROM alpine\n# tfecs:ignore:dockerfile-user-missing\nUSER root\n")
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 1 and report["findings"][0]["suppressed"] is None
    assert report["warnings"] == [{"kind": "ignore-invalid", "where": "Dockerfile:2",
                                   "message": "an ignore needs a reason after the rule id (it does not suppress without one)"}]
    code, report, err = scan_cli(run_cli, "Dockerfile", "--strict-ignores")
    assert code == 2 and err == "tfecs: error: Dockerfile:2: an ignore needs a reason after the rule id (it does not suppress without one)\n"


def test_config_ignores_and_baselines_reach_dockerfiles(run_cli, repo):
    write(repo, "Dockerfile", "FROM alpine\nUSER root\n")
    write(repo, ".tfecs.hcl", 'ignore {\n  rule    = "dockerfile-user-missing"\n  address = "Dockerfile"\n  reason  = "base image drops root"\n}\n')
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 0 and report["findings"][0]["suppressed"] == {"source": "config", "reason": "base image drops root", "expires": None, "where": ".tfecs.hcl:1"}
    (repo / ".tfecs.hcl").unlink()
    assert run_cli("baseline", "Dockerfile", "-o", "b.json")[0] == 0
    code, report, _ = scan_cli(run_cli, "Dockerfile", "--baseline", "b.json")
    assert code == 0 and report["findings"][0]["suppressed"]["source"] == "baseline"


def test_expired_ignore_blocks_again_with_a_warning(run_cli, repo):
    write(repo, "Dockerfile", "# tfecs:ignore:dockerfile-user-missing:exp:2020-01-01 temporary\nFROM alpine\n")
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 1 and report["findings"][0]["suppressed"] is None
    assert report["warnings"] == [
        {"kind": "ignore-expired", "where": "Dockerfile:1", "message": "the ignore of dockerfile-user-missing expired on 2020-01-01: the finding is reported again"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "# tfecs:ignore:ecs-privileged-container reason\nFROM alpine\n",  # another rule
        "# tfecs:ignore:dockerfile-user-missing reason\n\nFROM alpine\n",  # a blank line between
        "FROM alpine\n# tfecs:ignore:dockerfile-user-missing reason\nRUN true\n",  # above another instruction
    ],
)
def test_ignore_applies_only_right_above_the_finding(run_cli, repo, text):
    write(repo, "Dockerfile", text)
    code, report, _ = scan_cli(run_cli, "Dockerfile")
    assert code == 1 and report["findings"][0]["suppressed"] is None


def test_inline_ignores_parse():
    text = "FROM a\n#tfecs:ignore:dockerfile-user-missing\n# note\n#  tfecs:ignore:x-y:exp:2030-02-03   why not\nUSER root\n"
    assert inline_ignores(text) == [
        {"rule": "dockerfile-user-missing", "expires": None, "reason": "", "line": 2, "target": 5},
        {"rule": "x-y", "expires": "2030-02-03", "reason": "why not", "line": 4, "target": 5},
    ]


def test_scan_dockerfile_today_is_injectable(repo):
    write(repo, "Dockerfile", "# tfecs:ignore:dockerfile-user-missing:exp:2030-01-01 r\nFROM alpine\n")
    before, after = Report(), Report()
    scan_dockerfile("Dockerfile", [RULE()], gate.GateOptions(), before, today=date(2029, 12, 31))
    scan_dockerfile("Dockerfile", [RULE()], gate.GateOptions(), after, today=date(2030, 1, 2))
    assert before.findings[0].suppressed and not after.findings[0].suppressed


def test_stage_name_is_escaped_in_messages(run_cli, repo):
    (repo / "Dockerfile").write_bytes("FROM alpine AS \u202eevil\x1b[31m\n".encode())
    code, out, _ = run_cli("scan", "Dockerfile")
    assert code == 1 and "final stage '\\u202eevil\\x1b[31m' sets no USER" in out and "\x1b" not in out and "\u202e" not in out


def test_a_plan_resource_cannot_pose_as_a_dockerfile(run_cli, tmp_path):
    from planfixture import write_plan

    plan = write_plan([{"address": "dockerfile.fake", "values": {"stages": [{"index": 0, "from_line": 1}]}}], tmp_path / "p.json")
    code, report, _ = scan_cli(run_cli, str(plan))
    assert (code, report["findings"], report["errors"]) == (0, [], [])


@pytest.mark.parametrize(
    "text",
    [
        # Each line quadruples A: 2 * 4**20 characters (the scan died of MemoryError at 10 GB).
        "FROM alpine\nENV A=xx\n" + "ENV A=$A$A$A$A\n" * 20 + "USER $A\n",
        # No closing brace: the variable pattern scanned to the end from each `${` (quadratic).
        "FROM alpine\nUSER " + "${X:-" * 200_000 + "\n",
    ],
)
def test_values_that_explode_are_unknown_not_a_crash(repo, text):
    write(repo, "Dockerfile", text)
    report = Report()
    scan_dockerfile("Dockerfile", [RULE()], gate.GateOptions(), report)
    assert report.errors == []
    assert [f.status.value for f in report.findings] == ["unknown"]
