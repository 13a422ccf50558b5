"""Finding files are relative to the repository root whatever the working directory,
and a --source that does not match the plan says so."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT, TESTDATA

PLAN = TESTDATA / "plans" / "real" / "ecs_insecure.json"


def _files(out: str) -> set:
    return {f["file"] for f in json.loads(out)["findings"]}


def test_plan_with_source_from_another_directory(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("scan", str(PLAN), "--source", str(TESTDATA / "terraform" / "ecs_insecure"), "-f", "json")
    assert (code, err) == (1, "")
    if (ROOT / ".git").exists():  # a checkout: the repository root
        assert _files(out) == {"testdata/terraform/ecs_insecure/main.tf"}
    assert json.loads(out)["warnings"] == []


def test_hcl_directory_in_a_git_work_tree(run_cli, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(TESTDATA / "terraform" / "modules_foreach", repo / "infra" / "prod")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run_cli("scan", str(repo / "infra" / "prod"), "-f", "json")
    assert code == 1
    assert _files(out) == {"infra/prod/modules/svc/main.tf"}
    # No git work tree: relative to the current directory.
    shutil.rmtree(repo / ".git")
    monkeypatch.chdir(repo)
    code, out, _ = run_cli("scan", "infra/prod", "-f", "json")
    assert _files(out) == {"infra/prod/modules/svc/main.tf"}


def test_source_that_maps_nothing_or_only_some(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    none = tmp_path / "none"
    none.mkdir()
    (none / "main.tf").write_text('resource "aws_s3_bucket" "other" {\n  bucket = "x"\n}\n')
    code, out, _ = run_cli("scan", str(PLAN), "--source", "none", "-f", "json")
    assert code == 1
    assert json.loads(out)["warnings"] == [{
        "kind": "source-unmatched",
        "where": "none",
        "message": "--source maps none of the plan's 23 resources to a block (first: aws_cloudtrail.bad): "
                   "is it the directory the plan was made from?",
    }]
    some = tmp_path / "some"
    some.mkdir()
    (some / "main.tf").write_text('resource "aws_cloudtrail" "bad" {\n  name = "bad-trail"\n}\n')
    code, out, _ = run_cli("scan", str(PLAN), "--source", "some", "-f", "json")
    report = json.loads(out)
    assert report["warnings"] == [{
        "kind": "source-unmatched",
        "where": "some",
        "message": "--source maps 1 of the plan's 23 resources; 22 have no block there (first: aws_ecr_repository.bad)",
    }]
    assert {f["file"] for f in report["findings"] if f["address"] == "aws_cloudtrail.bad"} == {"some/main.tf"}
    code, out, _ = run_cli("scan", str(PLAN), "--source", "some")
    assert "  warning: some: --source maps 1 of the plan's 23 resources; 22 have" in out
