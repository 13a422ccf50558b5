"""The tfecs commands of docs/atlantis.md and docs/ci.md, taken from the pages themselves
and run with the environment Atlantis / GitHub Actions / GitLab CI gives them, so the pages
stay true. A fenced block whose first line is `# tfecs-doc-test: NAME` is a tested snippet;
its commands are the lines starting with `tfecs ` (after a YAML `- `, `run:` or `script:`
prefix, `\\` continuations joined)."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTDATA

REAL = TESTDATA / "plans" / "real"
BIN = Path(sys.executable).parent  # where the venv's `tfecs` script lives


def snippets(doc: str) -> dict[str, str]:
    """NAME -> the text of each marked fenced block of docs/DOC."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = {}
    for m in re.finditer(r"^```[a-z]*\n# tfecs-doc-test: ([\w-]+)\n(.*?)^```", text, re.M | re.S):
        found[m.group(1)] = m.group(2)
    return found


def commands(block: str) -> list[str]:
    """The tfecs command lines of a snippet, continuations joined."""
    out: list[str] = []
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = re.sub(r"^\s*(?:-\s+)?(?:run:\s*|script:\s*)?", "", lines[i])
        if line.startswith("tfecs "):
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1].rstrip() + " " + lines[i].strip()
            out.append(line)
        i += 1
    return out


def run_sh(cmd: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "NO_PROXY": "*",
        "no_proxy": "*",
        **env,
    }
    return subprocess.run(["sh", "-c", cmd], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------- Atlantis


def atlantis_env(tmp_path: Path, scenario: str) -> tuple[dict[str, str], Path]:
    """A project directory as Atlantis prepares it: the .tf files, the binary plan
    ($PLANFILE, not read by tfecs) and what the `show` step wrote ($SHOWFILE)."""
    project = tmp_path / "repos" / "acme" / "infra" / "42" / "default" / "envs" / "prod"
    shutil.copytree(TESTDATA / "terraform" / scenario, project)
    planfile = project / "default.tfplan"
    planfile.write_bytes(b"binary plan, not read by tfecs")
    showfile = project / "default.tfplan.json"
    shutil.copy(REAL / f"{scenario}.json", showfile)
    env = {
        "PLANFILE": str(planfile),
        "SHOWFILE": str(showfile),
        "DIR": str(project),
        "WORKSPACE": "default",
        "PROJECT_NAME": "ecs-prod",
        "REPO_REL_DIR": "envs/prod",
        "PULL_NUM": "42",
    }
    return env, project


def test_atlantis_doc_has_both_ways():
    blocks = snippets("atlantis.md")
    assert set(blocks) >= {"atlantis-plan-stage", "atlantis-policy-check", "atlantis-sticky-comment"}
    assert commands(blocks["atlantis-plan-stage"]) == ['tfecs scan "$SHOWFILE" --source "$DIR" --format markdown']
    assert commands(blocks["atlantis-policy-check"]) == ['tfecs scan "$SHOWFILE" --source "$DIR" --format atlantis']
    assert "- show" in blocks["atlantis-plan-stage"] and "custom_policy_check: true" in blocks["atlantis-policy-check"]


def test_atlantis_plan_stage_blocks_with_markdown(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    proc = run_sh(cmd, env, project)
    assert proc.returncode == 1, proc.stderr  # a blocking finding: Plan Error
    assert proc.stderr == ""  # Atlantis merges stderr into the comment: nothing noisy
    out = proc.stdout
    assert out.startswith("### :x: tfecs: blocked")
    assert "\x1b" not in out
    # --source "$DIR" gives file:line, the resource and the rule
    assert re.search(r"ecs-privileged-container.*<code>aws_ecs_task_definition\.bad_host</code>.*<code>main\.tf:\d+</code>", out)
    assert "```" not in out  # cannot close the fence Atlantis wraps step output in


def test_atlantis_plan_stage_passes_a_clean_plan(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_hardened")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("### :white_check_mark: tfecs: pass")


def test_atlantis_unreadable_showfile_fails_closed(tmp_path):
    [cmd] = commands(snippets("atlantis.md")["atlantis-plan-stage"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    Path(env["SHOWFILE"]).write_text("Error: no plan")
    proc = run_sh(cmd, env, project)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("tfecs: error: ")


def run_lines(block: str) -> list[str]:
    """Every `- run:` command of a snippet, in order."""
    return [m.group(1) for m in re.finditer(r"^\s*- run: (.*)$", block, re.M)]


def test_atlantis_sticky_comment_via_post_workflow_hook(tmp_path):
    from fakeforge import Forge

    block = snippets("atlantis.md")["atlantis-sticky-comment"]
    hook, plan_step = run_lines(block)
    assert block.index("post_workflow_hooks") < block.index("- run: for report")
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    repo_root = project.parent.parent  # .../42/default is the clone; the project is envs/prod
    proc = run_sh(plan_step, env, project)
    assert proc.returncode == 1 and proc.stdout.startswith("### :x: tfecs: blocked")
    assert (project / "tfecs-report.json").exists()
    with Forge(github_token="ghp_atlantis") as forge:
        hook_env = {  # what a post-workflow hook gets: DIR is the repository root, no SHOWFILE
            "DIR": str(repo_root), "BASE_REPO_OWNER": "acme", "BASE_REPO_NAME": "infra", "PULL_NUM": "42",
            "HEAD_COMMIT": "abc123", "COMMAND_NAME": "plan", "PROJECT_NAME": "",
            "GITHUB_TOKEN": "ghp_atlantis", "GITHUB_API_URL": forge.url,
        }
        for _ in range(2):  # the second plan changes nothing: no write
            done = run_sh(hook, hook_env, repo_root)
            assert done.returncode == 0, done.stderr
        assert "unchanged" in done.stdout
        [comment] = forge.comments.values()
        assert comment["body"].startswith("<!-- tfecs:./envs/prod -->\n### :x: tfecs: blocked")
        assert [m for m, p in forge.log if m != "GET"] == ["POST"]
        assert all(p.startswith("/repos/acme/infra/issues/42/") or p == "/user" for _, p in forge.log)
        forge.github_token = "rotated"  # a bad token fails the hook, in one line
        bad = run_sh(hook, hook_env, repo_root)
        assert bad.returncode == 2 and bad.stderr == "tfecs: error: 127.0.0.1: HTTP 401 Unauthorized: Bad credentials (check the token)\n"


SUMMARY = re.compile(r"^(\d+) tests?, (\d+) passed, (\d+) warnings?, (\d+) failures?, (\d+) exceptions?(, \d+ skipped)?$", re.M)
# Atlantis >= 0.39 fails a policy set on this (server/core/runtime/policy/... PR #6019)
ATLANTIS_FAILS = re.compile(r"([1-9][0-9]* failure|failures\": \[)")


def test_atlantis_policy_check_reports_failures_in_text_and_exits_0(tmp_path):
    pytest.importorskip("tfecs.reporters.atlantis")
    [cmd] = commands(snippets("atlantis.md")["atlantis-policy-check"])
    env, project = atlantis_env(tmp_path, "ecs_insecure")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")  # Atlantis reads the text, not the exit code
    out = proc.stdout
    assert "\x1b" not in out
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL - ")]
    assert "FAIL - aws_ecs_task_definition.bad_host - ecs-privileged-container - container 'bad-privileged' runs privileged" in out
    [summary] = SUMMARY.findall(out)
    assert int(summary[3]) == len(fails) > 0
    assert ATLANTIS_FAILS.search(out)  # Atlantis >= 0.39 sees the failure
    assert len(set(fails)) == len(fails)  # one line per finding
    again = run_sh(cmd, env, project)
    assert again.stdout == out  # stable across re-plans: sticky approvals hash these lines


def test_atlantis_policy_check_clean_run_has_no_fail_word(tmp_path):
    pytest.importorskip("tfecs.reporters.atlantis")
    [cmd] = commands(snippets("atlantis.md")["atlantis-policy-check"])
    env, project = atlantis_env(tmp_path, "ecs_hardened")
    proc = run_sh(cmd, env, project)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.strip()  # empty output is a failure for Atlantis
    assert "fail" not in proc.stdout.lower()  # Atlantis < 0.39 fails on the word
    assert not ATLANTIS_FAILS.search(proc.stdout)


# ---------------------------------------------------------------------------- YAML steps
# A small reader for the YAML shapes these files use (no YAML library is a dependency):
# list items that are steps, their scalar / `|` block / one-level mapping values.


def _mapping(lines: list[str]) -> dict:
    out: dict = {}
    j = 0
    while j < len(lines):
        m = re.match(r"^([\w-]+):\s*(.*?)\s*$", lines[j])
        j += 1
        if not m:
            continue
        key, value = m.groups()
        block = []
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
            block.append(lines[j])
            j += 1
        if value == "|":
            out[key] = textwrap.dedent("\n".join(block)).strip("\n") + "\n"
        elif value == "" and block:
            out[key] = {}
            for b in block:
                mm = re.match(r"^\s*([\w-]+):\s*(.*?)\s*$", b)
                if mm and not b.strip().startswith("#"):
                    out[key][mm.group(1)] = _unquote(mm.group(2))
        else:
            out[key] = _unquote(value)
    return out


def _unquote(value: str) -> str:
    value = re.sub(r"\s+#.*$", "", value) if not value.startswith(("'", '"')) else value
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def yaml_steps(text: str) -> list[dict]:
    """The `- name:/uses:/run:/id:` list items of a workflow or action, as dicts."""
    lines = text.splitlines()
    steps, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)- (name|uses|run|id):", lines[i])
        if not m:
            i += 1
            continue
        ind = len(m.group(1))
        body = [lines[i][ind + 2 :]]
        i += 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > ind):
            body.append(lines[i][ind + 2 :])
            i += 1
        steps.append(_mapping(body))
    return steps


def evaluate(value: str, context: dict[str, str]) -> str:
    """GitHub expressions `${{ a.b.c }}` from a flat context: an output a step did not set
    is empty, as on GitHub; any other unknown name is an error."""

    def one(m: re.Match) -> str:
        name = m.group(1)
        return context.get(name, "") if name.startswith("steps.") else context[name]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", one, value)


def run_bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """A `shell: bash` step as GitHub runs it: bash --noprofile --norc -eo pipefail FILE."""
    path = cwd / ".step.sh"
    path.write_text(script)
    full = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(cwd), "NO_PROXY": "*", "no_proxy": "*", **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=120)


def read_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line) if path.exists() else {}


def needs_formats(*names: str) -> None:
    """Skip until the report formats (another part of this branch) are committed."""
    from tfecs.cli import cli

    scan = cli.commands["scan"]
    fmt = next(p for p in scan.params if p.name == "fmt")
    have = set(fmt.type.choices)
    if not any("--report" in p.opts for p in scan.params) or not set(names) <= have:
        pytest.skip(f"formats {sorted(set(names) - have)} / --report not there yet")


def workspace(tmp_path: Path, scenario: str, dirname: str = "infra") -> Path:
    """A checked-out repository with DIRNAME/*.tf and DIRNAME/plan.json."""
    ws = tmp_path / "ws"
    shutil.copytree(TESTDATA / "terraform" / scenario, ws / dirname)
    shutil.copy(REAL / f"{scenario}.json", ws / dirname / "plan.json")
    return ws


def github_env(tmp_path: Path, forge) -> dict[str, str]:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    return {
        "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_PATH": str(runner / "path"),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": forge.url,
        "GITHUB_ACTIONS": "true",
    }


# ---------------------------------------------------------------------------- action.yml


def action():
    text = (ROOT / "action.yml").read_text()
    inputs: dict[str, str] = {}
    section = text.split("\ninputs:\n", 1)[1].split("\noutputs:\n", 1)[0]
    for m in re.finditer(r"^  ([\w-]+):\n((?:    .*\n)+)", section, re.M):
        inputs[m.group(1)] = _mapping([ln[4:] for ln in m.group(2).splitlines()]).get("default", "")
    steps = yaml_steps(text.split("\nruns:\n", 1)[1])
    return inputs, {s["name"]: s for s in steps}


def run_action(tmp_path, forge, scenario, **with_):
    """Every step of action.yml as GitHub would run it (the install step aside: the
    venv's tfecs is on PATH; the SARIF upload checked, not run)."""
    inputs, steps = action()
    assert list(steps) == ["Install tfecs", "Scan", "Upload SARIF", "Comment", "Gate"]
    ws = workspace(tmp_path, scenario)
    env = github_env(tmp_path, forge)
    context = {f"inputs.{k}": v for k, v in inputs.items()}
    context.update({"github.token": TOKEN_GH, "github.action_path": str(ROOT), "github.event.pull_request.number": "1"})
    context.update({f"inputs.{k}": v for k, v in with_.items()})
    context = {k: evaluate(v, context) for k, v in context.items()}  # defaults like ${{ github.token }}
    results = {}
    for name, step in steps.items():
        if name == "Install tfecs":
            assert '"$TFECS_ACTION_PATH"' in step["run"] and step["env"]["TFECS_ACTION_PATH"] == "${{ github.action_path }}"
            continue
        if "uses" in step:
            results[name] = step
            continue
        assert step["shell"] == "bash" and "${{" not in step["run"]  # inputs only through env:
        out = tmp_path / f"out-{name}"
        step_env = {k: evaluate(v, context) for k, v in step.get("env", {}).items()}
        proc = run_bash(step["run"], {**env, **step_env, "GITHUB_OUTPUT": str(out)}, ws)
        results[name] = proc
        for k, v in read_outputs(out).items():
            context[f"steps.{step.get('id', name)}.outputs.{k}"] = v
        if proc.returncode != 0:
            break
    return results, context, env


TOKEN_GH = "ghp_good"


@pytest.fixture
def forge():
    from fakeforge import Forge

    with Forge(github_token=TOKEN_GH, gitlab_token="glpat-good") as f:
        yield f


def test_action_scans_uploads_comments_and_gates(tmp_path, forge):
    needs_formats("sarif", "markdown", "json")
    results, context, env = run_action(tmp_path, forge, "ecs_insecure", plan="infra/plan.json", source="infra", comment="update")
    scan = results["Scan"]
    assert scan.returncode == 0, scan.stderr  # the step itself passes: the gate is last
    assert context["steps.scan.outputs.exit-code"] == "1"
    assert "aws_ecs_task_definition.bad_host" in scan.stdout  # the table in the log
    # SARIF: the upload step gets the file the scan wrote, pinned by commit
    upload = results["Upload SARIF"]
    assert re.fullmatch(r"github/codeql-action/upload-sarif@[0-9a-f]{40}", upload["uses"])
    assert "always()" in upload["if"]
    sarif = json.loads(Path(evaluate(upload["with"]["sarif_file"], context)).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert {u.rsplit("/", 1)[-1] for u in uris} == {"main.tf"}  # the .tf file, not the plan
    assert evaluate(upload["with"]["category"], context) == "tfecs"
    # the job summary and the comment
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text().startswith("### :x: tfecs: blocked")
    assert results["Comment"].returncode == 0, results["Comment"].stderr
    [comment] = forge.comments.values()
    assert comment["body"].startswith("<!-- tfecs:") and "aws_ecs_task_definition.bad_host" in comment["body"]
    gate = results["Gate"]
    assert gate.returncode == 1 and "::error title=tfecs::blocking findings" in gate.stdout


def test_action_clean_plan_passes_without_comment(tmp_path, forge):
    needs_formats("sarif", "markdown", "json")
    results, context, _ = run_action(tmp_path, forge, "ecs_hardened", plan="infra/plan.json", source="infra")
    assert context["steps.scan.outputs.exit-code"] == "0"
    assert results["Comment"].returncode == 0 and forge.log == []  # comment: off by default
    assert results["Gate"].returncode == 0


def test_action_scan_error_fails_the_gate_with_2(tmp_path, forge):
    needs_formats("sarif", "markdown", "json")
    results, context, _ = run_action(tmp_path, forge, "ecs_insecure", plan="infra/missing.json", comment="update")
    assert context["steps.scan.outputs.exit-code"] == "2"
    assert "tfecs: error:" in results["Scan"].stderr
    assert forge.log == []  # no report, no comment
    assert results["Gate"].returncode == 2


def test_action_version_in_docs_is_the_package_version():
    import tfecs

    text = (ROOT / "docs" / "ci.md").read_text()
    assert set(re.findall(r"tfecs/tfecs@v([\d.]+)", text)) == {tfecs.__version__}
    assert set(re.findall(r"tfecs==([\d.]+)", text)) == {tfecs.__version__}
    assert set(re.findall(r"rev: v([\d.]+)", text)) == {tfecs.__version__}


# ---------------------------------------------------------------------------- docs/ci.md


def test_ci_github_action_snippet_uses_real_inputs():
    [*_, use] = [s for s in yaml_steps(snippets("ci.md")["github-action"]) if "uses" in s]
    inputs, _ = action()
    assert use["uses"].startswith("tfecs/tfecs@v")
    assert set(use["with"]) <= set(inputs)


def test_ci_github_steps_snippet(tmp_path, forge):
    needs_formats("github", "sarif", "markdown", "json")
    steps = yaml_steps(snippets("ci.md")["github-steps"])
    assert [s.get("name", s.get("uses", s.get("run"))).split("@")[0] for s in steps] == [
        'pip install "tfecs==0.1.0"', "tfecs", "github/codeql-action/upload-sarif"]
    step = steps[1]
    ws = workspace(tmp_path, "ecs_insecure")
    env = github_env(tmp_path, forge)
    context = {"github.token": TOKEN_GH, "github.event.pull_request.number": "1"}
    step_env = {k: evaluate(v, context) for k, v in step["env"].items()}
    proc = run_bash(step["run"], {**env, **step_env, "GITHUB_OUTPUT": str(tmp_path / "o")}, ws)
    assert proc.returncode == 1, proc.stderr  # the scan's status, after the comment
    assert re.search(r"^::error file=(infra/)?main\.tf,line=\d+", proc.stdout, re.M)
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text().startswith("### :x: tfecs: blocked")
    assert json.loads((ws / "tfecs.sarif").read_text())["version"] == "2.1.0"
    assert steps[2]["with"]["sarif_file"] == "tfecs.sarif"
    [comment] = forge.comments.values()
    assert "aws_ecs_task_definition.bad_host" in comment["body"]


def gitlab_job(block: str) -> dict:
    """script / after_script / before_script lists and variables of the one job."""
    job: dict = {"variables": {}}
    key = None
    for line in block.splitlines():
        m = re.match(r"^  ([\w-]+):\s*(.*)$", line)
        if m:
            key = m.group(1)
            if m.group(2) == "":
                job[key] = {} if key == "variables" else []
            continue
        m = re.match(r"^    - (.*)$", line)
        if m and isinstance(job.get(key), list):
            job[key].append(m.group(1))
        m = re.match(r"^    ([\w-]+):\s*(.*)$", line)
        if m and key == "variables":
            job["variables"][m.group(1)] = _unquote(m.group(2))
    return job


def test_ci_gitlab_snippet(tmp_path, forge):
    needs_formats("gitlab", "junit", "json")
    job = gitlab_job(snippets("ci.md")["gitlab-ci"])
    assert job["before_script"] == ['pip install "tfecs==0.1.0"']
    assert "codequality: gl-code-quality-report.json" in snippets("ci.md")["gitlab-ci"]
    assert "junit: tfecs-junit.xml" in snippets("ci.md")["gitlab-ci"]
    ws = workspace(tmp_path, "ecs_insecure")
    env = {
        **job["variables"],
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": "group/proj",
        "CI_SERVER_URL": forge.url,
        "CI_MERGE_REQUEST_IID": "7",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "GITLAB_TOKEN": "glpat-good",
    }
    [script] = job["script"]
    proc = run_sh(script, env, ws)
    assert proc.returncode == 1, proc.stderr  # the job fails on a blocking finding
    quality = json.loads((ws / "gl-code-quality-report.json").read_text())
    assert quality and {"description", "check_name", "fingerprint", "severity", "location"} <= set(quality[0])
    assert any(q["location"]["path"].endswith("main.tf") for q in quality)
    import xml.etree.ElementTree as ET

    suites = ET.parse(ws / "tfecs-junit.xml").getroot()
    assert suites.iter("failure") is not None and any(True for _ in suites.iter("failure"))
    for line in job["after_script"]:  # runs whatever the script's status
        after = run_sh(line, env, ws)
        assert after.returncode == 0, after.stderr
    [note] = forge.notes.values()
    assert note["body"].startswith("<!-- tfecs:") and "aws_ecs_task_definition.bad_host" in note["body"]


def test_ci_locations_are_repository_relative(tmp_path):
    """SARIF, GitHub annotations and GitLab Code Quality need the path from the repository
    root (the job's working directory): `infra/main.tf` when the job scans `--source infra`."""
    needs_formats("sarif", "github", "gitlab")
    ws = workspace(tmp_path, "ecs_insecure")
    proc = run_sh("tfecs scan infra/plan.json --source infra --format github --report sarif=s.json --report gitlab=g.json", {}, ws)
    assert proc.returncode == 1, proc.stderr
    sarif = json.loads((ws / "s.json").read_text())
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {"infra/main.tf"}
    assert {q["location"]["path"] for q in json.loads((ws / "g.json").read_text())} == {"infra/main.tf"}
    assert re.search(r"^::error file=infra/main\.tf,line=\d+", proc.stdout, re.M)


# ---------------------------------------------------------------------------- pre-commit


def hooks() -> dict:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    items = yaml_steps(text.replace("- id:", "- name: __id__\n  id:"))
    return {h["id"]: h for h in items}


def test_pre_commit_hook_scans_the_directories_of_changed_files(tmp_path):
    hook = hooks()["tfecs"]
    assert hook["language"] == "python" and hook["require_serial"] == "true"
    files_re, exclude_re = re.compile(hook["files"]), re.compile(hook["exclude"])
    repo = tmp_path / "repo"
    shutil.copytree(TESTDATA / "terraform" / "ecs_hardened", repo / "envs" / "ok")
    shutil.copytree(TESTDATA / "terraform" / "ecs_insecure", repo / "envs" / "bad")
    (repo / ".terraform" / "modules" / "x").mkdir(parents=True)
    (repo / ".terraform" / "modules" / "x" / "main.tf").write_text('resource "aws_ecs_cluster" "c" {\n')  # broken: must not be read
    staged = ["envs/ok/main.tf", "envs/ok/providers.tf", "README.md", ".terraform/modules/x/main.tf", "envs/gone/main.tf"]
    # what pre-commit passes: the staged names its files/exclude patterns select
    chosen = [f for f in staged if files_re.search(f) and not exclude_re.search(f)]
    assert chosen == ["envs/ok/main.tf", "envs/ok/providers.tf", "envs/gone/main.tf"]
    proc = run_sh(hook["entry"] + " " + " ".join(chosen), {}, repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "scanned envs/ok  (hcl" in proc.stdout and "envs/bad" not in proc.stdout

    chosen.append("envs/bad/main.tf")
    proc = run_sh(hook["entry"] + " --fail-on high " + " ".join(chosen), {}, repo)
    assert proc.returncode == 1
    assert "scanned envs/bad  (hcl" in proc.stdout and "aws_ecs_task_definition.bad_host" in proc.stdout
    # the .terraform/ file, even if passed, is never scanned; nothing changed: nothing run
    proc = run_sh(hook["entry"] + " .terraform/modules/x/main.tf ../outside/main.tf", {}, repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


# ---------------------------------------------------------------------------- slow: real installs


@pytest.mark.slow
def test_action_install_step_installs_this_version(tmp_path):
    """The action's install script for real: a venv in RUNNER_TEMP with tfecs from the
    action's checkout, put on GITHUB_PATH (pip builds the package: needs PyPI for setuptools)."""
    import tfecs

    _, steps = action()
    step = steps["Install tfecs"]
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {"RUNNER_TEMP": str(runner), "GITHUB_PATH": str(runner / "path"), "TFECS_ACTION_PATH": str(ROOT)}
    proc = run_bash(step["run"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    bindir = Path((runner / "path").read_text().strip())
    version = subprocess.run([str(bindir / "tfecs"), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == f"tfecs, version {tfecs.__version__}"


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path):
    """pre-commit itself installs the hook from this repository and runs it on a staged change."""
    pytest.importorskip("pre_commit")
    repo = tmp_path / "repo"
    shutil.copytree(TESTDATA / "terraform" / "ecs_insecure", repo / "envs" / "bad")
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, text=True, check=True)  # noqa: E731
    git("init", "-q")
    git("add", ".")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "tfecs", "--verbose"],
                          cwd=repo, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "aws_ecs_task_definition.bad_host" in proc.stdout
