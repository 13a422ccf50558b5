"""The plan reader takes a resource change as Terraform writes it at a few type checks
(`_well_formed_change`) and checks anything else step by step (`_checked_change`): the
quick path may only ever accept what the checked path accepts, and read it the same."""

from __future__ import annotations

import itertools
import random

import pytest

from tfecs.errors import InputError
from tfecs.inputs.plan import _checked_change, _well_formed_change

ADDRESSES = ["aws_x.y", 'module.m["k"].aws_x.y[0]', "data.aws_x.y", "module.data.aws_x.y", "aws_x", "module.x", 7, None]
TYPES = ["aws_x", "aws_z", None, 3]
ACTIONS = [["create"], ["no-op"], ["delete"], ["delete", "create"], ["create", "delete"], ["read"], ["update"], ["forget"],
           [], ["create", "create"], ["explode"], [1], "create", None, ["update", "delete", "create"]]
VALUES = [None, {}, {"a": 1}, [], "x"]
EXTRA = [{}, {"mode": "managed"}, {"mode": "data"}, {"mode": None}, {"name": "y"}, {"name": "z"}, {"module_address": ""},
         {"module_address": 'module.m["k"]'}, {"deposed": "abc"}, {"deposed": None}]


def checked(rc):
    try:
        return ("ok", _checked_change(rc, "plan.json", "resource_changes[0]"))
    except InputError as exc:
        return ("error", exc.message)


def cases():
    for address, rtype, actions, after, before, extra in itertools.product(ADDRESSES, TYPES, ACTIONS, VALUES, VALUES[:3], EXTRA):
        change = {"actions": actions, "after": after, "before": before, "after_unknown": {"a": True}, "after_sensitive": False}
        yield {"address": address, "type": rtype, "change": change, **extra}


def test_the_quick_path_accepts_only_what_the_checked_path_accepts_and_reads_it_alike():
    accepted = 0
    for rc in cases():
        fast = _well_formed_change(rc)
        if fast is not None:
            accepted += 1
            assert checked(rc) == ("ok", fast), rc
    assert accepted > 500  # the quick path is the common one


@pytest.mark.parametrize("rc", [[], "x", None, {"address": "aws_x.y", "type": "aws_x", "change": []}])
def test_anything_else_goes_to_the_checked_path(rc):
    assert _well_formed_change(rc) is None


def test_random_changes_agree():
    rng = random.Random(16)
    pool = list(cases())
    for _ in range(2000):
        rc = dict(rng.choice(pool))
        rc["change"] = dict(rc["change"], actions=rng.choice(ACTIONS), after=rng.choice(VALUES))
        fast = _well_formed_change(rc)
        if fast is not None:
            assert checked(rc) == ("ok", fast), rc
