"""IAM: normalised policy documents and the resources that hold them.

A policy document can live in a JSON string (`aws_iam_policy.policy`, `assume_role_policy`,
inline policies) or in a `data.aws_iam_policy_document`; both normalise to the same
PolicyDocument, so rules match statements, never JSON.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field


from .base import Model, Resource, decode_json_attr

ADMIN_POLICY_ARNS = frozenset(
    {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        "arn:aws-cn:iam::aws:policy/AdministratorAccess",
    }
)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters, `?` one character, case-insensitive."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.I | re.S)


def wildcard_match(glob: str, value: str) -> bool:
    return _pattern(glob).fullmatch(value) is not None


class Statement(Model):
    sid: str | None = None
    effect: str = "Allow"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    # Principal type ("AWS", "Service", "Federated", "CanonicalUser", or "*") -> identifiers.
    principals: dict[str, tuple[str, ...]] | None = None
    not_principals: dict[str, tuple[str, ...]] | None = None
    # Condition operator -> condition key -> values.
    conditions: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    index: int = 0

    @property
    def is_allow(self) -> bool:
        return self.effect.lower() == "allow"

    def allows(self, action: str) -> bool:
        """An Allow statement that grants `action` (through wildcards or NotAction)."""
        if not self.is_allow:
            return False
        if self.actions:
            return any(wildcard_match(a, action) for a in self.actions)
        if self.not_actions:
            return not any(wildcard_match(a, action) for a in self.not_actions)
        return False

    @property
    def all_actions(self) -> bool:
        """Action `*` (or `*:*`)."""
        return any(a in ("*", "*:*") for a in self.actions)

    @property
    def any_resource(self) -> bool:
        """Resource `*`, or NotResource (everything but a list)."""
        return "*" in self.resources or (not self.resources and bool(self.not_resources))

    @property
    def any_principal(self) -> bool:
        """Principal `*` or `{"AWS": "*"}`."""
        p = self.principals or {}
        return "*" in p.get("*", ()) or "*" in p.get("AWS", ())

    def service_principals(self) -> tuple[str, ...]:
        return (self.principals or {}).get("Service", ())

    def has_condition_key(self, *keys: str) -> bool:
        wanted = {k.lower() for k in keys}
        return any(k.lower() in wanted for ops in self.conditions.values() for k in ops)

    def condition_values(self, key: str) -> tuple[str, ...]:
        out: list[str] = []
        for ops in self.conditions.values():
            for k, v in ops.items():
                if k.lower() == key.lower():
                    out.extend(v)
        return tuple(out)


def _principals(value: Any) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"*": (value,)} if value == "*" else {"AWS": (value,)}
    if isinstance(value, dict):
        return {str(k): _strings(v) for k, v in value.items()}
    return None


def _conditions(value: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(value, dict):
        return {}
    return {str(op): {str(k): _strings(v) for k, v in (keys or {}).items()} for op, keys in value.items() if isinstance(keys, dict)}


class PolicyDocument(Model):
    statements: tuple[Statement, ...] = ()

    @classmethod
    def parse(cls, doc: Any) -> "PolicyDocument | None":
        """A policy from its JSON object (IAM's grammar: single values or lists)."""
        if not isinstance(doc, dict):
            return None
        raw = doc.get("Statement")
        if isinstance(raw, dict):
            raw = [raw]
        statements = []
        for i, st in enumerate(raw if isinstance(raw, list) else ()):
            if not isinstance(st, dict):
                continue
            statements.append(
                Statement(
                    sid=st.get("Sid") if isinstance(st.get("Sid"), str) else None,
                    effect=str(st.get("Effect", "Allow")),
                    actions=_strings(st.get("Action")),
                    not_actions=_strings(st.get("NotAction")),
                    resources=_strings(st.get("Resource")),
                    not_resources=_strings(st.get("NotResource")),
                    principals=_principals(st.get("Principal")),
                    not_principals=_principals(st.get("NotPrincipal")),
                    conditions=_conditions(st.get("Condition")),
                    index=i,
                )
            )
        return cls(statements=tuple(statements))

    @classmethod
    def from_data_source(cls, values: dict) -> "PolicyDocument":
        """A policy from `data.aws_iam_policy_document` statement blocks (HCL names)."""
        statements = []
        for i, st in enumerate(values.get("statement") or ()):
            if not isinstance(st, dict):
                continue
            conditions: dict[str, dict[str, tuple[str, ...]]] = {}
            for c in st.get("condition") or ():
                if isinstance(c, dict) and c.get("test") and c.get("variable"):
                    conditions.setdefault(str(c["test"]), {})[str(c["variable"])] = _strings(c.get("values"))
            statements.append(
                Statement(
                    sid=st.get("sid") or None,
                    effect=st.get("effect") or "Allow",
                    actions=_strings(st.get("actions")),
                    not_actions=_strings(st.get("not_actions")),
                    resources=_strings(st.get("resources")),
                    not_resources=_strings(st.get("not_resources")),
                    principals=_block_principals(st.get("principals")),
                    not_principals=_block_principals(st.get("not_principals")),
                    conditions=conditions,
                    index=i,
                )
            )
        return cls(statements=tuple(statements))


def _block_principals(blocks: Any) -> dict[str, tuple[str, ...]] | None:
    if not blocks:
        return None
    out: dict[str, tuple[str, ...]] = {}
    for b in blocks:
        if isinstance(b, dict) and b.get("type"):
            out[str(b["type"])] = out.get(str(b["type"]), ()) + _strings(b.get("identifiers"))
    return out


def _to_document(value: Any) -> Any:
    if value is None or isinstance(value, PolicyDocument):
        return value
    if value == "":
        return None
    return PolicyDocument.parse(decode_json_attr(value, "policy"))


Document = Annotated[PolicyDocument | None, BeforeValidator(_to_document)]


class PolicyHolder(Resource):
    """A resource with a `policy` JSON attribute (unknown until apply when it is built
    from other resources; the inventory then resolves it through references)."""

    POLICY_ATTR: ClassVar[str] = "policy"
    policy: Document = None


class IamPolicy(PolicyHolder):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_policy",)
    name: str | None = None
    arn: str | None = None


class IamRolePolicy(PolicyHolder):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_role_policy",)
    role: str | None = None


class IamUserPolicy(PolicyHolder):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_user_policy", "aws_iam_group_policy")


class InlinePolicy(Model):
    name: str | None = None
    policy: Document = None


class IamRole(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_role",)
    name: str | None = None
    arn: str | None = None
    assume_role_policy: Document = None
    managed_policy_arns: tuple[str, ...] = ()
    inline_policy: tuple[InlinePolicy, ...] = ()


class IamRolePolicyAttachment(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_role_policy_attachment",)
    role: str | None = None
    policy_arn: str | None = None


class IamPolicyAttachment(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_policy_attachment",)
    roles: tuple[str, ...] = ()
    policy_arn: str | None = None


class PolicyDocumentData(Resource):
    """`data.aws_iam_policy_document`: its `json` when read during plan, else its blocks."""

    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_policy_document",)
    json_: Document = Field(None, alias="json")
    statement: tuple[dict, ...] = ()

    @property
    def document(self) -> PolicyDocument | None:
        if self.json_ is not None:
            return self.json_
        if self.statement and not self.has_unknown("statement"):
            return PolicyDocument.from_data_source({"statement": self.statement})
        return None
