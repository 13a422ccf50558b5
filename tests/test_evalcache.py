"""The evaluation cache (tfecs/inputs/hcl/evalcache.py): a warm scan gives exactly the
report a cold one gives; every dependency of an evaluation (files read, folders listed,
paths resolved or probed, variables, the TF_* environment) invalidates its entry when
it changes; a bad entry is ignored and rewritten, never trusted; checking an entry never
reads outside the repository; the cache off writes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys

import pytest
from conftest import TESTDATA

from tfecs.cli import load_rules
from tfecs.inputs.hcl import evalcache, load_directory, modules, parsecache, record
from tfecs.inputs.raw import RawResource
from tfecs.reporters import render
from tfecs.scan import SourceOptions, scan


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder, on; and a count of evaluations (Loader instances)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TFECS_CACHE_DIR", str(folder))
    monkeypatch.delenv("TFECS_DEBUG", raising=False)
    monkeypatch.setattr(evalcache, "_disk_enabled", True)
    monkeypatch.setattr(parsecache, "_dir", False)
    counted: list[str] = []

    class Counting(modules.Loader):
        def __init__(self, root, *args, **kw):
            counted.append(root)
            super().__init__(root, *args, **kw)

    monkeypatch.setattr(modules, "Loader", Counting)
    return counted


def entries(tmp_path) -> list:
    return sorted(p for p in (tmp_path / "cache" / f"eval-v{evalcache.FORMAT}").rglob("*") if p.is_file())


def evaluated(root, **kw):
    found: list = []
    resources = load_directory(str(root), warnings=found, **kw)
    return resources, [(w.kind, w.message, w.where) for w in found]


def fresh(root, monkeypatch, **kw):
    with monkeypatch.context() as m:
        m.setattr(evalcache, "_disk_enabled", False)
        return evaluated(root, **kw)


# --------------------------------------------------------------------------- warm == cold


def _fixture_dirs() -> list:
    dirs = set()
    for base in (TESTDATA / "hcl", TESTDATA / "terraform"):
        for path in base.rglob("*.tf"):
            if ".terraform" not in path.parts:
                dirs.add(path.parent)
    return sorted(dirs)


def test_fixtures_are_many():
    assert len(_fixture_dirs()) > 40


def test_warm_report_is_the_cold_report_on_every_fixture(cache, tmp_path):
    rules = load_rules()
    hits = 0
    for d in _fixture_dirs():
        cold = scan([str(d)], rules, src=SourceOptions())
        before = len(cache)
        warm = scan([str(d)], rules, src=SourceOptions())
        if not cold.errors:
            assert len(cache) == before, f"{d}: evaluated again"
            hits += 1
        assert render(warm, "json") == render(cold, "json"), d
        assert render(warm, "table") == render(cold, "table"), d
    assert hits > 40
    assert len(entries(tmp_path)) == hits


def test_variable_fixture_with_var_files_and_vars(cache, tmp_path):
    d = TESTDATA / "hcl" / "variables"
    kw = dict(variables={"cpu": "512"}, var_files=(str(d / "host.tfvars"),))
    cold = evaluated(d, **kw)
    warm = evaluated(d, **kw)
    assert len(cache) == 1 and warm == cold
    assert any(r.type == "aws_ecs_task_definition" for r in warm[0])


# --------------------------------------------------------------------------- invalidation

MAIN = """\
variable "image" {
  type    = string
  default = "nginx:1.25"
}
variable "privileged" {
  type    = bool
  default = false
}
resource "aws_ecs_task_definition" "t" {
  family = "t"
  container_definitions = jsonencode([{
    name        = "app"
    image       = var.image
    privileged  = var.privileged
    essential   = true
    command     = [file("${path.module}/cmd.txt")]
    environment = [{ name = "FLAG", value = tostring(fileexists("${path.module}/conf/flag")) }]
  }])
}
module "svc" {
  source = "./mod"
}
module "remote" {
  source = "example/remote/aws"
}
"""

MOD = """\
resource "aws_ecr_repository" "r" {
  name = "r"
  image_tag_mutability = "MUTABLE"
}
"""


@pytest.fixture
def repo(tmp_path):
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    root = top / "stack"
    (root / "mod").mkdir(parents=True)
    (root / "main.tf").write_text(MAIN)
    (root / "cmd.txt").write_text("serve")
    (root / "mod" / "main.tf").write_text(MOD)
    return root


def _container(resources) -> dict:
    td = next(r for r in resources if r.type == "aws_ecs_task_definition")
    defs = td.after["container_definitions"]
    return (json.loads(defs) if isinstance(defs, str) else defs)[0]


def test_every_dependency_invalidates(repo, tmp_path, cache, monkeypatch):
    root = repo
    first = evaluated(root)
    assert len(cache) == 1
    assert _container(first[0])["command"] == ["serve"]
    assert [w[0] for w in first[1]] == ["module-not-downloaded"]
    assert evaluated(root) == first and len(cache) == 1

    steps = []

    def change(label, **kw):
        prev = steps[-1][1] if steps else first
        n = len(cache)
        got = evaluated(root, **kw)
        assert len(cache) == n + 1, f"{label}: the entry was used"
        want = fresh(root, monkeypatch, **kw)
        assert got == want, label
        assert got != prev, f"{label}: the change changed nothing (the test proves nothing)"
        n = len(cache)
        assert evaluated(root, **kw) == got and len(cache) == n, f"{label}: not kept"
        steps.append((label, got))
        return got

    (root / "main.tf").write_text(MAIN.replace('family = "t"', 'family = "t2"'))
    assert change("edit a .tf file")[0][0].after["family"] == "t2"

    (root / "terraform.tfvars").write_text('image = "nginx:latest"\n')
    assert _container(change("add terraform.tfvars")[0])["image"] == "nginx:latest"

    (root / "b.auto.tfvars").write_text('image = "nginx:1.27"\n')
    assert _container(change("add an .auto.tfvars")[0])["image"] == "nginx:1.27"

    (root / "extra.tf").write_text('resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n')
    assert any(r.type == "aws_ecs_cluster" for r in change("add a .tf file")[0])

    assert _container(change("--var", variables={"privileged": "true"})[0])["privileged"] is True

    (root / "cmd.txt").write_text("serve --debug")
    assert _container(change("edit a file() target")[0])["command"] == ["serve --debug"]

    (root / "conf").mkdir()
    evaluated(root)  # the root's listing changed: evaluated again, and kept
    n = len(cache)
    assert evaluated(root) == steps[-1][1] and len(cache) == n
    (root / "conf" / "flag").write_text("")  # in a folder the evaluation never lists
    env = _container(change("create a fileexists() target")[0])["environment"]
    assert env == [{"name": "FLAG", "value": "true"}]

    (root / "mod" / "main.tf").write_text(MOD.replace("MUTABLE", "IMMUTABLE"))
    ecr = next(r for r in change("edit a module's file")[0] if r.type == "aws_ecr_repository")
    assert ecr.after["image_tag_mutability"] == "IMMUTABLE"

    (root / "mod" / "more.tf").write_text('resource "aws_ecs_cluster" "m" {\n  name = "m"\n}\n')
    assert any(r.address == "module.svc.aws_ecs_cluster.m" for r in change("add a file to a module folder")[0])

    remote = root / ".terraform" / "modules" / "remote"
    remote.mkdir(parents=True)
    (remote / "main.tf").write_text('resource "aws_ecs_cluster" "r" {\n  name = "r"\n}\n')
    (root / ".terraform" / "modules" / "modules.json").write_text(
        '{"Modules": [{"Key": "remote", "Source": "example/remote/aws", "Dir": ".terraform/modules/remote"}]}'
    )
    got = change("a module downloaded")
    assert any(r.address == "module.remote.aws_ecs_cluster.r" for r in got[0]) and got[1] == []

    outside_vars = tmp_path / "vars.tfvars"
    outside_vars.write_text('image = "httpd:2"\n')
    assert _container(change("--var-file", var_files=(str(outside_vars),))[0])["image"] == "httpd:2"
    outside_vars.write_text('image = "httpd:3"\n')
    assert _container(change("edit the --var-file", var_files=(str(outside_vars),))[0])["image"] == "httpd:3"

    # A symlink retargeted inside the repository: same name, another file.
    shared = root.parent / "shared"
    shared.mkdir()
    (shared / "a.tf").write_text('resource "aws_ecs_cluster" "s" {\n  name = "a"\n}\n')
    (shared / "b.tf").write_text('resource "aws_ecs_cluster" "s" {\n  name = "b"\n}\n')
    os.symlink("../shared/a.tf", root / "linked.tf")
    change("add a symlinked .tf file")
    os.unlink(root / "linked.tf")
    os.symlink("../shared/b.tf", root / "linked.tf")
    got = change("retarget the symlink")
    assert next(r for r in got[0] if r.address == "aws_ecs_cluster.s").after["name"] == "b"

    os.unlink(root / "conf" / "flag")
    os.mkdir(root / "conf" / "flag")  # fileexists() of a folder is false
    assert _container(change("fileexists() target becomes a folder")[0])["environment"][0]["value"] == "false"


def test_tf_environment_and_workspace_key_the_entry(repo, cache, monkeypatch):
    first = evaluated(repo)
    monkeypatch.setenv("TF_VAR_image", "other")
    evaluated(repo)
    monkeypatch.setenv("TF_WORKSPACE", "staging")
    evaluated(repo)
    assert len(cache) == 3
    monkeypatch.delenv("TF_VAR_image")
    monkeypatch.delenv("TF_WORKSPACE")
    assert evaluated(repo) == first and len(cache) == 3


def test_a_var_file_given_relative_to_another_folder_is_another_entry(repo, tmp_path, cache, monkeypatch):
    for d, image in (("one", "a:1"), ("two", "b:2")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "v.tfvars").write_text(f'image = "{image}"\n')
    monkeypatch.chdir(tmp_path / "one")
    assert _container(evaluated(repo, var_files=("v.tfvars",))[0])["image"] == "a:1"
    monkeypatch.chdir(tmp_path / "two")
    assert _container(evaluated(repo, var_files=("v.tfvars",))[0])["image"] == "b:2"
    assert len(cache) == 2


def test_a_moved_tree_is_evaluated_again_and_a_link_to_it_is_the_same_entry(repo, cache):
    evaluated(repo)
    other = repo.parent / "stack2"
    os.rename(repo, other)
    os.symlink("stack2", repo)
    first = evaluated(other)
    assert len(cache) == 2  # another real path: another entry
    via_link = evaluated(repo)
    assert len(cache) == 2  # the same real folder: the same entry
    assert all(r.input == str(other) for r in first[0])
    assert all(r.input == str(repo) for r in via_link[0])
    assert [r.address for r in via_link[0]] == [r.address for r in first[0]]


def test_other_code_overwrites_the_entry(repo, tmp_path, cache, monkeypatch):
    first = evaluated(repo)
    [entry] = entries(tmp_path)
    monkeypatch.setattr(evalcache, "_code", "another release")
    assert evaluated(repo) == first and len(cache) == 2  # not the entry of other code
    assert entries(tmp_path) == [entry]  # written in its place
    assert evaluated(repo) == first and len(cache) == 2
    monkeypatch.setattr(evalcache, "_code", None)
    evaluated(repo)
    assert len(cache) == 3


def test_budget_and_debug_bypass_the_cache(repo, cache, monkeypatch, tmp_path):
    from tfecs.inputs.hcl.budget import Budget

    evaluated(repo, budget=Budget())
    assert entries(tmp_path) == []
    monkeypatch.setenv("TFECS_DEBUG", "1")
    evaluated(repo)
    evaluated(repo)
    assert entries(tmp_path) == [] and len(cache) == 3


def test_input_errors_are_not_kept(repo, cache, tmp_path):
    from tfecs.errors import InputError

    (repo / "bad.tf").write_text('resource "aws_ecs_cluster" "c" {\n  name = var.nope\n}\n')
    for _ in range(2):
        with pytest.raises(InputError):
            evaluated(repo)
    assert entries(tmp_path) == [] and len(cache) == 2


# --------------------------------------------------------------------------- bad entries


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch BOOM",))


@pytest.mark.parametrize(
    "bad",
    ["empty", "garbage", "truncated", "other-key", "wrong-shape", "code", "symlink", "fifo", "too-large"],
)
def test_a_bad_entry_is_ignored_and_rewritten(repo, tmp_path, cache, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    good = evaluated(repo)
    [entry] = entries(tmp_path)
    data = entry.read_bytes()
    entry.unlink()
    if bad == "empty":
        entry.write_bytes(b"")
    elif bad == "garbage":
        entry.write_bytes(os.urandom(4096))
    elif bad == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif bad == "other-key":
        entry.write_bytes(pickle.dumps(("tfecs-eval", evalcache.FORMAT, "0" * 64, [], [], [])))
    elif bad == "wrong-shape":
        fake = pickle.loads(data)
        entry.write_bytes(pickle.dumps(fake[:4] + ([{"address": "x"}], fake[5])))
    elif bad == "code":
        entry.write_bytes(pickle.dumps(_Boom()))
    elif bad == "symlink":
        (tmp_path / "elsewhere").write_bytes(data)
        os.symlink(tmp_path / "elsewhere", entry)
    elif bad == "fifo":
        os.mkfifo(entry)
    elif bad == "too-large":
        monkeypatch.setattr(evalcache, "MAX_ENTRY", len(data) - 1)
        entry.write_bytes(data)
    n = len(cache)
    assert evaluated(repo) == good
    assert len(cache) == n + 1, "a bad entry was used"
    assert not (tmp_path / "BOOM").exists()
    if bad != "too-large":
        assert entry.is_file() and not entry.is_symlink()
        assert entry.read_bytes() == data  # rewritten
        assert evaluated(repo) == good and len(cache) == n + 1  # and used
    else:
        assert not entry.exists()  # too large to keep
        assert entries(tmp_path) == []  # nor any part of it


def test_an_entry_naming_a_path_outside_the_repository_is_not_checked(repo, tmp_path, cache, monkeypatch):
    """Even an entry written with this key (the folder is private: it cannot be, short of
    another program of the user's) never makes tfecs read outside the repository."""
    evaluated(repo)
    [entry] = entries(tmp_path)
    doc = pickle.loads(entry.read_bytes())
    secret = tmp_path / "outside.txt"
    secret.write_text("s3cr3t")
    deps = doc[3] + [("R", str(secret), hashlib.sha256(b"s3cr3t").hexdigest())]
    fake = [RawResource("aws_ecs_cluster.fake", "managed", "aws_ecs_cluster", "fake", after={"name": "fake"}, origin="hcl")]
    entry.write_bytes(pickle.dumps(doc[:3] + (deps, fake, [])))
    asked: list[str] = []
    real_read = record._ASK["R"]
    monkeypatch.setitem(record._ASK, "R", lambda p: asked.append(p) or real_read(p))
    got = evaluated(repo)
    assert str(secret) not in asked
    assert "aws_ecs_cluster.fake" not in {r.address for r in got[0]}
    assert len(cache) == 2


def test_reads_refused_outside_the_repository_are_kept_without_reading_there(repo, tmp_path, cache, monkeypatch):
    secret = tmp_path / "outside.txt"
    secret.write_text("s3cr3t")
    os.symlink(secret, repo / "link.txt")
    (repo / "escape.tf").write_text(
        'resource "aws_ecs_cluster" "a" {\n  name = file("%s")\n}\n'
        'resource "aws_ecs_cluster" "b" {\n  name = file("${path.module}/link.txt")\n}\n' % secret
    )
    cold = evaluated(repo)
    assert [w[0] for w in cold[1]].count("file-outside-root") == 2
    asked: list[str] = []
    real_read = record._ASK["R"]
    monkeypatch.setitem(record._ASK, "R", lambda p: asked.append(p) or real_read(p))
    assert evaluated(repo) == cold and len(cache) == 1
    assert asked and str(secret) not in asked
    os.unlink(repo / "link.txt")
    os.symlink(repo / "cmd.txt", repo / "link.txt")  # now inside: read
    got = evaluated(repo)
    assert len(cache) == 2 and got == fresh(repo, monkeypatch)
    assert next(r for r in got[0] if r.address == "aws_ecs_cluster.b").after["name"] == "serve"


def test_an_entry_with_an_unknown_question_is_not_used(repo, tmp_path, cache):
    evaluated(repo)
    [entry] = entries(tmp_path)
    doc = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps(doc[:3] + (doc[3] + [("X", str(repo / "main.tf"), 1)],) + doc[4:]))
    evaluated(repo)
    assert len(cache) == 2


def test_a_tree_changing_while_read_is_not_kept(repo, tmp_path, cache):
    rec = record.Recorder()
    rec.note("R", "/x", "a")
    rec.note("R", "/x", "a")
    assert not rec.unstable
    rec.note("R", "/x", "b")
    assert rec.unstable
    slot = evalcache.slot(str(repo), {}, ())
    assert slot is not None and slot.store(rec, [], []) is False
    assert entries(tmp_path) == []


def test_cache_off_writes_nothing(repo, tmp_path, cache, monkeypatch):
    monkeypatch.setattr(evalcache, "_disk_enabled", False)
    evaluated(repo)
    evaluated(repo)
    assert len(cache) == 2
    assert not (tmp_path / "cache" / f"eval-v{evalcache.FORMAT}").exists()


def test_no_cache_environment_in_a_real_run(repo, tmp_path):
    folder = tmp_path / "cache"
    env = {**os.environ, "TFECS_CACHE_DIR": str(folder), "TFECS_NO_CACHE": "1"}
    cmd = [sys.executable, "-m", "tfecs", "scan", str(repo), "--format", "json"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert not folder.exists() or not any(folder.rglob("*"))
    env.pop("TFECS_NO_CACHE")
    warm = [subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path) for _ in range(2)]
    assert [w.stdout for w in warm] == [r.stdout, r.stdout]
    assert len(list((folder / f"eval-v{evalcache.FORMAT}").rglob("*"))) == 2  # a folder and an entry


def test_the_folder_is_private(repo, tmp_path, cache):
    evaluated(repo)
    folder = tmp_path / "cache" / f"eval-v{evalcache.FORMAT}"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    [entry] = entries(tmp_path)
    assert oct(entry.stat().st_mode & 0o777) == "0o600"


def test_a_warm_run_imports_no_parser_nor_evaluator(repo, tmp_path):
    env = {**os.environ, "TFECS_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-X", "importtime", "-m", "tfecs", "scan", str(repo), "--format", "json"]
    cold = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    warm = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert cold.returncode == warm.returncode == 1 and cold.stdout == warm.stdout

    def imported(stderr: str) -> set[str]:
        return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}

    heavy = {"lark", "hcl2", "tfecs.inputs.hcl.modules", "tfecs.inputs.hcl.evaluate", "tfecs.inputs.hcl.syntax"}
    assert heavy <= imported(cold.stderr)
    assert not heavy & imported(warm.stderr)


def test_a_recording_notes_its_own_thread_only(repo):
    import threading

    with record.Recorder() as rec:
        t = threading.Thread(target=lambda: record.listdir(str(repo)))
        t.start()
        t.join()
        assert rec.deps == {}
        record.listdir(str(repo))
    assert list(rec.deps) == [("L", str(repo))]
    assert not record.recording()
