"""IAM: normalised policy documents and the resources that hold them.

A policy document can live in a JSON string (`aws_iam_policy.policy`, `assume_role_policy`,
inline policies) or in a `data.aws_iam_policy_document`; both normalise to the same
PolicyDocument, so rules match statements, never JSON.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_validator

from ..inputs.raw import RawResource, Tree
from .base import JsonDecodeError, Model, Resource, decode_json_attr, subtree, tree_any
from .glob import glob_match
from .patterns import PARTITIONS

# The AWS-managed AdministratorAccess policy, in every partition.
ADMIN_POLICY_ARNS = frozenset(f"arn:{p}:iam::aws:policy/AdministratorAccess" for p in PARTITIONS)


def admin_policy_pattern(pattern: Any) -> bool:
    """A policy ARN the configuration gives as a partly known string is AdministratorAccess
    whatever its holes hold (`arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess`)."""
    return pattern is not None and pattern.always(ADMIN_POLICY_ARNS.__contains__) is True


# The actions that let a principal assume a role (what a trust policy grants).
ASSUME_ROLE_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")

# Stands for one element of a Resource, Principal or Condition-value list that Terraform
# computes at apply (an ARN or id of a resource in the same change). Such a value is one
# specific resource, never the wildcard `*`: a wildcard is a literal, and literals are
# known at plan time. Never equal to a wildcard a rule looks for; a rule looking for one
# specific value (a service principal) must allow that a computed value may be it.
COMPUTED = "(known after apply)"

# A statement's elements, by their JSON names (the paths of unknown findings use them).
EFFECT, ACTION, NOT_ACTION = "Effect", "Action", "NotAction"
RESOURCE, NOT_RESOURCE = "Resource", "NotResource"
PRINCIPAL, NOT_PRINCIPAL, CONDITION = "Principal", "NotPrincipal", "Condition"
# Elements that say where and for whom a statement applies, not what it allows: an
# unknown one can be read at its most permissive (Statement.widest).
SCOPE_ELEMENTS = frozenset({RESOURCE, NOT_RESOURCE, PRINCIPAL, NOT_PRINCIPAL, CONDITION})


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


def wildcard_match(glob: str, value: str) -> bool:
    """IAM wildcards: `*` any run of characters, `?` one character, case-insensitive;
    in linear time (the glob comes from the input)."""
    return glob_match(glob, value, ignore_case=True)


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
    # Known only after apply: what the statement grants is open. `unknown_elements` names
    # the elements (JSON names) whose unknown values leave it open, none when the whole
    # statement is unknown; the other fields hold what is known. Rules never judge an
    # unknown statement's fields: DocumentRef.statements leaves it out and
    # DocumentRef.unknowns() reports it.
    unknown: bool = False
    unknown_elements: tuple[str, ...] = ()

    @property
    def is_allow(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def undecided(self) -> bool:
        """Unknown until apply and possibly allowing something: a statement whose Effect
        is a known Deny grants nothing, whatever its unknown parts turn out to be."""
        if not self.unknown:
            return False
        if not self.unknown_elements or EFFECT in self.unknown_elements:
            return True
        return self.is_allow

    def widest(self) -> "Statement | None":
        """The most permissive reading of a statement unknown only in its Resource,
        Principal or Condition: Resource `*` (NotResource: all but one resource),
        Principal `*` and a computed Service principal (NotPrincipal: all but one), no
        Condition. A rule whose test does not fail on it cannot fail whatever the values
        turn out to be (its test must only get worse with more resources, principals and
        fewer conditions, as every rule about what a policy allows does). None when what
        the statement allows is unknown (Effect, Action, NotAction, the whole statement)."""
        if not self.unknown:
            return self
        if not self.unknown_elements or not SCOPE_ELEMENTS.issuperset(self.unknown_elements):
            return None
        unknown = set(self.unknown_elements)
        update: dict[str, Any] = {"unknown": False, "unknown_elements": ()}
        if RESOURCE in unknown:
            update["resources"] = ("*",)
        if NOT_RESOURCE in unknown:
            update["not_resources"] = (COMPUTED,)
        if PRINCIPAL in unknown:
            update["principals"] = {"*": ("*",), "AWS": ("*",), "Service": (COMPUTED,)}
        if NOT_PRINCIPAL in unknown:
            update["not_principals"] = {"AWS": (COMPUTED,)}
        if CONDITION in unknown:
            update["conditions"] = {}
        return self.model_copy(update=update)

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

    def may_trust_service(self, service: str) -> bool:
        """Names the service principal, or a Service principal computed at apply (e.g.
        `ecs-tasks.${data.aws_partition.current.dns_suffix}`) that may be it."""
        return self.trusts_service(service) or COMPUTED in self.service_principals()

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


class _Unknown(Exception):
    """A part of a statement that decides its meaning is unknown until apply."""


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


def _entries(value: Any, unknown: Tree) -> list[tuple[Any, Any, Tree]]:
    """(key, value, unknown subtree) of a JSON object. A member whose value is wholly
    unknown is absent from the value (as in plans) and present in the tree."""
    known = value if isinstance(value, dict) else {}
    tree = unknown if isinstance(unknown, dict) else {}
    keys = [*known, *(k for k in tree if k not in known)]
    return [(k, known.get(k), subtree(unknown, k)) for k in keys]


def _principals(value: Any, unknown: Tree = False) -> dict[str, tuple[str, ...]] | None:
    """IAM's Principal: `"*"`, or principal type -> identifier(s). An unknown identifier
    is COMPUTED; an unknown Principal, or a type's wholly unknown value (a string or a
    list, which a function may have built around a literal `*`), is unknown."""
    if unknown is True:
        raise _Unknown
    if isinstance(value, str):
        return {"*": (value,)} if value == "*" else {"AWS": (value,)}
    if isinstance(value, dict):
        return {str(k): _computed_strings(v, t) for k, v, t in _entries(value, unknown)}
    return None


def _conditions(value: Any, unknown: Tree = False) -> dict[str, dict[str, tuple[str, ...]]]:
    """IAM's Condition: operator -> key -> value(s). An unknown Condition, operator block
    or key is unknown. An unknown value reads as COMPUTED, even a wholly unknown one
    (`"aws:SourceAccount" = data.aws_caller_identity.current.account_id`): the condition
    is there whatever it holds, and rules look at which conditions there are."""
    if unknown is True:
        raise _Unknown
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for op, keys, op_unknown in _entries(value, unknown):
        if op_unknown is True:
            raise _Unknown
        if isinstance(keys, dict):
            out[str(op)] = {str(k): (COMPUTED,) if t is True else _computed_strings(v, t) for k, v, t in _entries(keys, op_unknown)}
    return out


_ORDER = (EFFECT, ACTION, NOT_ACTION, RESOURCE, NOT_RESOURCE, PRINCIPAL, NOT_PRINCIPAL, CONDITION)


class _Reader:
    """Reads a statement's elements, collecting those whose unknown parts leave it open."""

    def __init__(self) -> None:
        self.open: set[str] = set()

    def flag(self, element: str, unknown: Tree) -> None:
        if tree_any(unknown):
            self.open.add(element)

    def read(self, element: str, reader: Any, value: Any, unknown: Tree, default: Any = None) -> Any:
        try:
            return reader(value, unknown)
        except _Unknown:
            self.open.add(element)
            return default

    def unknown(self) -> dict[str, Any]:
        elements = tuple(e for e in _ORDER if e in self.open)
        return {"unknown": bool(elements), "unknown_elements": elements}


def _json_statement(st: dict, unknown: Tree, index: int) -> Statement:
    r = _Reader()
    for element in (EFFECT, ACTION, NOT_ACTION):
        r.flag(element, subtree(unknown, element))
    return Statement(
        sid=st.get("Sid") if isinstance(st.get("Sid"), str) else None,
        effect=str(st.get("Effect", "Allow")),
        actions=_strings(st.get("Action")),
        not_actions=_strings(st.get("NotAction")),
        resources=r.read(RESOURCE, _computed_strings, st.get("Resource"), subtree(unknown, "Resource"), ()),
        not_resources=r.read(NOT_RESOURCE, _computed_strings, st.get("NotResource"), subtree(unknown, "NotResource"), ()),
        principals=r.read(PRINCIPAL, _principals, st.get("Principal"), subtree(unknown, "Principal")),
        not_principals=r.read(NOT_PRINCIPAL, _principals, st.get("NotPrincipal"), subtree(unknown, "NotPrincipal")),
        conditions=r.read(CONDITION, _conditions, st.get("Condition"), subtree(unknown, "Condition"), {}),
        index=index,
        **r.unknown(),
    )


class PolicyDocument(Model):
    statements: tuple[Statement, ...] = ()
    # The Statement list itself is known only after apply: which statements exist is open.
    unknown: bool = False

    @classmethod
    def parse(cls, doc: Any, unknown: Tree = False) -> "PolicyDocument | None":
        """A policy from its JSON object (IAM's grammar: single values or lists).

        `unknown` is a tree of the same shape (HCL mode hands on a partly known
        `jsonencode(...)` decoded): an element computed at apply in a Resource,
        NotResource or Principal list, or a condition value, reads as COMPUTED; any other
        unknown part (Effect, Action/NotAction, a whole Resource or Principal value, a
        condition operator or key, a whole statement) leaves that statement unknown
        (Statement.unknown), and an unknown Statement list the document."""
        # A document IAM would refuse is an error, never a policy that allows nothing.
        if not isinstance(doc, dict):
            raise JsonDecodeError("policy is not a JSON object")
        tree = subtree(unknown, "Statement")
        if tree is True:
            return cls(unknown=True)
        raw = doc.get("Statement")
        if raw is not None and not isinstance(raw, (dict, list)):
            raise JsonDecodeError("policy Statement is neither an object nor an array")
        items = [(raw, tree)] if isinstance(raw, dict) else [(st, subtree(tree, i)) for i, st in enumerate(raw or ())]
        statements = []
        for i, (st, st_unknown) in enumerate(items):
            if st_unknown is True:
                statements.append(Statement(index=i, unknown=True))
            elif isinstance(st, dict):
                statements.append(_json_statement(st, st_unknown, i))
            else:
                raise JsonDecodeError(f"policy Statement[{i}] is not a JSON object")
        return cls(statements=tuple(statements))

    @classmethod
    def from_data_source(cls, values: dict, unknown: Tree = False) -> "PolicyDocument | None":
        """A policy from `data.aws_iam_policy_document` statement blocks (HCL names).

        `unknown` is the data source's after_unknown tree: its `json` is not known at plan
        time when a block refers to a resource in the same change, but the blocks are. An
        element computed at apply in a resource, principal or condition-value list reads
        as COMPUTED; any other unknown part of a block (an action, the effect, a condition
        test or variable, a whole list) leaves that statement unknown, as in `parse`. When
        the blocks themselves are unknown, so is the document (None)."""
        statements = []
        blocks = values.get("statement") or ()
        if subtree(unknown, "statement") is True:
            return None
        for i, st in enumerate(blocks):
            unk = subtree(subtree(unknown, "statement"), i)
            if unk is True:
                statements.append(Statement(index=i, unknown=True))
                continue
            if not isinstance(st, dict):
                continue
            r = _Reader()
            for element, key in ((EFFECT, "effect"), (ACTION, "actions"), (NOT_ACTION, "not_actions")):
                r.flag(element, subtree(unk, key))
            statements.append(
                Statement(
                    sid=st.get("sid") or None,
                    effect=st.get("effect") or "Allow",
                    actions=_strings(st.get("actions")),
                    not_actions=_strings(st.get("not_actions")),
                    resources=r.read(RESOURCE, _computed_strings, st.get("resources"), subtree(unk, "resources"), ()),
                    not_resources=r.read(NOT_RESOURCE, _computed_strings, st.get("not_resources"), subtree(unk, "not_resources"), ()),
                    principals=r.read(PRINCIPAL, _block_principals, st.get("principals"), subtree(unk, "principals")),
                    not_principals=r.read(NOT_PRINCIPAL, _block_principals, st.get("not_principals"), subtree(unk, "not_principals")),
                    conditions=r.read(CONDITION, _block_conditions, st.get("condition"), subtree(unk, "condition"), {}),
                    index=i,
                    **r.unknown(),
                )
            )
        return cls(statements=tuple(statements))


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
    if isinstance(value, str):
        return _document_of_text(value)
    return PolicyDocument.parse(decode_json_attr(value, "policy"))


@functools.lru_cache(maxsize=4096)
def _document_of_text(text: str) -> PolicyDocument | None:
    """A policy's JSON text parsed once: plans repeat the same documents (one trust
    policy for every task role, the before and after of an unchanged policy): 4,364
    policy attributes, 920 texts, on a dense 10k plan. PolicyDocument is frozen, so
    resources can share one. A text that is no policy raises each time (not cached)."""
    return PolicyDocument.parse(decode_json_attr(text, "policy"))


def _parsed(values: dict, unknown: Tree, attrs: tuple[str, ...]) -> dict:
    out = None
    for attr in attrs:
        value = values.get(attr)
        if isinstance(value, (dict, list)):
            out = dict(values) if out is None else out
            out[attr] = PolicyDocument.parse(value, subtree(unknown, attr))
    return values if out is None else out


def decoded_documents(data: Any, attrs: tuple[str, ...], blocks: tuple[tuple[str, str], ...] = ()) -> Any:
    """Before a resource is validated: the policy documents a reader handed on decoded
    (HCL mode: a partly known `jsonencode(...)`, with an unknown tree of the same shape)
    are parsed with their unknown subtree, so their unknown parts are understood. `attrs`
    are top-level attributes, `blocks` (block type, attribute) documents inside nested
    blocks. JSON strings are left to the field's validator (nothing in them is unknown)."""
    if not isinstance(data, dict):
        return data
    tf = data.get("tf")
    tree = tf.after_unknown if isinstance(tf, RawResource) else False
    data = _parsed(data, tree, attrs)
    for name, attr in blocks:
        items = data.get(name)
        if isinstance(items, (list, tuple)) and any(isinstance(b, dict) and isinstance(b.get(attr), (dict, list)) for b in items):
            block_tree = subtree(tree, name)
            parsed = [_parsed(b, subtree(block_tree, i), (attr,)) if isinstance(b, dict) else b for i, b in enumerate(items)]
            data = {**data, name: parsed}
    return data


Document = Annotated[PolicyDocument | None, BeforeValidator(_to_document)]


class PolicyHolder(Resource):
    """A resource with a `policy` JSON attribute (unknown until apply when it is built
    from other resources; the inventory then resolves it through references)."""

    POLICY_ATTR: ClassVar[str] = "policy"
    policy: Document = None

    @model_validator(mode="before")
    @classmethod
    def _decoded_documents(cls, data: Any) -> Any:
        return decoded_documents(data, (cls.POLICY_ATTR,))


class IamPolicy(PolicyHolder):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_policy",)
    name: str | None = None
    arn: str | None = None


class IamRolePolicy(PolicyHolder):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_iam_role_policy",)
    name: str | None = None
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

    @model_validator(mode="before")
    @classmethod
    def _decoded_documents(cls, data: Any) -> Any:
        return decoded_documents(data, ("assume_role_policy",), blocks=(("inline_policy", "policy"),))


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
    from_blocks: PolicyDocument | None = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _build_from_blocks(cls, data: Any) -> Any:
        """Without `json` (read only at apply), the document comes from the statement
        blocks, built here so that malformed blocks are this resource's error."""
        if not isinstance(data, dict) or data.get("json") is not None:
            return data
        tf = data.get("tf")
        unknown = tf.after_unknown if tf is not None else False
        if any(data.get(a) or tree_any(subtree(unknown, a)) for a in cls.MERGE_ATTRS):
            return data
        return {**data, "from_blocks": PolicyDocument.from_data_source({"statement": data.get("statement") or []}, unknown)}

    @property
    def document(self) -> PolicyDocument | None:
        """The document, or None when it is known only after apply."""
        return self.json_ if self.json_ is not None else self.from_blocks
