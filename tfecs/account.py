"""Whole-configuration rules: a judgement on the configuration as a whole (an alert,
a scanner that is missing), not on one resource.

`ConfigurationRule.check` asks `judge(inv)` for one verdict about the configuration and
places it on each `aws_cloudtrail` of it (the account's audit baseline, where an absence
is fixed), or on the pseudo-address `account` when it has none. Their meta says
`scope="configuration"`: the gate then compares the fact, not where it sits (a trail
added or removed neither introduces nor fixes it), so a plan that deletes the last
matching event rule introduces the finding, and one that adds it lists it as fixed.

`AlertRule` is the shape of the EventBridge absence rules: an alert is present when an
enabled `aws_cloudwatch_event_rule` whose pattern matches every event of one of its
`FAMILIES` has at least one `aws_cloudwatch_event_target`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterator

from .inputs.raw import RawResource
from .model.base import Resource
from .model.events import EventRule, EventTarget, Family, Tri
from .model.inventory import Inventory
from .model.monitoring import Trail
from .rule import Finding, Rule

ACCOUNT = "account"  # the pseudo-address of a configuration-wide finding without a trail
API_CALL = "AWS API Call via CloudTrail"


class Account(Resource):
    """The configuration as a whole, where a finding lives when it has no trail."""


def account_subject(inv: Inventory) -> Account:
    where = next((r.tf.input for r in inv.resources), "")
    return Account(tf=RawResource(address=ACCOUNT, mode="managed", type=ACCOUNT, name=ACCOUNT, origin="configuration", input=where))


@dataclass(frozen=True, slots=True)
class Verdict:
    """`status`: True fine, False fail, None unknown until apply; `message` for a finding
    and `blame` the resource (with its path) whose unknown value left it open."""

    status: Tri
    message: str = ""
    blame: tuple[Resource, tuple] | None = None


class ConfigurationRule(Rule):
    def judge(self, inv: Inventory) -> Verdict:
        raise NotImplementedError

    def check(self, inv: Inventory) -> Iterator[Finding]:
        verdict = self.judge(inv)
        if verdict.status is True:
            return
        trails = [t for t in inv.of(Trail)]
        subjects: list[Resource] = list(trails) or [account_subject(inv)]
        for subject in subjects:
            if verdict.status is None:
                yield self.unknown(subject, (), verdict.message)
            else:
                yield self.fail(subject, (), verdict.message)


class AlertRule(ConfigurationRule):
    FAMILIES: ClassVar[tuple[Family, ...]] = ()
    WHAT: ClassVar[str] = ""  # "root-user activity": what the alert is about

    def extra(self, inv: Inventory) -> Verdict | None:
        """Another way the alert may be present (a metric filter with an alarm)."""
        return None

    def judge(self, inv: Inventory) -> Verdict:
        state = alert_present(inv, self.FAMILIES)
        if state.status is not True:
            other = self.extra(inv)
            if other is not None and (other.status is True or (other.status is None and state.status is False)):
                state = other
        if state.status is True:
            return state
        if state.status is None:
            return Verdict(None, f"whether an alert on {self.WHAT} exists is known only after apply ({state.message})")
        return Verdict(False, f"no EventBridge rule with a target alerts on {self.WHAT}{state.message}")


def alert_present(inv: Inventory, families: tuple[Family, ...]) -> Verdict:
    """An enabled event rule matching every event of one of the families, with a target."""
    pending: list[str] = []
    near: list[str] = []
    for rule in inv.of(EventRule):
        if rule.pattern is None:
            continue
        covers: Tri = False
        for fam in families:
            c = rule.pattern.covers(fam)
            if c is True:
                covers = True
                break
            if c is None:
                covers = None
        if covers is False:
            continue
        enabled = rule.enabled
        if enabled is False:
            near.append(f"{rule.address} is disabled")
            continue
        bus = rule.on_default_bus
        if bus is False:
            near.append(f"{rule.address} is on a custom event bus, which AWS events never reach")
            continue
        targets = inv.referrers(rule, EventTarget, "rule")
        has_target: Tri = True if targets else False
        if not targets and _dangling_targets(inv):
            has_target = None
        if has_target is False:
            near.append(f"{rule.address} has no target")
            continue
        if covers is True and enabled is True and bus is True and has_target is True:
            return Verdict(True)
        what = "event_pattern" if covers is None else "state" if enabled is None else "event_bus_name" if bus is None else "target rule"
        pending.append(f"{rule.address}.{what}")
    if pending:
        return Verdict(None, ", ".join(pending[:3]))
    return Verdict(False, f" ({'; '.join(near[:3])})" if near else "")


def _dangling_targets(inv: Inventory) -> bool:
    """A target whose rule is known only after apply and links to no rule: it may be any."""
    return any(t.is_unknown("rule") and not inv.linked(t, "rule", EventRule) for t in inv.of(EventTarget))
