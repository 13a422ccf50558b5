"""Address splitting: the regex fast path gives what the character loop gives, on the
addresses Terraform writes and on anything else."""

from __future__ import annotations

import random

import pytest

from tfecs.inputs.raw import config_address, module_instance_of, split_address, split_by_characters, split_segments


def _reference_segments(text: str) -> list[str]:
    """split_segments without its fast path: the character loop."""
    return text.split(".") if "[" not in text else split_by_characters(text)


def _reference_steps(address: str) -> list[str]:
    segments = _reference_segments(address)
    steps, i = [], 0
    while i < len(segments):
        width = 3 if segments[i] == "data" else 2
        steps.append(".".join(segments[i : i + width]))
        i += width
    return steps


def _reference_module(address: str) -> str:
    mods = []
    for step in _reference_steps(address):
        if not step.startswith("module."):
            break
        mods.append(step)
    return ".".join(mods)


@pytest.mark.parametrize(
    "address, segments, module",
    [
        ('module.svc["a.b"].aws_iam_role.task[0]', ["module", 'svc["a.b"]', "aws_iam_role", "task[0]"], 'module.svc["a.b"]'),
        ('module.a["x"].module.b[1].data.aws_iam_policy_document.d', ["module", 'a["x"]', "module", "b[1]", "data", "aws_iam_policy_document", "d"], 'module.a["x"].module.b[1]'),
        ('aws_s3_bucket.b["k]\\"."]', ["aws_s3_bucket", 'b["k]\\"."]'], ""),
        ("aws_x.y[1.5].arn", ["aws_x", "y[1.5]", "arn"], ""),
        ("module.m[0]", ["module", "m[0]"], "module.m[0]"),
        ("module", ["module"], ""),
        ('a"b.c"d.e[0]', ['a"b.c"d', "e[0]"], ""),
        ("a]b.c[0]", ["a]b.c[0]"], ""),
        ("a]b.c", ["a]b", "c"], ""),
    ],
)
def test_known_shapes(address, segments, module):
    assert split_segments(address) == segments == _reference_segments(address)
    assert module_instance_of(address) == module == _reference_module(address)


def test_random_traversals_split_like_the_character_loop():
    rng = random.Random(11)
    alphabet = ['a', 'b', '.', '.', '[', ']', '"', '\\', '0', '\n', 'module.', 'data.', '["k"]', '[0]']
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert split_segments(text) == _reference_segments(text), text
        assert module_instance_of(text) == _reference_module(text), text
        assert split_address(text) == _reference_steps(text), text


def test_config_address_removes_instance_keys():
    assert config_address('module.a["x.y"].aws_t.n[0]') == "module.a.aws_t.n"
