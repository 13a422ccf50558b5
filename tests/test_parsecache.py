"""The parse cache: a warm entry gives the same syntax tree as a parse, a bad entry is
ignored and rewritten (never trusted: an entry cannot run code), cold files parsed in
worker processes give the same scan as a sequential parse, and --no-cache writes nothing."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

from tfecs.inputs.hcl import config, parsecache
from tfecs.inputs.hcl.syntax import parse_body

TEXT = 'resource "aws_ecr_repository" "app" {\n  name = "app"\n  image_tag_mutability = "MUTABLE"\n}\n'


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh disk cache folder and empty memory layers."""
    monkeypatch.setattr(parsecache, "_dir", False)
    monkeypatch.setattr(parsecache, "_disk_enabled", True)
    monkeypatch.setenv("TFECS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parsecache, "_MEM", {})
    monkeypatch.setattr(config, "_PARSED", type(config._PARSED)())
    return tmp_path / "cache"


def entry_path(text: str) -> str:
    k = parsecache.key(text)
    return os.path.join(parsecache.cache_dir(), k[:2], k)


def shape(body) -> list:
    return [(b.type, b.labels, sorted(b.body.attributes)) for b in body.blocks]


def test_round_trip_from_disk(cache):
    body = parse_body(TEXT, "main.tf")
    parsecache.put(TEXT, body)
    assert os.path.isfile(entry_path(TEXT))
    parsecache._MEM.clear()
    again = parsecache.get(TEXT)
    assert again is not None and again is not body
    assert shape(again) == shape(body) == [("resource", ["aws_ecr_repository", "app"], ["image_tag_mutability", "name"])]
    assert again.blocks[0].body.attributes["image_tag_mutability"].expr.value == "MUTABLE"
    assert oct(os.stat(parsecache.cache_dir()).st_mode & 0o777) == "0o700"


def test_key_changes_with_text_and_versions(cache, monkeypatch):
    k = parsecache.key(TEXT)
    assert parsecache.key(TEXT + " ") != k
    monkeypatch.setattr(parsecache, "_salt", b"tfecs-parse/other-version\n")
    assert parsecache.key(TEXT) != k


@pytest.mark.parametrize("bad", [b"", b"\x80\x05garbage", pickle.dumps({"not": "a body"}), pickle.dumps([1, 2, 3])])
def test_corrupt_entry_is_ignored_and_removed(cache, bad):
    body = parse_body(TEXT, "main.tf")
    parsecache.put(TEXT, body)
    parsecache._MEM.clear()
    with open(entry_path(TEXT), "wb") as fh:
        fh.write(bad)
    assert parsecache.get(TEXT) is None
    assert not os.path.exists(entry_path(TEXT))


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_an_entry_cannot_run_code(cache, tmp_path):
    """An entry that would call a function when unpickled is refused, never run."""
    marker = tmp_path / "ran"

    class Touch:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    parsecache.put(TEXT, parse_body(TEXT, "main.tf"))
    parsecache._MEM.clear()
    for payload in (Touch(), _Boom()):
        with open(entry_path(TEXT), "wb") as fh:
            fh.write(pickle.dumps(payload))
        assert parsecache.get(TEXT) is None
    assert not marker.exists()


def test_scan_uses_the_cache_and_matches_a_fresh_parse(cache, tmp_path, run_cli):
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(TEXT)
    code1, out1, _ = run_cli("scan", str(root), "--format", "json")
    assert code1 == 1
    assert os.path.isfile(entry_path(TEXT))
    parsecache._MEM.clear()
    config._PARSED.clear()
    code2, out2, _ = run_cli("scan", str(root), "--format", "json")
    assert (code2, out2) == (code1, out1)
    assert {f["rule"] for f in json.loads(out2)["findings"]} >= {"ecr-tag-mutable"}


def test_warm_parses_many_cold_files_in_workers(cache, tmp_path, monkeypatch):
    if (os.cpu_count() or 1) < 2 or sys.platform != "linux":
        pytest.skip("worker processes need two cores on Linux")
    paths = []
    for i in range(parsecache.PARALLEL_MIN + 4):
        p = tmp_path / f"f{i}.tf"
        p.write_text(TEXT.replace('"app"', f'"app{i}"'))
        paths.append(str(p))
    bad = tmp_path / "bad.tf"
    bad.write_text("resource {{{\n")
    fifo = tmp_path / "fifo.tf"
    os.mkfifo(fifo)  # never read: warm must not block on it
    assert parsecache.warm([*paths, str(bad), str(fifo)]) == len(paths)
    for i, p in enumerate(paths):
        body = parsecache.get(open(p).read())
        assert body is not None and body.blocks[0].labels == ["aws_ecr_repository", f"app{i}"]
    assert parsecache.get(bad.read_text()) is None  # the loader parses it and reports the error


def test_no_cache_writes_nothing(tmp_path):
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(TEXT)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "TFECS_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "tfecs", "scan", str(root), "--format", "json"]
    r = subprocess.run([*cmd, "--no-cache"], env=env, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert not any(cache_dir.rglob("*")) if cache_dir.exists() else True
    r2 = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r2.returncode == 1 and r2.stdout == r.stdout
    # One parsed file, and the scan root's evaluation (evalcache.py).
    kept = sorted(p.relative_to(cache_dir).parts[0] for p in cache_dir.rglob("*") if p.is_file())
    assert kept == ["eval-v1", f"parse-v{parsecache.CACHE_FORMAT}"]


def test_group_writable_cache_folder_is_not_used(tmp_path, monkeypatch):
    base = tmp_path / "shared"
    (base / f"parse-v{parsecache.CACHE_FORMAT}").mkdir(parents=True)
    os.chmod(base / f"parse-v{parsecache.CACHE_FORMAT}", 0o777)
    monkeypatch.setattr(parsecache, "_dir", False)
    monkeypatch.setenv("TFECS_CACHE_DIR", str(base))
    assert parsecache.cache_dir() is None


def test_warm_hands_back_what_it_read(cache, tmp_path):
    """The loader passes these texts to parse_file, so no file is read twice."""
    a, fifo = tmp_path / "a.tf", tmp_path / "b.tf"
    a.write_text(TEXT)
    os.mkfifo(fifo)
    texts: dict[str, str] = {}
    parsecache.warm([str(a), str(fifo)], texts)
    assert texts == {str(a): TEXT}
