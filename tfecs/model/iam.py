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


from ..inputs.raw import Tree
from .base import Model, Resource, decode_json_attr, subtree, tree_any

ADMIN_POLICY_ARNS = frozenset(
    {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        "arn:aws-cn:iam::aws:policy/AdministratorAccess",
    }
)


# The actions that let a principal assume a role (what a trust policy grants).
ASSUME_ROLE_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")

# Stands for one element of a Resource, Principal or Condition-value list that Terraform
# computes at apply (an ARN or id of a resource in the same change). Such a value is one
# specific resource, never the wildcard `*`: a wildcard is a literal, and literals are
# known at plan time. Never equal to anything a rule looks for.
COMPUTED = "(known after apply)"


def role_name(value: str) -> str:
    """The role name an ECS `*_role_arn` value names: ECS takes a full role ARN
    (`arn:aws:iam::123456789012:role/path/name`) or just the role name."""
    if ":role/" in value:
        return value.rsplit("/", 1)[-1]
    return value


def same_role_ref(a: str, b: str) -> bool:
    """Two literal role references that name the same role. IAM role names are unique
    case-insensitively within an account, and a task role is always in the task's account."""
    if a.startswith("arn:") and b.startswith("arn:"):
        return a.lower() == b.lower()
    return role_name(a).lower() == role_name(b).lower()


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*+", re.I)


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

    @property
    def grants_admin(self) -> bool:
        """iam-admin-policy's test: Allow every action (`*`, `*:*`) or everything but a
        list (NotAction) on every resource."""
        if not (self.is_allow and self.any_resource):
            return False
        return self.all_actions or (bool(self.not_actions) and not self.actions)

    @property
    def service_wildcards(self) -> tuple[str, ...]:
        """The Action elements of an Allow that grant a whole service, like `s3:*`
        (not `*` or `*:*`, which grant every service)."""
        if not self.is_allow:
            return ()
        return tuple(a for a in self.actions if _SERVICE_WILDCARD.fullmatch(a))

    @property
    def allows_assume(self) -> bool:
        """Grants assuming the role (in a trust policy)."""
        return any(self.allows(a) for a in ASSUME_ROLE_ACTIONS)

    def trusts_service(self, service: str) -> bool:
        """Names the service principal (compared case-insensitively)."""
        return any(s.lower() == service.lower() for s in self.service_principals())

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
    def from_data_source(cls, values: dict, unknown: Tree = False) -> "PolicyDocument | None":
        """A policy from `data.aws_iam_policy_document` statement blocks (HCL names).

        `unknown` is the data source's after_unknown tree: its `json` is not known at plan
        time when a block refers to a resource in the same change, but the blocks are. An
        element computed at apply in a resource, principal or condition-value list reads
        as COMPUTED; any other unknown part (an action, the effect, a condition key, a
        whole list) leaves the document unknown (None)."""
        statements = []
        blocks = values.get("statement") or ()
        if subtree(unknown, "statement") is True:
            return None
        for i, st in enumerate(blocks):
            if not isinstance(st, dict):
                continue
            unk = subtree(subtree(unknown, "statement"), i)
            if any(tree_any(subtree(unk, k)) for k in ("effect", "actions", "not_actions")):
                return None
            try:
                resources = _computed_strings(st.get("resources"), subtree(unk, "resources"))
                not_resources = _computed_strings(st.get("not_resources"), subtree(unk, "not_resources"))
                principals = _block_principals(st.get("principals"), subtree(unk, "principals"))
                not_principals = _block_principals(st.get("not_principals"), subtree(unk, "not_principals"))
                conditions = _block_conditions(st.get("condition"), subtree(unk, "condition"))
            except _Unknown:
                return None
            statements.append(
                Statement(
                    sid=st.get("sid") or None,
                    effect=st.get("effect") or "Allow",
                    actions=_strings(st.get("actions")),
                    not_actions=_strings(st.get("not_actions")),
                    resources=resources,
                    not_resources=not_resources,
                    principals=principals,
                    not_principals=not_principals,
                    conditions=conditions,
                    index=i,
                )
            )
        return cls(statements=tuple(statements))


class _Unknown(Exception):
    """A part of a data source's statement that decides its meaning is unknown."""


def _computed_strings(value: Any, unknown: Tree) -> tuple[str, ...]:
    """A list whose unknown elements read as COMPUTED; a wholly unknown list is unknown."""
    if unknown is True:
        raise _Unknown
    if not isinstance(value, (list, tuple)):
        return _strings(value)
    out: list[str] = []
    for i, v in enumerate(value):
        if v is not None:
            out.append(str(v))
        elif subtree(unknown, i) is True:
            out.append(COMPUTED)
    return tuple(out)


def _block_conditions(blocks: Any, unknown: Tree = False) -> dict[str, dict[str, tuple[str, ...]]]:
    if unknown is True:
        raise _Unknown
    conditions: dict[str, dict[str, tuple[str, ...]]] = {}
    for j, c in enumerate(blocks or ()):
        unk = subtree(unknown, j)
        if unk is True or tree_any(subtree(unk, "test")) or tree_any(subtree(unk, "variable")):
            raise _Unknown
        if isinstance(c, dict) and c.get("test") and c.get("variable"):
            values = _computed_strings(c.get("values"), subtree(unk, "values"))
            conditions.setdefault(str(c["test"]), {})[str(c["variable"])] = values
    return conditions


def _block_principals(blocks: Any, unknown: Tree = False) -> dict[str, tuple[str, ...]] | None:
    if unknown is True:
        raise _Unknown
    if not blocks:
        return None
    out: dict[str, tuple[str, ...]] = {}
    for j, b in enumerate(blocks):
        unk = subtree(unknown, j)
        if unk is True or tree_any(subtree(unk, "type")):
            raise _Unknown
        if isinstance(b, dict) and b.get("type"):
            ids = _computed_strings(b.get("identifiers"), subtree(unk, "identifiers"))
            out[str(b["type"])] = out.get(str(b["type"]), ()) + ids
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
    # Arguments that merge other documents in: only `json` shows the result.
    MERGE_ATTRS: ClassVar[tuple[str, ...]] = (
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    )
    json_: Document = Field(None, alias="json")
    statement: tuple[dict, ...] = ()

    @property
    def document(self) -> PolicyDocument | None:
        """The document, or None when it is known only after apply."""
        if self.json_ is not None:
            return self.json_
        if any(self.get(a) or self.has_unknown(a) for a in self.MERGE_ATTRS):
            return None
        return PolicyDocument.from_data_source({"statement": self.statement}, self.tf.after_unknown)
