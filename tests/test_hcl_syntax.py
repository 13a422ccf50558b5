"""HCL parsing: python-hcl2's Lark tree walked into the evaluator's nodes, templates,
heredocs, and syntax errors that point at file:line."""

from __future__ import annotations

import pytest

from tfecs.errors import InputError
from tfecs.inputs.hcl.evaluate import Ctx, Files, evaluate
from tfecs.inputs.hcl.nodes import Call, Lit, Template
from tfecs.inputs.hcl.syntax import HclSyntaxError, lark_parser, parse_body, parse_expression, parse_template


def value(text: str, **bindings):
    return evaluate(parse_expression(text, "t.tf"), Ctx(None, Files("."), "t.tf", bindings))


def test_body_blocks_attributes_and_lines():
    body = parse_body(
        '# comment\nresource "aws_ecs_cluster" "main" {\n  name = "main"\n\n  setting {\n    name  = "containerInsights"\n    value = "enabled"\n  }\n}\n',
        "main.tf",
    )
    (block,) = body.blocks
    assert (block.type, block.labels, block.line) == ("resource", ["aws_ecs_cluster", "main"], 2)
    assert block.body.attributes["name"].line == 3
    (setting,) = block.body.blocks
    assert (setting.type, setting.line, setting.body.attributes["value"].line) == ("setting", 5, 7)


def test_keywords_as_names_and_object_keys():
    body = parse_body('x = { in = "h", for = 1, if = 2 }\nin = 3\n', "k.tf")
    assert value_of(body, "x") == {"in": "h", "for": 1, "if": 2}
    assert value_of(body, "in") == 3


def value_of(body, name):
    return evaluate(body.attributes[name].expr, Ctx(None, Files("."), "t.tf"))


@pytest.mark.parametrize(
    "text, expected",
    [
        (r'"tab\there \"q\" \\ \u00e9"', 'tab\there "q" \\ é'),
        ('"$${not_interpolated} %%{not_a_directive}"', "${not_interpolated} %{not_a_directive}"),
        ('"a-${1 + 1}-b"', "a-2-b"),
        ('"${true}"', True),  # a lone interpolation keeps its type
        ('"%{ if 1 == 1 }yes%{ else }no%{ endif }"', "yes"),
        ('"%{ for k, v in {b = 2, a = 1} }${k}${v};%{ endfor }"', "a1;b2;"),
        ("-3", -3),
        ("1.5e3", 1500),
        ("{ (\"computed\") = 1, plain = 2 }", {"computed": 1, "plain": 2}),
        ("[for i in [1, 2, 3] : i * 2 if i != 2]", [2, 6]),
        ("{ for k, v in { a = 1, b = 2 } : v => k }", {"1": "a", "2": "b"}),
        ("[{ a = { b = 1 } }, { a = { b = 2 } }][*].a.b", [1, 2]),
        ("[[1, 2], [3]].*[0]", [1, 3]),
        ('{ a = [10, 20] }.a.1', 20),
        ("(1 + 2) * 3", 9),
        ("1 + 2 * 3 == 7 && !false", True),
    ],
)
def test_expressions(text, expected):
    assert value(text) == expected


def test_heredoc_keeps_final_newline_and_trims_indent():
    body = parse_body("a = <<EOT\nline1\n  line2\nEOT\nb = <<-EOT\n    x\n      y\n    EOT\n", "h.tf")
    assert value_of(body, "a") == "line1\n  line2\n"
    assert value_of(body, "b") == "x\n  y\n"


def test_heredoc_interpolation_directives_and_strip_markers():
    body = parse_body(
        'c = <<-EOT\n  %{ for n in ["a", "b"] ~}\n  ${n}=${upper(n)}\n  %{ endfor ~}\n  end\nEOT\n', "h.tf"
    )
    assert value_of(body, "c") == "a=A\nb=B\nend\n"


def test_template_text_with_nested_braces_and_strings():
    node = parse_template('{"k": "${jsonencode({ a = "}" })}", "lit": "$${x}"}', "t.tftpl")
    assert isinstance(node, Template)
    assert evaluate(node, Ctx(None, Files("."), "t.tftpl")) == '{"k": "{"a":"}"}", "lit": "${x}"}'


def test_template_without_interpolation_is_a_literal():
    assert isinstance(parse_template("plain text\n", "t.tftpl"), Lit)


def test_function_call_line_inside_heredoc_template():
    body = parse_body('x = 1\ny = <<EOT\nfirst\n${file("a.txt")}\nEOT\n', "f.tf")
    template = body.attributes["y"].expr
    call = next(p for p in template.parts if isinstance(p, Call))
    assert (call.name, call.line) == ("file", 4)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('resource "a" "b" {\n  x = = 1\n}\n', 2, "unexpected text at column 7"),
        ('locals {\n  a = 1\n', 3, "unexpected end of file"),
        ('x = "unterminated\n', 1, "unexpected end of file"),
        ('x = 1\ny = \n', 2, "a value is missing"),
        ('a = 1\na = 2\n', 2, "attribute 'a' is defined twice (first at line 1)"),
        ('x = <<EOT\nok\n%{ if }x%{ endif }\nEOT\n', 3, "%{if} without a condition"),
        ('x = <<EOT\n%{ if true }never closed\nEOT\n', 2, "%{if} without a matching %{endif}"),
        ('x = <<EOT\n\n${ }\nEOT\n', 3, "empty ${} interpolation"),
        ('x = <<EOT\n${unclosed\nEOT\n', 2, "unterminated template interpolation"),
        ('resource "a" "${b}" {\n}\n', 1, "block label must be a literal string"),
    ],
)
def test_syntax_errors_point_at_file_and_line(text, line, message):
    with pytest.raises(InputError) as info:
        parse_body(text, "dir/main.tf")
    assert info.value.where == f"dir/main.tf:{line}"
    assert message in info.value.message
    assert info.value.message.startswith("HCL syntax error: ")


def test_invalid_escape_is_a_syntax_error():
    with pytest.raises(HclSyntaxError, match=r"invalid escape sequence \\q"):
        parse_expression(r'"bad \q"', "t.tf")


def test_parser_is_built_once():
    assert lark_parser() is lark_parser()
