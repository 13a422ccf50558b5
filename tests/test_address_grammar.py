"""parse_address is one possessive regex; this is the step-by-step reading of
Terraform's address grammar it replaced (kept as the oracle): the two agree on every
string made of the grammar's pieces up to four long, and on random longer ones."""

import itertools
import random
import re

from tfecs.inputs.raw import ResourceAddress, parse_address

_NAME = re.compile(r"[\w-]+")
_INDEX = re.compile(r'\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]', re.S)

PIECES = ["module", ".", "data", "aws_x", "y", "[0]", '["a.b"]', '["q\\"x"]', "[", "]", "-", "_", "x1", '"', "\\", "é", "\n", "[01]", "module.", "data."]


def by_steps(address: str) -> ResourceAddress | None:
    """`module.a["x"].data.aws_t.n[0]` by Terraform's grammar:
    (`module.` NAME [key])* [`data.`] TYPE `.` NAME [key], a key being a number or a
    quoted string with backslash escapes. None for anything else."""
    pos, end = 0, len(address)
    module_end = 0

    def name_at(p: int) -> int:
        m = _NAME.match(address, p)
        return m.end() if m else -1

    def key_at(p: int) -> int:
        if p < end and address[p] == "[":
            m = _INDEX.match(address, p)
            return m.end() if m else -1
        return p

    while address.startswith("module.", pos):
        stop = name_at(pos + 7)
        if stop < 0:
            return None
        stop = key_at(stop)
        if stop < 0 or stop >= end or address[stop] != ".":
            return None
        module_end, pos = stop, stop + 1
    mode = "managed"
    if address.startswith("data.", pos):
        mode, pos = "data", pos + 5
    type_end = name_at(pos)
    if type_end < 0 or type_end >= end or address[type_end] != ".":
        return None
    name_end = name_at(type_end + 1)
    if name_end < 0:
        return None
    stop = key_at(name_end)
    if stop != end:
        return None
    key = address[name_end + 1 : stop - 1] if stop > name_end else None
    return ResourceAddress(address[:module_end], mode, address[pos:type_end], address[type_end + 1 : name_end], key)


def test_known_addresses():
    assert parse_address('module.a["x"].module.b.data.aws_t.n[0]') == ResourceAddress('module.a["x"].module.b', "data", "aws_t", "n", "0")
    assert parse_address("module.data.aws_x.y") == ResourceAddress("module.data", "managed", "aws_x", "y", None)
    assert parse_address('aws_x.y["k.data.z"]') == ResourceAddress("", "managed", "aws_x", "y", '"k.data.z"')
    # `module.` and `data.` where a step may start are keywords, never a type's name.
    assert parse_address("module.x") is None
    assert parse_address("data.x") is None
    assert parse_address("module.a.module.b.c") is None


def test_agrees_with_the_step_by_step_reading():
    for n in range(1, 5):
        for combo in itertools.product(PIECES, repeat=n):
            text = "".join(combo)
            assert parse_address(text) == by_steps(text), text
    rng = random.Random(16)
    for _ in range(50000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(5, 9)))
        assert parse_address(text) == by_steps(text), text
