"""Baselines: `tfecs baseline` on a real plan, then `scan --baseline` suppresses exactly
what it recorded; the file is sorted, stable and holds no value from the plan."""

from __future__ import annotations

import json

import pytest

from conftest import TESTDATA

REAL = TESTDATA / "plans" / "real"
INSECURE = str(REAL / "ecs_insecure.json")


@pytest.fixture(autouse=True)
def cwd(monkeypatch, tmp_path):
    monkeypatch.setenv("TFECS_TODAY", "2026-12-04")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(run_cli, *args):
    code, out, err = run_cli("scan", "-f", "json", *args)
    return code, (json.loads(out) if out else None), err


def test_round_trip_on_a_real_plan(run_cli, cwd):
    code, out, err = run_cli("baseline", INSECURE, "-o", "base.json")
    assert code == 0 and out == ""
    text = (cwd / "base.json").read_text()
    doc = json.loads(text)
    assert list(doc) == ["findings", "version"] and doc["version"] == 1
    entries = doc["findings"]
    assert all(sorted(e) == ["address", "container", "path", "rule"] for e in entries)
    keys = [(e["rule"], e["address"], e["path"] or "", e["container"] or "") for e in entries]
    assert keys == sorted(set(keys))
    assert err == f"tfecs: wrote {len(entries)} entries to base.json\n"
    assert "hunter2" not in text  # the plaintext DB_PASSWORD of the plan
    assert {"rule": "ecs-secret-in-environment", "address": "aws_ecs_task_definition.bad_host", "path": "container_definitions[0].environment[0].value", "container": "bad-privileged"} in entries
    # Same input, same bytes: no timestamp, no ordering noise.
    assert run_cli("baseline", INSECURE, "-o", "again.json")[0] == 0
    assert (cwd / "again.json").read_text() == text

    code, scanned, _ = scan(run_cli, INSECURE, "--baseline", "base.json")
    assert code == 0
    assert scanned["findings"] and all(f["suppressed"] == {"source": "baseline", "reason": "in the baseline", "expires": None, "where": "base.json"} for f in scanned["findings"])
    assert not any(f["blocking"] for f in scanned["findings"]) and scanned["warnings"] == []
    recorded = {(e["rule"], e["address"], e["path"]) for e in entries}
    assert recorded == {(f["rule"], f["address"], f["path"]) for f in scanned["findings"]}

    # A finding not in the baseline is new: it blocks.
    doc["findings"] = [e for e in entries if not (e["rule"] == "sg-open-to-world" and e["address"] == "aws_security_group.bad")]
    (cwd / "base.json").write_text(json.dumps(doc))
    code, scanned, _ = scan(run_cli, INSECURE, "--baseline", "base.json")
    assert [(f["rule"], f["address"]) for f in scanned["findings"] if f["blocking"]] == [("sg-open-to-world", "aws_security_group.bad")]
    assert code == 1

    # --no-ignores is about inline and config ignores; the baseline still applies.
    code, scanned, _ = scan(run_cli, INSECURE, "--baseline", "again.json", "--no-ignores")
    assert code == 0


def test_baseline_from_the_config_file_and_stale_entries(run_cli, cwd):
    (cwd / "policy").mkdir()
    assert run_cli("baseline", INSECURE, "-o", "policy/base.json")[0] == 0
    (cwd / ".tfecs.hcl").write_text('baseline = "policy/base.json"\n')
    code, doc, _ = scan(run_cli, INSECURE)
    assert code == 0 and all(f["suppressed"]["source"] == "baseline" for f in doc["findings"])
    code, doc, _ = scan(run_cli, str(REAL / "ecs_hardened.json"))
    stale = len(json.loads((cwd / "policy" / "base.json").read_text())["findings"]) - sum(bool(f["suppressed"]) for f in doc["findings"])
    assert stale > 0
    assert [(w["kind"], w["where"], w["message"]) for w in doc["warnings"]] == [
        ("baseline-unused", "policy/base.json", f"{stale} baseline entries matched no finding: regenerate it with `tfecs baseline`")
    ]


def test_baseline_of_a_hybrid_scan(run_cli, cwd):
    plan = str(REAL / "modules_foreach.json")
    src = str(TESTDATA / "terraform" / "modules_foreach")
    assert run_cli("baseline", plan, "--source", src, "-o", "b.json")[0] == 0
    code, doc, _ = scan(run_cli, plan, "--source", src, "--baseline", "b.json")
    assert code == 0 and len(doc["findings"]) == 16 and all(f["suppressed"] for f in doc["findings"])


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "base.json: no such baseline file"),
        ("{", "base.json: baseline is not JSON (line 1)"),
        ('{"findings": []}', 'base.json: not a tfecs baseline (expected {"version": 1, "findings": [...]})'),
        ('{"version": 1, "findings": [{"rule": "x"}]}', "base.json: baseline entry 0 needs string rule and address, and path/container strings or null"),
    ],
)
def test_a_bad_baseline_is_exit_2(run_cli, cwd, content, message):
    if content is not None:
        (cwd / "base.json").write_text(content)
    code, out, err = run_cli("scan", INSECURE, "--baseline", "base.json")
    assert (code, out, err) == (2, "", f"tfecs: error: {message}\n")


def test_containers_match_by_name_when_reordered():
    from tfecs.baseline import _key

    assert _key("r", "a", "container_definitions[0].user", "app") == _key("r", "a", "container_definitions[3].user", "app")
    assert _key("r", "a", "container_definitions[0].user", "app") != _key("r", "a", "container_definitions[0].user", "web")


@pytest.mark.parametrize("kind", ["fifo", "device", "deep"])
def test_a_hostile_baseline_is_refused_without_hanging(run_cli, cwd, kind):
    """A committed symlink to /dev/zero or a FIFO would block the scan (or fill the
    memory) before; a deeply nested document was an internal error."""
    import os

    if kind == "fifo":
        os.mkfifo(cwd / "base.json")
        message = "the baseline is not a regular file"
    elif kind == "device":
        os.symlink("/dev/zero", cwd / "base.json")
        message = "the baseline is not a regular file"
    else:
        (cwd / "base.json").write_text("[" * 100_000 + "]" * 100_000)
        message = "baseline is nested too deeply to be a tfecs baseline"
    code, out, err = run_cli("scan", INSECURE, "--baseline", "base.json")
    assert (code, out, err) == (2, "", f"tfecs: error: base.json: {message}\n")


@pytest.mark.parametrize("target", ["../outside.json", "ABS", "link.json"])
def test_a_config_cannot_name_a_baseline_out_of_its_directory(run_cli, cwd, target):
    """The config is the repository's: its baseline must not be read from elsewhere
    (an absolute path, `..`, or a symlink out)."""
    import os

    repo = cwd / "repo"
    repo.mkdir()
    outside = cwd / "outside.json"
    outside.write_text('{"version": 1, "findings": []}')
    if target == "ABS":
        target = str(outside)
    elif target == "link.json":
        os.symlink(outside, repo / "link.json")
    (repo / ".tfecs.hcl").write_text(f'baseline = "{target}"\n')
    os.chdir(repo)
    code, out, err = run_cli("scan", INSECURE)
    shown = target if target != "../outside.json" else "../outside.json"
    assert (code, out) == (2, "")
    assert err == f"tfecs: error: .tfecs.hcl: baseline {shown!r} is outside the config file's directory (or a symlink out of it): not read\n"


def test_a_config_baseline_inside_its_directory_is_read(run_cli, cwd):
    (cwd / "sub").mkdir()
    (cwd / "sub" / "b.json").write_text('{"version": 1, "findings": []}')
    (cwd / ".tfecs.hcl").write_text('baseline = "sub/b.json"\n')
    code, out, err = scan(run_cli, INSECURE)
    assert (code, err) == (1, "") and out["findings"]
