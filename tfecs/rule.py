"""What a rule is: its metadata in one place, and the helpers that turn a judgement into
a Finding, so no rule repeats its id, title, severity or controls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Iterator, Mapping

from .model.base import Path, format_path
from .model.ecs import ContainerDefinition, TaskDefinition
from .model.inventory import remembered

if TYPE_CHECKING:
    from .model.base import Resource
    from .model.inventory import Inventory

# A finding's `docs` link: `docs/rules/<id>.md` under `docs_base_url`. The default, the
# repository path, resolves in a checkout of tfecs and on whatever host serves it; set
# a URL (TFECS_DOCS_BASE_URL, or set_docs_base_url) to get absolute links.
DOCS_DIR = "docs/rules"
_docs_base_url: str | None = None


def set_docs_base_url(url: str | None) -> None:
    global _docs_base_url
    _docs_base_url = url


def docs_link(rule_id: str) -> str:
    import os

    base = _docs_base_url if _docs_base_url is not None else os.environ.get("TFECS_DOCS_BASE_URL", "")
    page = f"{DOCS_DIR}/{rule_id}.md"
    return f"{base.rstrip('/')}/{page}" if base else page

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


class Severity(str, Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: "Severity") -> bool:  # type: ignore[override]
        return self.rank >= other.rank

    def __lt__(self, other: "Severity") -> bool:  # type: ignore[override]
        return self.rank < other.rank


_RANK = {s: i for i, s in enumerate(Severity)}

PRACTICES = {
    1: "IAM",
    2: "network",
    3: "secrets",
    4: "task & runtime",
    5: "logging & monitoring",
    6: "compliance",
}


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    title: str
    severity: Severity
    practice: int
    controls: tuple[str, ...]
    resource_types: tuple[str, ...]
    remediation: str  # the imperative one-line fix used when a finding gives none
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    docs: str | None = None  # a link to the docs, for rules outside tfecs (custom rules)
    # A rule of a profile (e.g. "account") runs only when that profile is asked for.
    profile: str | None = None
    # "configuration": the rule judges the configuration as a whole (an absence), so its
    # findings are one fact wherever they are placed (see Finding.key).
    scope: str = "resource"

    @property
    def docs_url(self) -> str:
        return self.docs or docs_link(self.id)

    @property
    def practice_name(self) -> str:
        return PRACTICES[self.practice]


class Status(str, Enum):
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class Finding:
    """A judgement on one resource value. The gate fills in delta/blocking/suppressed."""

    meta: RuleMeta
    status: Status
    address: str
    resource_type: str
    message: str
    path: Path = ()
    remediation: str = ""
    container: str | None = None
    severity: Severity | None = None  # a rule may raise or lower its default per finding
    confidence: str = "high"
    file: str | None = None
    line: int | None = None
    action: str | None = None
    delta: str | None = None
    blocking: bool = False
    suppressed: dict | None = None
    input: str = ""

    @property
    def rule(self) -> str:
        return self.meta.id

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.meta.severity

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    @property
    def key(self) -> tuple:
        """Identity across before/after: containers by name, since a replacement may
        reorder them."""
        if self.meta.scope == "configuration":
            # One fact about the whole configuration, whichever trail (or the pseudo-address
            # `account`) carries it: a trail added or removed neither introduces nor fixes it.
            return (self.meta.id, "<configuration>", tuple(self.path))
        path: list = list(self.path)
        if self.container is not None and len(path) >= 2 and path[0] == "container_definitions":
            path[1] = self.container
        return (self.meta.id, self.address, tuple(path))


@dataclass(frozen=True, slots=True)
class RuleOption:
    """A setting a rule accepts from `.tfecs.hcl` (`rule "<id>" { <name> = … }`)."""

    name: str
    kind: str  # "str" | "int" | "bool" | "list[str]" | "list[int]"
    default: object  # what applies when unset (shown in `tfecs explain`)
    help: str
    choices: tuple = ()  # allowed values of a "str" option (or of each list item)
    minimum: int | None = None  # for "int" and "list[int]"
    maximum: int | None = None

    def check(self, value: object) -> object:
        """The value if it has this option's type, else ValueError saying what was expected."""
        if self.kind.startswith("list["):
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{self.name} must be a list of {self.kind[5:-1]}")
            return tuple(self._scalar(v, self.kind[5:-1]) for v in value)
        return self._scalar(value, self.kind)

    def _scalar(self, value: object, kind: str) -> object:
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }[kind]
        if not ok:
            raise ValueError(f"{self.name} must be {'a list of ' + kind if self.kind.startswith('list') else 'a ' + kind}, not {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.name}: {value!r} is not one of {', '.join(map(str, self.choices))}")
        if kind == "int" and ((self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum)):  # type: ignore[operator]
            raise ValueError(f"{self.name}: {value} is outside {self.minimum}..{self.maximum}")
        return value


class Rule:
    """A rule: metadata in `meta`, docs in the class docstring (fixed headings), and a
    stateless `check(inventory)` that yields findings made with `fail()`/`unknown()`.

    `OPTIONS` declares the settings a repository may give it; an instance is built with
    the validated values (`Rule(options={...}, severity=...)`) and never changes them."""

    meta: ClassVar[RuleMeta]
    OPTIONS: ClassVar[tuple[RuleOption, ...]] = ()
    options: Mapping[str, object] = MappingProxyType({})
    severity_override: Severity | None = None

    def __init__(self, options: Mapping[str, object] | None = None, severity: Severity | None = None):
        if options:
            self.options = MappingProxyType(self.validate_options(options))
        self.severity_override = severity

    @classmethod
    def validate_options(cls, raw: Mapping[str, object]) -> dict[str, object]:
        """The options checked against `OPTIONS`; ValueError names the first bad one."""
        declared = {o.name: o for o in cls.OPTIONS}
        out: dict[str, object] = {}
        for name, value in raw.items():
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                raise ValueError(f"rule {cls.meta.id} has no option {name!r} (options: {known})")
            out[name] = declared[name].check(value)
        return out

    def option(self, name: str, fallback: object = None) -> object:
        """A configured option, else `fallback` (the rule's own default)."""
        return self.options.get(name, fallback)

    def check(self, inv: "Inventory") -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def docs(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    def _finding(self, status: Status, resource: "Resource", path: Path, message: str, fix: str | None, **kw) -> Finding:
        attr = path[0] if path and isinstance(path[0], str) else None
        loc = resource.tf.location
        if self.severity_override is not None:
            kw["severity"] = self.severity_override
        return Finding(
            meta=self.meta,
            status=status,
            address=resource.address,
            resource_type=resource.type,
            message=message,
            path=tuple(path),
            remediation=fix or self.meta.remediation,
            file=loc.file if loc else None,
            line=loc.line_of(attr) if loc else None,
            action=_action_label(resource.actions),
            input=resource.tf.input,
            **kw,
        )

    def fail(self, resource: "Resource", path: Path, message: str, *, fix: str | None = None, **kw) -> Finding:
        return self._finding(Status.FAIL, resource, path, message, fix, **kw)

    def unknown(self, resource: "Resource", path: Path, message: str | None = None, *, fix: str | None = None, **kw) -> Finding:
        """The value this rule needs is known only after apply: never a silent pass."""
        text = message or f"{format_path(path)} is known only after apply, so {self.meta.title} cannot be ruled out"
        kw.setdefault("confidence", "low")
        return self._finding(Status.UNKNOWN, resource, path, text, fix, **kw)


def _action_label(actions: tuple[str, ...]) -> str | None:
    if not actions:
        return None
    if len(actions) == 2 and set(actions) == {"delete", "create"}:
        return "replace"
    return actions[0] if len(actions) == 1 else "-".join(actions)


def validate_rules(rules: list[type[Rule]]) -> None:
    """A broken catalogue fails fast: unique kebab-case ids, documented, well-formed."""
    seen: set[str] = set()
    for rule in rules:
        meta = getattr(rule, "meta", None)
        if not isinstance(meta, RuleMeta):
            raise ValueError(f"{rule.__name__}: no RuleMeta")
        for ident in (meta.id, *meta.aliases):
            if not RULE_ID.match(ident):
                raise ValueError(f"{rule.__name__}: rule id {ident!r} is not kebab-case")
            if ident in seen:
                raise ValueError(f"duplicate rule id {ident!r}")
            seen.add(ident)
        docs = rule.docs()
        missing = [h for h in DOC_HEADINGS if f"## {h}" not in docs]
        if missing:
            raise ValueError(f"{meta.id}: docs lack {', '.join(missing)}")


@dataclass(slots=True)
class RuleError:
    rule: str
    message: str


PERMISSION_POLICY_TYPES = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
    "data.aws_iam_policy_document",
)


class StatementRule(Rule):
    """A rule over every statement of every permissions policy, wherever the policy lives
    (see Inventory.permission_documents). Subclasses implement `judge(statement)`: what the
    statement allows that it should not, as a message fragment, or None. An unknown
    policy gives one unknown finding, and so does each statement whose Effect, Action or
    other deciding part is known only after apply (DocumentRef.unknowns; one unknown only
    in its Resource, Principal or Condition that `judge` passes even at its most
    permissive cannot fail): `judge` sees known statements and those readings only."""

    def judge(self, statement) -> str | None:
        raise NotImplementedError

    def check(self, inv: "Inventory") -> Iterator[Finding]:
        # The findings depend on the document and where it was found alone: one the two
        # sides of a change share (an unchanged policy) is judged once for both.
        for ref in inv.permission_documents():
            key = (id(self), id(ref.resource), id(ref.document), ref.path, ref.unknown, ref.source)
            yield from remembered(inv.judged, key, (self, ref.resource, ref.document), lambda: tuple(self._judge_document(ref)))

    def _judge_document(self, ref) -> Iterator[Finding]:
        for path in ref.unknowns(self.judge):
            yield self.unknown(ref.resource, path)
        for st in ref.statements:
            what = self.judge(st)
            if what:
                yield self.fail(ref.resource, ref.statement_path(st), f"{ref.label(st)} {what}")


class ContainerRule(Rule):
    """A rule over every container of every task definition. A container list known only
    after apply gives one unknown finding on `container_definitions` (no container can
    be judged); otherwise `judge_task(td)` runs, which by default yields `judge(td, c)`
    for each container. `LINUX_ONLY` skips Windows task definitions, where ECS does not
    support the setting judged."""

    LINUX_ONLY: ClassVar[bool] = False

    def check(self, inv: "Inventory") -> Iterator[Finding]:
        # A container's findings depend on its task definition alone: one the change
        # leaves as it was is the same object on both sides (Inventory.build's reuse),
        # and is judged once for both.
        for td in inv.of(TaskDefinition):
            if self.LINUX_ONLY and td.is_windows:
                continue
            if td.containers_unknown:
                yield self.unknown(td, ("container_definitions",))
                continue
            yield from remembered(inv.judged, (id(self), id(td)), (self, td), lambda: tuple(self.judge_task(td)))

    def judge_task(self, td: TaskDefinition) -> Iterator[Finding]:
        for c in td.containers:
            yield from self.judge(td, c)

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        raise NotImplementedError
