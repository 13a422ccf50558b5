"""Expression evaluation before apply: Terraform's semantics, unknown values that
propagate (never guessed), partly known JSON, functions, type constraints."""

from __future__ import annotations

import logging

import pytest

from tfecs.inputs.hcl.evaluate import Ctx, Files, evaluate
from tfecs.inputs.hcl.syntax import parse_expression
from tfecs.inputs.hcl.types import convert
from tfecs.inputs.hcl.values import UNKNOWN, EvalError, Unknown, decode_partial, split

U = UNKNOWN


def ev(text: str, **bindings):
    return evaluate(parse_expression(text, "t.tf"), Ctx(None, Files("."), "t.tf", bindings))


@pytest.mark.parametrize(
    "text, expected",
    [
        ('jsonencode({ b = 1, a = ["<&>", true, null] })', '{"a":["\\u003c\\u0026\\u003e",true,null],"b":1}'),
        ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
        ('merge({ a = 1, b = 1 }, null, { b = 2 })', {"a": 1, "b": 2}),
        ("concat([1], [], [2, 3])", [1, 2, 3]),
        ('lookup({ a = 1 }, "b", "default")', "default"),
        ('try(local_missing.x, { a = 1 }.b, "fallback")', "fallback"),
        ('coalesce(null, "", "first")', "first"),
        ('format("%s-%03d-%v-%t-%.2f-%%", "x", 7, [1], true, 1.239)', "x-007-[1]-true-1.24-%"),
        ('format("%[2]s %[1]s", "a", "b")', "b a"),
        ('join("/", ["a", "b"], ["c"])', "a/b/c"),
        ("tostring(12)", "12"),
        ('tonumber("1.5")', 1.5),
        ('tobool("false")', False),
        ("tostring(null)", None),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('keys({ b = 1, a = 2 })', ["a", "b"]),
        ('values({ b = 1, a = 2 })', [2, 1]),
        ('length("héllo")', 5),
        ('element(["a", "b", "c"], 4)', "b"),
        ('flatten([[1, [2]], [], 3])', [1, 2, 3]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ('distinct([1, 1, "1"])', [1, "1"]),
        ('compact(["a", "", null, "b"])', ["a", "b"]),
        ('replace("a-b", "-", "_")', "a_b"),
        ('replace("img:1.2", "/:(\\\\d+)/", "@v$1")', "img@v1.2"),
        ('regex("^(?P<repo>[^:]+):(?P<tag>.+)$", "app:1.0")', {"repo": "app", "tag": "1.0"}),
        ('cidrsubnet("10.0.0.0/16", 8, 3)', "10.0.3.0/24"),
        ('cidrhost("10.0.1.0/24", 5)', "10.0.1.5"),
        ('cidrsubnets("10.0.0.0/16", 4, 8)', ["10.0.0.0/20", "10.0.16.0/24"]),
        ('can(regex("^a", "abc"))', True),
        ('can(regex("^z", "abc"))', False),
        ("10 / 4", 2.5),
        ("8 / 4", 2),
        ("-7 % 3", -1),
        ('"1" == 1', False),
        ("true == 1", False),
        ("[1, 2] == [1, 2]", True),
        ("null == null", True),
        ('"5" + 1', 6),
        ('substr("abcdef", -3, 2)', "de"),
        ('trimsuffix(trimprefix("<x>", "<"), ">")', "x"),
        ('sha256("")', "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ('base64decode(base64encode("héllo"))', "héllo"),
        ("one([5])", 5),
        ("sum([1, 2.5])", 3.5),
        ('formatlist("%s=%s", ["a", "b"], "x")', ["a=x", "b=x"]),
        ("max([3, 9, 1]...)", 9),
        ('setunion(["b"], ["a", "b"])', ["a", "b"]),
        ('startswith("ghcr.io/x", "ghcr.io/")', True),
        ('sensitive("x")', "x"),
    ],
)
def test_known_values(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x.attr",
        "x[0]",
        '"${x}-suffix"',
        "upper(x)",
        "x ? 1 : 2",
        "x == 1",
        "x + 1",
        "!x",
        "[for v in x : v]",
        "toset([x, \"a\"])",
        'lookup({ a = 1 }, x)',
        "coalesce(null, x, \"z\")",
        "flatten([[1], x])",
        "timestamp()",
        "uuid()",
        "provider::aws::arn_parse(\"arn:aws:iam::1:role/r\")",
        "true && x",
        "try(x, 1)",
        "can(x)",
    ],
)
def test_unknown_propagates(text):
    assert isinstance(ev(text, x=U), Unknown)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("false && x", False),
        ("x || true", True),
        ("length([x, 1])", 2),
        ("keys({ a = x })", ["a"]),
        ("merge({ a = x }, { b = 1 })", {"a": U, "b": 1}),
        ("concat([x], [1])", [U, 1]),
        ('lookup({ a = x, b = 2 }, "b")', 2),
        ("coalesce(\"first\", x)", "first"),
        ("{ for k, v in { a = x, b = 1 } : k => v }", {"a": U, "b": 1}),
        ("[1, x][0]", 1),
        ("jsondecode(jsonencode({ a = x, b = [true] }))", {"a": U, "b": [True]}),
    ],
)
def test_known_parts_survive_unknown_neighbours(text, expected):
    assert ev(text, x=U) == expected


def test_jsonencode_of_a_partly_unknown_value_keeps_the_value():
    result = ev('jsonencode([{ name = "app", image = "${x}:1.0", privileged = true }])', x=U)
    assert isinstance(result, Unknown) and result.has_json
    assert split({"container_definitions": result}, lambda n: n == "container_definitions") == (
        {"container_definitions": [{"name": "app", "privileged": True}]},
        {"container_definitions": [{"image": True}]},
    )


def test_template_with_unknown_holes_decodes_as_json():
    text = '"[{\\"image\\": \\"${x}:1.0\\", \\"memory\\": ${x}, \\"env\\": ${jsonencode({ a = x, b = "k" })}, \\"privileged\\": true}]"'
    result = ev(text, x=U)
    assert isinstance(result, Unknown) and result.segments is not None
    decoded = decode_partial(result)
    image = decoded[0].pop("image")
    assert decoded == [{"memory": U, "env": {"a": U, "b": "k"}, "privileged": True}]
    # Inside a JSON string a hole keeps the string's known pieces (a pattern).
    assert isinstance(image, Unknown) and [s if isinstance(s, str) else "?" for s in image.segments] == ["?", ":1.0"]


def test_json_holes_that_break_the_document_make_it_wholly_unknown():
    assert decode_partial(ev('"[{\\"a\\": 1}${x}"', x=U)) is UNKNOWN
    assert decode_partial(ev('"{\\"${x}\\": 1}"', x=U)) is UNKNOWN  # an unknown key


def test_lists_of_values_with_an_unknown_are_wholly_unknown_outside_json():
    values = {"security_groups": ["sg-1", U], "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": U}]}
    assert split(values) == (
        {"ingress": [{"cidr_blocks": ["0.0.0.0/0"]}]},  # wholly unknown attributes are left out, as in plans
        {"security_groups": True, "ingress": [{"from_port": True}]},
    )
    assert split({"resources": ["arn:1", U]}, elementwise=True) == ({"resources": ["arn:1", None]}, {"resources": [False, True]})


@pytest.mark.parametrize(
    "text, message",
    [
        ('{ a = 1 }.b', "no attribute 'b'"),
        ("[1][3]", "out of range"),
        ("null.a", "null"),
        ('"a${null}"', "null"),
        ("local_thing", "not available"),
        ('lookup({}, "k")', "no key"),
        ('{ for v in ["a", "a"] : v => 1 }', "duplicate key"),
        ("1 / 0", "division by zero"),
        ('tobool("yes")', "bool"),
        ('regex("z", "abc")', "no match"),
    ],
)
def test_errors_are_eval_errors(text, message):
    with pytest.raises(EvalError, match=message):
        ev(text)


def test_unsupported_function_is_unknown_with_a_debug_note(caplog):
    with caplog.at_level(logging.DEBUG, logger="tfecs.hcl"):
        assert ev('yamldecode("a: 1")') is UNKNOWN
    assert "t.tf:1: function yamldecode() is not evaluated" in caplog.text


def _convert(value, type_text):
    return convert(value, parse_expression(type_text, "t.tf"), lambda n: evaluate(n, Ctx(None, Files("."), "t.tf")))


@pytest.mark.parametrize(
    "val, type_text, expected",
    [
        ("true", "bool", True),
        ("8080", "number", 8080),
        (5, "string", "5"),
        (["b", "a", "a"], "set(string)", ["a", "b"]),
        ({"a": "1"}, "map(number)", {"a": 1}),
        ({"image": "x", "extra": 1}, 'object({ image = string, privileged = optional(bool, false), user = optional(string) })', {"image": "x", "privileged": False, "user": None}),
        ({"image": "x", "privileged": None}, "object({ image = string, privileged = optional(bool, true) })", {"image": "x", "privileged": True}),
        ([1, "a"], "tuple([string, string])", ["1", "a"]),
        ({"x": [1]}, "any", {"x": [1]}),
        ("x", '"string"', "x"),
        (U, "bool", U),
        (None, "bool", None),
    ],
)
def test_type_conversion(val, type_text, expected):
    assert _convert(val, type_text) == expected


def test_object_type_requires_its_attributes():
    with pytest.raises(EvalError, match="attribute 'image' is required"):
        _convert({}, "object({ image = string })")
