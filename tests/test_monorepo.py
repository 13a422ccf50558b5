"""Monorepos: every root module under a directory, scanned in parallel, each its own input."""

from __future__ import annotations

import json
import os
import shutil

from conftest import TESTDATA

from tfecs.monorepo import expand, find_root_modules

MONOREPO = TESTDATA / "monorepo"
ROOTS = ["envs/prod", "envs/staging", "tools/ecr"]


def test_root_modules_are_folders_no_other_folder_calls(monkeypatch):
    monkeypatch.chdir(MONOREPO)
    # modules/service is called by both envs; examples/, .terraform/ and .hidden/ are skipped.
    assert find_root_modules(".") == ROOTS
    assert expand(["."], recursive=False) == ROOTS  # no .tf at the top: recursive by itself
    assert expand(["envs/prod"], recursive=False) == ["envs/prod"]
    assert expand(["envs/prod"], recursive=True) == ["envs/prod"]
    assert expand(["examples/demo"], recursive=True) == ["examples/demo"]  # named: scanned


def _scan(run_cli, *args):
    code, out, err = run_cli("scan", *args, "-f", "json", "--rule", "ecs-privileged-container", "--rule", "ecr-tag-mutable")
    return code, json.loads(out), err


def test_recursive_scan_reports_three_inputs(run_cli, monkeypatch):
    monkeypatch.chdir(TESTDATA)
    for args in (["monorepo", "--recursive"], ["monorepo"]):
        code, report, err = _scan(run_cli, *args)
        assert (code, err) == (1, "")
        assert [(i["path"], i["kind"], i["resources"]) for i in report["inputs"]] == [
            ("monorepo/envs/prod", "hcl", 1), ("monorepo/envs/staging", "hcl", 1), ("monorepo/tools/ecr", "hcl", 1)
        ]
        got = sorted((f["input"], f["rule"], f["address"], f["file"], f["line"]) for f in report["findings"])
        prefix = "testdata/" if (TESTDATA.parent / ".git").exists() else ""
        assert got == [
            ("monorepo/envs/staging", "ecs-privileged-container", "module.api.aws_ecs_task_definition.this",
             f"{prefix}monorepo/modules/service/main.tf", 16),
            ("monorepo/tools/ecr", "ecr-tag-mutable", "aws_ecr_repository.tools", f"{prefix}monorepo/tools/ecr/main.tf", 3),
        ]
    code, out, _ = run_cli("scan", "monorepo", "--rule", "ecs-privileged-container")
    assert "  module.api.aws_ecs_task_definition.this  (monorepo/envs/staging)" in out.splitlines()


def test_a_broken_module_is_its_own_error(run_cli, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(MONOREPO, repo)
    (repo / "envs" / "prod" / "main.tf").write_text('module "api" {\n  source = "../../modules/service"\n  name = \n}\n')
    monkeypatch.chdir(repo)
    code, report, err = _scan(run_cli, ".", "--recursive")
    assert code == 2
    assert [i["path"] for i in report["inputs"]] == ["envs/staging", "tools/ecr"]
    assert len(report["errors"]) == 1 and report["errors"][0]["kind"] == "input"
    assert report["errors"][0]["where"].startswith(os.path.join("envs", "prod", "main.tf"))
    assert err.startswith("tfecs: error: envs/prod/main.tf:")
    assert sorted(f["rule"] for f in report["findings"]) == ["ecr-tag-mutable", "ecs-privileged-container"]


def test_a_directory_with_nothing_to_scan_is_still_an_error(run_cli, tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    code, out, err = run_cli("scan", str(tmp_path / "empty"))
    assert code == 2 and out == ""
    assert err == f"tfecs: error: {tmp_path / 'empty'}: no Terraform plan or .tf files in this directory\n"


def test_ignores_apply_across_the_roots_of_a_monorepo(run_cli, tmp_path, monkeypatch):
    """The roots are scanned in worker processes; the ignores are applied in the parent,
    so a config ignore matching in one root is used (not 'unused' in the others) and an
    inline ignore suppresses only its own root's finding."""
    repo = tmp_path / "repo"
    shutil.copytree(MONOREPO, repo)
    ecr = repo / "tools" / "ecr" / "main.tf"
    ecr.write_text("# tfecs:ignore:ecr-tag-mutable promotion rewrites release tags\n" + ecr.read_text())
    (repo / ".tfecs.hcl").write_text(
        'ignore {\n  rule    = "ecs-capabilities-not-dropped"\n  address = "module.api.*"\n  reason  = "tracked in SEC-1"\n}\n'
    )
    monkeypatch.chdir(repo)
    code, out, err = run_cli("scan", ".", "--recursive", "--format", "json")
    doc = json.loads(out)
    assert len(doc["inputs"]) == 3 and doc["errors"] == []
    sup = sorted((f["rule"], f["address"], f["suppressed"]["source"], os.path.basename(f["input"])) for f in doc["findings"] if f["suppressed"])
    assert sup == [
        ("ecr-tag-mutable", "aws_ecr_repository.tools", "inline", "ecr"),
        ("ecs-capabilities-not-dropped", "module.api.aws_ecs_task_definition.this", "config", "prod"),
        ("ecs-capabilities-not-dropped", "module.api.aws_ecs_task_definition.this", "config", "staging"),
    ]
    assert not any(f["blocking"] for f in doc["findings"] if f["suppressed"])
    assert [w["kind"] for w in doc["warnings"] if w["kind"].startswith("ignore")] == []


def test_outside_git_the_folder_given_is_the_repository_of_its_roots(run_cli, tmp_path, monkeypatch):
    """No .git above: the roots' `../../modules` calls stay inside the folder given to
    --recursive, so they are read (no file-outside-root warning), and a root scanned alone
    still may not read its parent."""
    repo = tmp_path / "repo"
    shutil.copytree(MONOREPO, repo)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("scan", "repo", "--recursive", "--format", "json", "--rule", "ecs-privileged-container")
    doc = json.loads(out)
    assert [w for w in doc["warnings"] if w["kind"] == "file-outside-root"] == []
    assert any(f["rule"] == "ecs-privileged-container" and f["address"].startswith("module.api.") for f in doc["findings"])
    code, out, _ = run_cli("scan", "repo/envs/prod", "--format", "json", "--rule", "ecs-privileged-container")
    assert any(w["kind"] in ("file-outside-root", "module-not-downloaded") for w in json.loads(out)["warnings"])


def test_recursive_scan_finds_the_dockerfiles_too(run_cli, tmp_path, monkeypatch):
    """`--recursive` promised "every root module (and Dockerfile)": Dockerfiles were never
    found, and a folder of Dockerfiles alone was "no Terraform plan or .tf files". Hidden,
    skipped folders and symlinks are not walked into."""
    repo = tmp_path / "repo"
    shutil.copytree(MONOREPO, repo)
    (repo / ".git").mkdir()
    (repo / "services" / "api").mkdir(parents=True)
    (repo / "services" / "api" / "Dockerfile").write_text("FROM alpine\n")
    (repo / "services" / "worker.Dockerfile").write_text("FROM alpine\nUSER 10001\n")
    (repo / "node_modules" / "x").mkdir(parents=True)
    (repo / "node_modules" / "x" / "Dockerfile").write_text("FROM alpine\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM alpine\n")
    os.symlink(outside / "Dockerfile", repo / "services" / "Dockerfile.linked")
    monkeypatch.chdir(repo)
    code, out, err = run_cli("scan", ".", "-r", "-f", "json", "--rule", "dockerfile-user-missing", "--rule", "ecr-tag-mutable")
    report = json.loads(out)
    assert (code, err) == (1, "")
    assert [i["path"] for i in report["inputs"]] == ["envs/prod", "envs/staging", "tools/ecr", "services/api/Dockerfile", "services/worker.Dockerfile"]
    assert sorted((f["rule"], f["address"]) for f in report["findings"]) == [
        ("dockerfile-user-missing", "services/api/Dockerfile"), ("ecr-tag-mutable", "aws_ecr_repository.tools")]
    code, out, err = run_cli("scan", "services", "-f", "json")
    assert code == 1 and [i["path"] for i in json.loads(out)["inputs"]] == ["services/api/Dockerfile", "services/worker.Dockerfile"]


def test_the_merged_report_masks_every_roots_secrets_and_formats_once(monkeypatch):
    """A monorepo's report masks each root's sensitive values, and secrets found by their
    format in one pass over the text (not once per root)."""
    import tfecs.redact
    from tfecs.monorepo import _Chain
    from tfecs.redact import MASK, Redactor

    calls = []
    real = tfecs.redact.mask_secrets
    monkeypatch.setattr(tfecs.redact, "mask_secrets", lambda text, mask: calls.append(1) or real(text, mask))
    token = "ghp_" + "A1b2C3d4" * 5
    chain = _Chain([Redactor({"alpha-secret-1"}), Redactor(()), Redactor({"beta-secret-2"}, keep={"aws_x.beta-secret-2"})])
    text = f"alpha-secret-1 / beta-secret-2 / {token} / aws_x.beta-secret-2"
    assert chain(text) == f"{MASK} / {MASK} / {MASK} / aws_x.beta-secret-2"
    assert len(calls) == 1
