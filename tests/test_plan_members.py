"""The plan reader parses the top-level object member by member and skips what it never
reads (planned_values next to resource_changes, resource_drift): the members it keeps
are exactly what a whole parse gives, and every document a whole parse rejects still
falls back to it (so the error messages are the same)."""

from __future__ import annotations

import json

import orjson
import pytest
from conftest import CORPUS

from tfecs.errors import InputError
from tfecs.inputs import planjson
from tfecs.inputs.planjson import data_sources_only, plan_members
from tfecs.inputs.plan import parse_json, read_plan

SKIPPED = ("resource_drift",)


def _expected(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k not in SKIPPED}
    if doc.get("resource_changes") is not None:
        out.pop("planned_values", None)
    if "prior_state" in out:
        out["prior_state"] = data_sources_only(out["prior_state"])
    return out


def _resources(plan) -> list[dict]:
    return [{k: getattr(r, k) for k in r.__slots__} for r in plan.resources]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_real_plans_read_the_same_resources(path, monkeypatch):
    data = path.read_bytes()
    fast = read_plan(data, "plan.json")
    monkeypatch.setattr(planjson, "plan_members", lambda data: None)
    assert _resources(fast) == _resources(read_plan(data, "plan.json"))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_pieces_of_a_few_bytes_read_the_same_resources(path, monkeypatch):
    """Pieces cut wherever `},{"address":` occurs, nested ones included."""
    data = path.read_bytes()
    monkeypatch.setattr(planjson, "_PIECE", 16)
    fast = read_plan(data, "plan.json")
    monkeypatch.setattr(planjson, "plan_members", lambda data: None)
    assert _resources(fast) == _resources(read_plan(data, "plan.json"))


def test_a_cut_inside_an_element_is_not_taken(monkeypatch):
    monkeypatch.setattr(planjson, "_PIECE", 4)
    nested = {"address": "aws_x.a", "mode": "managed", "type": "aws_x", "name": "a",
              "change": {"actions": ["create"], "before": None, "after": {"l": [{"k": 1}, {"address": "not a resource"}]}}}
    other = {**nested, "address": "aws_x.b", "name": "b"}
    doc = {"format_version": "1.2", "resource_changes": [nested, other], "prior_state": {"values": {"root_module": {"resources": [
        {"address": "aws_x.a", "mode": "managed", "type": "aws_x", "name": "a", "values": {}},
        {"address": "data.aws_y.d", "mode": "data", "type": "aws_y", "name": "d", "values": {"v": 1}}, 7]}}}}
    data = orjson.dumps(doc)
    assert plan_members(data) == _expected(doc)
    assert plan_members(data)["prior_state"]["values"]["root_module"]["resources"][0] == {"mode": "managed"}
    with pytest.raises(InputError, match=r"prior_state.values.root_module.resources\[2\]: expected an object"):
        read_plan(data, "plan.json")


def test_a_large_plan_reads_the_same_resources(tmp_path, monkeypatch):
    """resource_changes larger than a piece is parsed in pieces."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import genplan

    data = orjson.dumps(genplan.generate(2500, seed=5))
    assert len(data) > 4 * planjson._PIECE
    fast = read_plan(data, "plan.json")
    monkeypatch.setattr(planjson, "plan_members", lambda data: None)
    assert _resources(fast) == _resources(read_plan(data, "plan.json"))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.name)
def test_real_plans_parse_as_a_whole_parse_does(path):
    data = path.read_bytes()
    members = plan_members(data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        assert members is None  # UTF-16: decoded first, then parsed whole
        return
    assert members is not None
    whole = parse_json(data, str(path))
    assert members == _expected(whole)
    assert list(members) == list(_expected(whole))


@pytest.mark.parametrize(
    "text",
    [
        '{"format_version":"1.2","resource_changes":[],"planned_values":{"x":1}}',
        ' \n{ "format_version" : "1.2" ,\t"planned_values" : {"root_module":{}} , "resource_changes" : null }\r\n',
        '{"format_version":"1.2","resource_changes":[1],"resource_changes":[2],"a":"é€😀","b":[ "é" ,1]}',
        '{"format_version":"1.2","prior_state":{"values":{"k":"\\u00e9\\"}\\\\"}},"n":-1.5e3,"t":true,"f":false,"z":null}',
        '{"f\\u006frmat_version":"1.2","resource_changes":123456789012345678901234567890}',
        '{"format_version":"1.2","resource_drift":[{"a":1}],"x":12345}',
    ],
)
def test_members_equal_the_whole_parse(text):
    data = text.encode()
    assert plan_members(data) == _expected(orjson.loads(data))


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1',
        b'{"a":1} x',
        b'{"a":1}\x0c',
        b'{"a":NaN}',
        b'{"a":1,}',
        b'{"a" 1}',
        b'{"resource_changes":[],"planned_values":{"x":tru}}',  # a skipped member is still checked
        b'{"resource_changes":[],"planned_values":"\\ud800"}',
        b'{"a":"\xff"}',
        b'{"a":' + b"[" * 1024 + b"]" * 1024 + b"}",  # the whole document is 1025 deep
        b'{"resource_changes":[],"planned_values":' + b"[" * 1024 + b"]" * 1024 + b"}",
    ],
)
def test_what_a_whole_parse_rejects_falls_back_to_it(data):
    assert plan_members(data) is None
    with pytest.raises((orjson.JSONDecodeError, InputError)):
        parse_json(data, "plan.json")


@pytest.mark.parametrize("data", [b"[1, 2]", b"{}", b' "x"', b"\xef\xbb\xbf{}"])
def test_other_documents_are_parsed_whole(data):
    assert plan_members(data) is None


def test_nesting_just_within_the_limit_is_kept():
    data = b'{"format_version":"1.2","a":' + b"[" * 1023 + b"]" * 1023 + b"}"
    value = plan_members(data)["a"]
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    assert value == [] and depth == 1022


def test_planned_values_are_read_when_resource_changes_is_null():
    doc = {
        "format_version": "1.0",
        "resource_changes": None,
        "planned_values": {"root_module": {"resources": [{"address": "aws_ecr_repository.r", "mode": "managed", "type": "aws_ecr_repository", "name": "r", "values": {"name": "r"}}]}},
    }
    plan = read_plan(json.dumps(doc).encode(), "plan.json")
    assert [r.address for r in plan.resources] == ["aws_ecr_repository.r"]
