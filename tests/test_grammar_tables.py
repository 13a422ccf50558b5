"""The parser's tables (tfecs/inputs/hcl/syntax.py lark_parser): kept in a private
folder of the user's, never in Lark's shared temp-folder cache (a pickle anyone on the
machine could plant), read as plain data only, and built again when the file is bad."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile

import lark
import pytest

from tfecs.inputs.hcl import syntax


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch BOOM",))


GRAMMAR = os.path.join(os.path.dirname(__import__("hcl2").__file__), "hcl2.lark")


@pytest.fixture
def tables(tmp_path, monkeypatch):
    """A temp folder holding a copy of this run's tables; a fresh lark_parser()."""
    syntax.lark_parser()
    real = syntax._tables_path(GRAMMAR)
    assert real is not None and os.path.isfile(real)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    mine = syntax._tables_path(GRAMMAR)
    assert mine is not None and mine.startswith(str(tmp_path / "tmp" / f"tfecs-grammar-{os.getuid()}"))
    shutil.copyfile(real, mine)
    monkeypatch.chdir(tmp_path)
    syntax.lark_parser.cache_clear()
    yield tmp_path / "tmp" / os.path.relpath(mine, tmp_path / "tmp")
    syntax.lark_parser.cache_clear()


def _spy_builds(monkeypatch, parser=None) -> list:
    """Records each build; hands back `parser` (built already) instead of building
    again for two seconds."""
    built: list = []
    real = lark.Lark.open.__func__

    def spy(cls, *args, **kw):
        built.append(kw)
        return parser if parser is not None else real(cls, *args, **kw)

    monkeypatch.setattr(lark.Lark, "open", classmethod(spy))
    return built


def test_tables_are_loaded_from_the_private_folder(tables, monkeypatch):
    built = _spy_builds(monkeypatch)
    parser = syntax.lark_parser()
    assert built == []
    assert syntax.parse_body('resource "a" "b" {\n  x = 1\n}\n', "m.tf").blocks[0].labels == ["a", "b"]
    assert parser.options.propagate_positions is False
    assert oct(tables.parent.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("bad", ["code", "garbage", "truncated", "symlink"])
def test_bad_tables_are_ignored_built_and_rewritten(tables, tmp_path, monkeypatch, bad):
    from hcl2.postlexer import PostLexer

    good = tables.read_bytes()
    parser = syntax._load_tables(str(tables), lark.Lark, PostLexer)
    assert parser is not None
    tables.unlink()
    if bad == "code":
        tables.write_bytes(pickle.dumps({"data": _Boom(), "memo": {}}))
    elif bad == "garbage":
        tables.write_bytes(os.urandom(2048))
    elif bad == "truncated":
        tables.write_bytes(good[: len(good) // 3])
    else:
        (tmp_path / "elsewhere").write_bytes(good)
        os.symlink(tmp_path / "elsewhere", tables)
    built = _spy_builds(monkeypatch, parser)
    syntax.lark_parser()
    assert len(built) == 1 and "cache" not in built[0]  # never Lark's temp-folder cache
    assert not (tmp_path / "BOOM").exists()
    assert tables.is_file() and not tables.is_symlink()
    assert syntax._load_tables(str(tables), lark.Lark, PostLexer) is not None  # rewritten, sound
    assert syntax.parse_body("a = 1\n", "m.tf").attributes["a"].line == 1


def test_a_folder_others_can_write_to_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"tfecs-grammar-{os.getuid()}"
    planted.mkdir()
    os.chmod(planted, 0o777)  # another user could write there: not used
    assert syntax._tables_path(GRAMMAR) is None
    os.chmod(planted, 0o700)
    assert syntax._tables_path(GRAMMAR).startswith(str(planted))


def test_the_cache_folder_gets_no_tables_and_no_cache_writes_nothing(tmp_path, monkeypatch):
    import subprocess
    import sys

    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_ecs_cluster" "c" {\n  name = "c"\n}\n')
    env = {**os.environ, "TFECS_CACHE_DIR": str(tmp_path / "cache"), "TFECS_NO_CACHE": "1"}
    r = subprocess.run([sys.executable, "-m", "tfecs", "scan", str(root)], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*"))
