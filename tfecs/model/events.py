"""EventBridge: rules with their decoded `event_pattern`, targets, and the matching the
account rules need ("does this pattern match every event of that kind?").

A pattern is matched the way EventBridge matches it: each field of the pattern is a list
of alternatives (any one matching is enough), every field must match (nested objects
step into the event), and an alternative is a literal (exact match), or an object:
`prefix`, `suffix`, `anything-but` (a value, a list, or a `prefix`/`suffix`),
`equals-ignore-case`, `wildcard`, `exists`, `numeric`, `cidr`; `$or` lists patterns of
which one must match. Parts known only after apply (a partly known `jsonencode(...)` from
HCL mode, or a whole `event_pattern` computed at apply) make the answer None: unknown,
never a pass.

The account rules ask whether a pattern matches *every* event of a family (`Family`):
the pattern may constrain only the fields the family fixes (and must accept the fixed
value) or leaves open over a known domain (and must accept at least one value of it, as
for `source` of CloudTrail API calls: "every event of the sources named"); a condition on
any other field narrows the family, so the pattern does not match all of it.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..inputs.raw import RawResource, Tree
from .base import JsonDecodeError, Model, Resource, decode_json_attr, subtree

Tri = bool | None  # True, False, or None: not known until apply


def _any(results) -> Tri:
    seen_unknown = False
    for r in results:
        if r is True:
            return True
        if r is None:
            seen_unknown = True
    return None if seen_unknown else False


def _all(results) -> Tri:
    seen_unknown = False
    for r in results:
        if r is False:
            return False
        if r is None:
            seen_unknown = True
    return None if seen_unknown else True


@dataclass(frozen=True)
class Open:
    """A field a family leaves open: any of `values`, or any value starting with `prefix`."""

    values: tuple[str, ...] = ()
    prefix: str | None = None

    def samples(self, extra: tuple[str, ...]) -> tuple[str, ...]:
        """Values of the domain to try: its own, and those the pattern names that belong to it."""
        named = tuple(v for v in extra if self.prefix is not None and v.startswith(self.prefix))
        return self.values + named + ((self.prefix + "x-any",) if self.prefix is not None else ())


@dataclass(frozen=True)
class Family:
    """A kind of event: fields it fixes (dotted path -> value) and fields it leaves open."""

    label: str
    fixed: dict[str, str | None]  # None: the field is absent from these events
    open: dict[str, Open] = field(default_factory=dict)


@dataclass(frozen=True)
class EventPattern:
    """A decoded event pattern and the tree (same shape) of its parts unknown until apply."""

    doc: Any
    unknown: Tree = False

    def covers(self, family: Family) -> Tri:
        """Every event of the family matches this pattern (None: unknown until apply)."""
        if self.unknown is True:
            return None
        return _covers(self.doc, self.unknown, family, "")


MAX_DEPTH = 32  # EventBridge itself refuses patterns nested deeper than a few levels


def _covers(pattern: Any, unknown: Tree, family: Family, prefix: str, depth: int = 0) -> Tri:
    if unknown is True:
        return None
    if not isinstance(pattern, dict) or depth > MAX_DEPTH:
        return False  # EventBridge refuses such a pattern: it matches nothing
    results: list[Tri] = []
    for key, cond in pattern.items():
        tree = subtree(unknown, key)
        if key == "$or" and isinstance(cond, list):
            results.append(_any(_covers(p, subtree(tree, i), family, prefix, depth + 1) for i, p in enumerate(cond)))
            continue
        path = f"{prefix}{key}"
        if tree is True:
            results.append(None)
        elif isinstance(cond, dict):
            inside = path + "."
            if any(f.startswith(inside) for f in (*family.fixed, *family.open)):
                results.append(_covers(cond, tree, family, inside, depth + 1))
            else:
                results.append(False)  # a condition below a field the family leaves free narrows it
        elif isinstance(cond, list):
            results.append(_field(path, cond, tree, family))
        else:
            results.append(False)  # a bare value is not a valid pattern field
        if results[-1] is False:
            return False
    return _all(results)


def _field(path: str, cond: list, tree: Tree, family: Family) -> Tri:
    if path in family.fixed:
        value = family.fixed[path]  # None: absent, which only `exists: false` accepts
        return _any(None if subtree(tree, i) is True else _accepts(c, value) for i, c in enumerate(cond))
    if path in family.open:
        dom = family.open[path]
        named = tuple(c for c in cond if isinstance(c, str))
        samples = dom.samples(named)
        # A known literal of the domain accepts itself: enough, and it spares trying every
        # alternative against every named value (quadratic: a plan with thousands of
        # alternatives in one field held the scan for minutes).
        in_domain = set(samples)
        if any(isinstance(c, str) and c in in_domain and subtree(tree, i) is not True for i, c in enumerate(cond)):
            return True
        return _any(None if subtree(tree, i) is True else _any(_accepts(c, v) for v in samples) for i, c in enumerate(cond))
    # The family does not fix this field: a condition on it narrows the family, unless it
    # accepts every value (`exists: true` does not: some events may lack the field).
    return False


def matches(pattern: Any, event: dict, depth: int = 0) -> Tri:
    """Does one concrete event match the pattern (for tests and single events)."""
    if not isinstance(pattern, dict) or depth > MAX_DEPTH:
        return False
    results: list[Tri] = []
    for key, cond in pattern.items():
        if key == "$or" and isinstance(cond, list):
            results.append(_any(matches(p, event, depth + 1) for p in cond))
            continue
        value = event.get(key) if isinstance(event, dict) else None
        if isinstance(cond, dict):
            results.append(matches(cond, value, depth + 1) if isinstance(value, dict) else False)
        elif isinstance(cond, list):
            values = value if isinstance(value, list) else [value]
            if value is None:
                results.append(_any(_accepts(c, None) for c in cond))
            else:
                results.append(_any(_accepts(c, v) for c in cond for v in values))
        else:
            results.append(False)
    return _all(results)


def _accepts(cond: Any, value: Any) -> Tri:
    """One alternative of a pattern field against one event value (None: field absent)."""
    if not isinstance(cond, dict):
        return value is not None and cond == value and type(cond) is type(value)
    if len(cond) != 1:
        return False
    (op, arg), = cond.items()
    if op == "exists":
        return (value is not None) is bool(arg)
    if value is None:
        return False  # every other operator needs the field to be there
    text = value if isinstance(value, str) else None
    if op == "prefix":
        if isinstance(arg, dict) and "equals-ignore-case" in arg:
            return text is not None and isinstance(arg["equals-ignore-case"], str) and text.lower().startswith(arg["equals-ignore-case"].lower())
        return text is not None and isinstance(arg, str) and text.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict) and "equals-ignore-case" in arg:
            return text is not None and isinstance(arg["equals-ignore-case"], str) and text.lower().endswith(arg["equals-ignore-case"].lower())
        return text is not None and isinstance(arg, str) and text.endswith(arg)
    if op == "equals-ignore-case":
        return text is not None and isinstance(arg, str) and text.lower() == arg.lower()
    if op == "wildcard":
        return text is not None and isinstance(arg, str) and fnmatch.fnmatchcase(text, arg.replace("[", "[[]"))
    if op == "anything-but":
        if isinstance(arg, dict):
            inner = _accepts(arg, value)
            return None if inner is None else not inner
        excluded = arg if isinstance(arg, list) else [arg]
        return all(not (e == value and type(e) is type(value)) for e in excluded)
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        try:
            return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(arg), strict=False)
        except ValueError:
            return False
    return False


def _numeric(arg: Any, value: Any) -> bool:
    if not isinstance(arg, list) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}
    for i in range(0, len(arg) - 1, 2):
        op, bound = arg[i], arg[i + 1]
        if op not in ops or isinstance(bound, bool) or not isinstance(bound, (int, float)) or not ops[op](value, bound):
            return False
    return True


class EventRule(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_cloudwatch_event_rule",)
    name: str | None = None
    arn: str | None = None
    state: str | None = None
    is_enabled: bool | None = None
    schedule_expression: str | None = None
    event_bus_name: str | None = None
    pattern: EventPattern | None = None  # from `event_pattern`; None: no pattern

    @classmethod
    def build(cls, raw: RawResource, values: dict | None = None) -> "EventRule":
        """Decodes `event_pattern` first (outside validation, so bad JSON is this
        resource's error in plain words): a JSON string, or a reader's decoded value with
        its unknown tree (HCL mode), or unknown as a whole."""
        values = dict(raw.after if values is None else values or {})
        tree = subtree(raw.after_unknown, "event_pattern")
        value = values.pop("event_pattern", None)
        if tree is True:
            values["pattern"] = EventPattern(None, True)
        elif value not in (None, ""):
            doc = decode_json_attr(value, "event_pattern")
            if not isinstance(doc, dict):
                raise JsonDecodeError("event_pattern is not a JSON object")
            values["pattern"] = EventPattern(doc, tree if isinstance(value, (dict, list)) else False)
        return cls.model_validate({**values, "tf": raw})

    @property
    def enabled(self) -> Tri:
        """ENABLED (provider 5's `state`, or the older `is_enabled`); None: unknown."""
        if self.is_unknown("state") or (self.state is None and self.is_unknown("is_enabled")):
            return None
        if self.state is not None:
            return self.state.upper() in ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        return self.is_enabled is not False


    @property
    def on_default_bus(self) -> Tri:
        """AWS services (and CloudTrail) send their events to the default bus only: a
        rule on a custom bus never sees them. None: the bus is known only after apply."""
        if self.is_unknown("event_bus_name"):
            return None
        bus = self.event_bus_name or "default"
        return bus == "default" or (bus.startswith("arn:") and bus.endswith(":event-bus/default"))


class EventTarget(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_cloudwatch_event_target",)
    rule: str | None = None
    arn: str | None = None


class MetricTransformation(Model):
    name: str | None = None
    namespace: str | None = None


class LogMetricFilter(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_cloudwatch_log_metric_filter",)
    name: str | None = None
    pattern: str | None = None
    # Typed blocks: a value of the wrong type is the resource's error, never a crash.
    metric_transformation: tuple[MetricTransformation, ...] = ()

    def metrics(self) -> set[tuple[str | None, str | None]]:
        return {(m.name, m.namespace) for m in self.metric_transformation}


class MetricStat(Model):
    metric_name: str | None = None
    namespace: str | None = None


class MetricQuery(Model):
    metric: tuple[MetricStat, ...] = ()


class MetricAlarm(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_cloudwatch_metric_alarm",)
    alarm_name: str | None = None
    metric_name: str | None = None
    namespace: str | None = None
    metric_query: tuple[MetricQuery, ...] = ()

    def metrics(self) -> set[tuple[str | None, str | None]]:
        out = {(self.metric_name, self.namespace)}
        for q in self.metric_query:
            for m in q.metric:
                out.add((m.metric_name, m.namespace))
        return out


class InspectorEnabler(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_inspector2_enabler",)
    resource_types: tuple[str | None, ...] = ()
    account_ids: tuple[str | None, ...] = ()
