"""The inventory: typed resources indexed once, and the cross-references rules need.

Resources refer to each other in two ways, and `linked()` follows both: through the
configuration's expression references (which still work when the value is unknown until
apply, e.g. a role ARN created in the same plan), and through known values equal to the
target's id, ARN or name (plans without configuration, hand-written IDs).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

from ..inputs.raw import RawResource, config_address, module_instance_of, split_address
from . import dockerfile, ecr, ecs, events, iam, monitoring, network, secrets
from .base import JsonDecodeError, Path, Resource, subtree, tree_any
from .iam import ADMIN_POLICY_ARNS, PolicyDocument, admin_policy_pattern
from .patterns import patterns_at

R = TypeVar("R", bound=Resource)
T = TypeVar("T")

_MODELS: tuple[type[Resource], ...] = (
    ecs.TaskDefinition,
    ecs.Service,
    ecs.TaskSet,
    ecs.Cluster,
    ecr.Repository,
    ecr.RepositoryPolicy,
    ecr.LifecyclePolicy,
    ecr.RegistryScanningConfiguration,
    iam.IamPolicy,
    iam.IamRolePolicy,
    iam.IamUserPolicy,
    iam.IamRole,
    iam.IamRolePolicyAttachment,
    iam.IamPolicyAttachment,
    network.SecurityGroup,
    network.SecurityGroupRule,
    network.VpcSecurityGroupIngressRule,
    network.LoadBalancer,
    network.Listener,
    network.Vpc,
    network.Subnet,
    network.VpcEndpoint,
    monitoring.Trail,
    monitoring.GuardDutyDetector,
    monitoring.GuardDutyDetectorFeature,
    monitoring.FlowLog,
    events.EventRule,
    events.EventTarget,
    events.LogMetricFilter,
    events.MetricAlarm,
    events.InspectorEnabler,
    dockerfile.Dockerfile,
    secrets.SecretsManagerSecret,
    secrets.SecretRotation,
    secrets.SsmParameter,
)
MANAGED_MODELS: dict[str, type[Resource]] = {t: cls for cls in _MODELS for t in cls.TYPES}
DATA_MODELS: dict[str, type[Resource]] = {"aws_iam_policy_document": iam.PolicyDocumentData}
IDENTITY_ATTRS = ("id", "arn", "name")


@dataclass(frozen=True, slots=True)
class ModelError:
    """A resource whose values cannot be understood (bad JSON, wrong types)."""

    address: str
    message: str
    input: str = ""


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A policy document and where it was found: the resource and path to blame."""

    document: PolicyDocument | None
    resource: Resource
    path: Path
    unknown: bool = False  # the document (or which document) is not known until apply
    source: str | None = None  # the data.aws_iam_policy_document it was read from

    def statement_path(self, st: iam.Statement) -> Path:
        return (*self.path, "Statement", st.index)

    @property
    def statements(self) -> tuple[iam.Statement, ...]:
        """The statements a rule can judge: the known ones (none of an unknown document)."""
        if self.unknown or self.document is None:
            return ()
        return tuple(st for st in self.document.statements if not st.unknown)

    def unknowns(self, fails: Callable[[iam.Statement], object] | None = None) -> Iterator[Path]:
        """Where a rule about what the policy allows cannot decide until apply: the whole
        document when it is unknown, else each unknown statement that may allow something
        (at the one unknown element, e.g. `policy.Statement[0].Action`, or the statement).
        Rules yield an unknown finding for each, never a pass.

        `fails` is the rule's own test of a statement: a statement unknown only in its
        Resource, Principal or Condition that does not fail even at its most permissive
        (Statement.widest) cannot fail, so it is decided, not unknown."""
        if self.unknown:
            yield self.path
            return
        for st in self.document.statements if self.document is not None else ():
            if not st.undecided:
                continue
            widest = st.widest() if fails is not None else None
            if widest is not None and not fails(widest):
                continue
            path = self.statement_path(st)
            yield (*path, st.unknown_elements[0]) if len(st.unknown_elements) == 1 else path

    def may_trust_service(self, st: iam.Statement, service: str) -> bool:
        """The statement names the service principal, or one of its Service principals
        computed at apply may be it. A computed one the configuration gives as a partly
        known string that can never be it (`codebuild.${dns_suffix}` for
        `ecs-tasks.amazonaws.com`) is not: asked through tfecs.model.patterns, and only
        when every computed element of that statement has such a pattern."""
        if not st.may_trust_service(service):
            return False
        if st.trusts_service(service) or self.unknown:
            return True
        where = (*self.statement_path(st), iam.PRINCIPAL, "Service")
        found = [pat for path, pat in patterns_at(self.resource.tf.patterns, where) if len(path) == len(where) + 1 and self.resource.is_unknown(*path)]
        computed = sum(1 for s in st.service_principals() if s == iam.COMPUTED)
        if not found or len(found) != computed:
            return True
        return any(pat.can_equal(service.lower(), ignore_case=True) for pat in found)

    def label(self, st: iam.Statement) -> str:
        """`statement "Sid"` (or its index), and the data source it comes from."""
        name = f"statement {st.sid!r}" if st.sid else f"statement {st.index}"
        return f"{name} of {self.source}" if self.source else name


def side_view(raw: RawResource) -> RawResource:
    """The resource as it was before the change: `before` values, nothing unknown."""
    return RawResource(
        address=raw.address,
        mode=raw.mode,
        type=raw.type,
        name=raw.name,
        module_address=raw.module_address,
        actions=raw.actions,
        after=raw.before,
        after_unknown=False,
        after_sensitive=raw.before_sensitive,
        references=raw.references,
        configured=None,
        location=raw.location,
        origin=raw.origin,
        input=raw.input,
    )


def unchanged(raw: RawResource) -> bool:
    """The change leaves the resource exactly as it was: the same values, nothing unknown
    until apply, the same values sensitive. Its after-side model then reads as its
    before side would (side_view differs only in what nothing unknown makes moot:
    the unknown tree and the configured attributes that tell defaults from unknowns).
    Decided on the values, not on a `no-op` action, which a plan could state falsely."""
    return (
        raw.before is not None
        and not tree_any(raw.after_unknown)
        and raw.before_sensitive == raw.after_sensitive
        and raw.before == raw.after
    )


def remembered(memo: dict, key: tuple, owners: tuple, make: Callable[[], T]) -> T:
    """`make()`, remembered in `memo` under `key`, a key made of the ids of `owners`: an
    entry counts only while it was made for those very objects (an id can be reused
    once its object is gone). The entry keeps its owners alive."""
    entry = memo.get(key)
    if entry is None or any(a is not b for a, b in zip(entry[0], owners)):
        entry = memo[key] = (owners, make())
    return entry[1]


def model_for(raw: RawResource) -> type[Resource] | None:
    if raw.type == "dockerfile" and raw.origin != "dockerfile":
        return None  # only the Dockerfile reader makes Dockerfiles, never a plan's resource
    return (DATA_MODELS if raw.mode == "data" else MANAGED_MODELS).get(raw.type)


class Inventory:
    def __init__(self, resources: Iterable[Resource] = (), errors: Iterable[ModelError] = ()):
        self.resources: list[Resource] = list(resources)
        self.errors: list[ModelError] = list(errors)
        self.by_address: dict[str, Resource] = {}
        self._by_class: dict[type, list[Resource]] = defaultdict(list)
        self._by_config: dict[str, list[Resource]] = defaultdict(list)
        self._by_config_module: dict[str, dict[str, list[Resource]]] = {}
        self._identity: dict[str, dict[str, list[Resource]]] = {}
        self._referrers: dict[tuple, dict[str, list[Resource]]] = {}
        self._permission_documents: tuple[DocumentRef, ...] | None = None
        # Judgements of one resource alone, by (rule, resource) identity: shared with the
        # after side's inventory by the before side that reuses its resources.
        self.judged: dict[tuple, tuple] = {}
        self._links: dict[tuple, tuple] = {}
        for r in self.resources:
            self.by_address[r.address] = r
            self._by_class[type(r)].append(r)
            self._by_config[config_address(r.address)].append(r)

    @classmethod
    def build(cls, raws: Iterable[RawResource], *, side: str = "after", reuse: "Inventory | None" = None) -> "Inventory":
        """Typed resources for the in-scope types; `side="before"` models the prior state
        (resources being created are absent from it, deleted ones present).

        `reuse`, the after side's inventory when modelling the before side: a resource
        the change leaves exactly as it was (see `unchanged`) is the same typed resource
        on both sides, so it is modelled once (a third of a large plan is no-op)."""
        resources: list[Resource] = []
        errors: list[ModelError] = []
        shared = reuse.by_address if reuse is not None and side == "before" else {}
        for raw in raws:
            model = model_for(raw)
            if model is None:
                continue
            if side == "before":
                if raw.before is None:
                    continue
                same = shared.get(raw.address)
                if same is not None and same.tf is raw and unchanged(raw):
                    resources.append(same)
                    continue
                raw = side_view(raw)
            elif raw.after is None:  # deleted: nothing will exist after apply
                continue
            try:
                resources.append(model.build(raw))
            except JsonDecodeError as exc:
                errors.append(ModelError(raw.address, str(exc), raw.input))
            except ValueError as exc:  # pydantic's ValidationError: wrong types in the plan
                errors.append(ModelError(raw.address, _validation_summary(exc), raw.input))
        inv = cls(resources, errors)
        if shared:
            inv.judged = reuse.judged  # type: ignore[union-attr]
        return inv

    # Lookups ---------------------------------------------------------------------------
    def of(self, cls: type[R]) -> list[R]:
        return self._by_class.get(cls, [])  # type: ignore[return-value]

    def resolve(self, target: str) -> list[Resource]:
        """Resources a reference target names: an exact address, or every instance of a
        configuration address within the same module instance."""
        exact = self.by_address.get(target)
        if exact is not None:
            return [exact]
        conf = config_address(target)
        candidates = self._by_config.get(conf, [])
        module = module_instance_of(target)
        if module and module != module_instance_of(conf):
            by_module = self._by_config_module.get(conf)
            if by_module is None:  # indexed once per configuration address, when first asked
                by_module = self._by_config_module[conf] = defaultdict(list)
                for c in candidates:
                    by_module[module_instance_of(c.address)].append(c)
            return list(by_module.get(module, ()))
        return list(candidates)

    def linked(self, src: Resource, attr: str, targets: type[R] | tuple[type[R], ...], value: object = None) -> list[R]:
        """Resources of the target classes that `src.attr` points at (remembered: several
        rules follow the same links)."""
        if value is not None:
            return self._linked(src, attr, targets, value)
        return list(remembered(self._links, (id(src), attr, targets), (src,), lambda: self._linked(src, attr, targets, None)))

    def _linked(self, src: Resource, attr: str, targets: type[R] | tuple[type[R], ...], value: object) -> list[R]:
        classes = targets if isinstance(targets, tuple) else (targets,)
        found: dict[str, R] = {}
        refs = src.refs(attr)
        # Terraform lists `aws_iam_role.r["a"].arn` as `aws_iam_role.r["a"]` and also as the
        # bare `aws_iam_role.r`, which would stand for every instance: the specific wins.
        specific = {bare for ref in refs if "[" in ref and (bare := _without_key(ref)) != ref}
        values = value if value is not None else src.get(attr)
        for ref in refs:
            if ref in specific:
                continue
            hits = [r for r in self.resolve(ref) if isinstance(r, classes)]
            if len(hits) > 1:
                # `aws_x.y[each.key].name` is listed as the bare `aws_x.y`: every instance.
                # A known value tells which of them (a for_each over a subset of the keys).
                hits = _matching_identity(hits, values) or hits
            for r in hits:
                found[r.address] = r  # type: ignore[assignment]
        if found:
            return list(found.values())
        for v in values if isinstance(values, (list, tuple)) else (values,):
            if isinstance(v, str) and v:
                for cls in classes:
                    for r in self._identity_index(cls).get(v, ()):
                        found[r.address] = r  # type: ignore[assignment]
        return list(found.values())

    def referrers(self, target: Resource, sources: type[R], attr: str) -> list[R]:
        """Resources of class `sources` whose `attr` points at target."""
        key = (sources, attr, type(target))
        index = self._referrers.get(key)
        if index is None:
            index = defaultdict(list)
            for src in self.of(sources):
                for t in self.linked(src, attr, type(target)):
                    index[t.address].append(src)
            self._referrers[key] = index
        return index.get(target.address, [])

    def _identity_index(self, cls: type[Resource]) -> dict[str, list[Resource]]:
        index = self._identity.get(cls.__name__)
        if index is None:
            index = defaultdict(list)
            for r in self.of(cls):
                for a in IDENTITY_ATTRS:
                    v = r.get(a)
                    if isinstance(v, str) and v:
                        index[v].append(r)
            self._identity[cls.__name__] = index
        return index

    # Policy documents ----------------------------------------------------------------
    def document(self, res: Resource, attr: str = "policy") -> DocumentRef:
        """The policy document in `res.attr`, following a reference to a
        `data.aws_iam_policy_document` when the JSON is unknown until apply."""
        doc = getattr(res, attr if attr != "json" else "json_", None)
        if isinstance(doc, PolicyDocument):
            # Read during plan, the data source's JSON is already in the attribute. (A
            # document given decoded with unknown parts is unknown when its Statement list is.)
            data = self.linked(res, attr, iam.PolicyDocumentData) if res.refs(attr) and not doc.unknown else []
            return DocumentRef(doc, res, (attr,), unknown=doc.unknown, source=data[0].address if len(data) == 1 else None)
        if not res.has_unknown(attr):
            return DocumentRef(None, res, (attr,))
        for data in self.linked(res, attr, iam.PolicyDocumentData):
            if data.document is not None:
                return DocumentRef(data.document, res, (attr,), source=data.address)
        return DocumentRef(None, res, (attr,), unknown=True)

    def permission_documents(self) -> Iterator[DocumentRef]:
        """Every identity (permissions) policy in the configuration, wherever it lives:
        policy resources, role/user/group inline policies, `inline_policy` blocks.
        Found once per inventory: five statement rules go through them all."""
        if self._permission_documents is None:
            self._permission_documents = tuple(self._find_permission_documents())
        return iter(self._permission_documents)

    def _find_permission_documents(self) -> Iterator[DocumentRef]:
        for cls in (iam.IamPolicy, iam.IamRolePolicy, iam.IamUserPolicy):
            for res in self.of(cls):
                yield self.document(res)
        for role in self.of(iam.IamRole):
            yield from self._inline_documents(role)

    def _inline_documents(self, role: iam.IamRole) -> Iterator[DocumentRef]:
        if not role.inline_policy and role.is_unknown("inline_policy"):
            yield DocumentRef(None, role, ("inline_policy",), unknown=True)
            return
        pending = [i for i, b in enumerate(role.inline_policy) if b.policy is None and role.has_unknown("inline_policy", i)]
        # One unknown block and one policy document data source it can refer to: that one.
        data = self.linked(role, "inline_policy", iam.PolicyDocumentData) if len(pending) == 1 else []
        # A role's state lists the policies of its aws_iam_role_policy resources among its
        # inline_policy blocks: those are judged on their own resources, once.
        separate = {rp.name for rp in self.referrers(role, iam.IamRolePolicy, "role")} - {None}
        for i, inline in enumerate(role.inline_policy):
            path = ("inline_policy", i, "policy")
            if inline.name in separate:
                continue
            if i in pending:
                doc = data[0].document if len(data) == 1 else None
                yield DocumentRef(doc, role, path, unknown=doc is None, source=data[0].address if doc else None)
            else:
                yield DocumentRef(inline.policy, role, path, unknown=inline.policy is not None and inline.policy.unknown)

    def role_documents(self, role: iam.IamRole) -> Iterator[DocumentRef]:
        """Every permissions policy document that applies to a role, blamed on the
        resource that must change: inline blocks, role policies, attached policies."""
        yield from self._inline_documents(role)
        for rp in self.referrers(role, iam.IamRolePolicy, "role"):
            yield self.document(rp)
        for policy in self.attached_policies(role):
            yield self.document(policy)

    def attached_policies(self, role: iam.IamRole) -> list[iam.IamPolicy]:
        found: dict[str, iam.IamPolicy] = {}
        for att in self.referrers(role, iam.IamRolePolicyAttachment, "role"):
            for p in self.linked(att, "policy_arn", iam.IamPolicy):
                found[p.address] = p
        for att in self.referrers(role, iam.IamPolicyAttachment, "roles"):
            for p in self.linked(att, "policy_arn", iam.IamPolicy):
                found[p.address] = p
        for p in self.linked(role, "managed_policy_arns", iam.IamPolicy):
            found[p.address] = p
        return list(found.values())

    def admin_attachments(self, role: iam.IamRole) -> list[tuple[Resource, Path]]:
        """Where the AWS-managed AdministratorAccess policy is attached to the role."""
        out: list[tuple[Resource, Path]] = []
        for i, arn in enumerate(role.managed_policy_arns):
            if arn in ADMIN_POLICY_ARNS:
                out.append((role, ("managed_policy_arns", i)))
        for path, pattern in patterns_at(role.tf.patterns, ("managed_policy_arns",)):
            if role.is_unknown(*path) and admin_policy_pattern(pattern):
                out.append((role, path))
        for cls, attr in ((iam.IamRolePolicyAttachment, "role"), (iam.IamPolicyAttachment, "roles")):
            for att in self.referrers(role, cls, attr):
                if att.policy_arn in ADMIN_POLICY_ARNS or admin_policy_pattern(att.value_pattern("policy_arn")):
                    out.append((att, ("policy_arn",)))
        return out

    def unresolved_policies(self, role: iam.IamRole) -> list[tuple[Resource, Path]]:
        """Policies attached to the role that the plan cannot show: an attachment whose
        policy ARN is known only after apply and names no policy in the configuration."""
        out: list[tuple[Resource, Path]] = []
        for cls, attr in ((iam.IamRolePolicyAttachment, "role"), (iam.IamPolicyAttachment, "roles")):
            for att in self.referrers(role, cls, attr):
                if att.is_unknown("policy_arn") and not self.linked(att, "policy_arn", iam.IamPolicy) and not admin_policy_pattern(att.value_pattern("policy_arn")):
                    out.append((att, ("policy_arn",)))
        if role.is_unknown("managed_policy_arns"):
            refs = role.refs("managed_policy_arns")
            if not refs or not all(any(isinstance(r, iam.IamPolicy) for r in self.resolve(ref)) for ref in refs):
                out.append((role, ("managed_policy_arns",)))
        return out

    def roles_for(self, src: Resource, attr: str) -> list[iam.IamRole]:
        """The roles `src.attr` (a role ARN or name) names: through configuration
        references or known values (`linked`), else by role name, for a literal ARN of a
        role created in the same change (its ARN is not known, its name is)."""
        roles = self.linked(src, attr, iam.IamRole)
        value = src.get(attr)
        if roles or not isinstance(value, str) or not value:
            return roles
        name = iam.role_name(value).lower()
        return [r for r in self.of(iam.IamRole) if r.arn is None and (r.name or "").lower() == name]

    # Security groups --------------------------------------------------------------------
    def ingress_rules(self) -> Iterator[network.IngressRule]:
        """Every ingress permission: inline blocks and both kinds of rule resource.

        A group's `ingress` in the prior state also lists the permissions its rule
        resources created (no-op and update plans); an inline entry's CIDRs that a rule
        resource of the group declares with the same protocol and ports are left to that
        rule resource, so one permission gives one finding, on the resource declaring it."""
        resources = list(self._rule_resource_ingress())
        # What the rule resources declare, by group, protocol and ports: a group's state
        # copy can list thousands of its rules, each looked up once, not compared with all.
        declared: dict[tuple, set[str]] = defaultdict(set)
        for r in resources:
            if not r.ports_unknown:
                declared[(r.security_group_address, r.protocol_name, r.ports())].update(r.cidrs)
        for sg in self.of(network.SecurityGroup):
            if not sg.ingress and sg.is_unknown("ingress"):
                # The whole set is known only after apply (e.g. a dynamic block).
                yield network.IngressRule(
                    declared_by=sg, path=("ingress",), cidrs_unknown=True, ports_unknown=True,
                    security_group_address=sg.address,
                )
                continue
            for i, ing in enumerate(sg.ingress):
                unknown = subtree(subtree(sg.tf.after_unknown, "ingress"), i)
                inline = network.IngressRule(
                    declared_by=sg,
                    path=("ingress", i),
                    from_port=ing.from_port,
                    to_port=ing.to_port,
                    protocol=ing.protocol,
                    cidrs=_known(ing.cidr_blocks) + _known(ing.ipv6_cidr_blocks),
                    # after_unknown shows a known list as [false, ...]: only a True inside counts.
                    cidrs_unknown=any(tree_any(subtree(unknown, k)) for k in ("cidr_blocks", "ipv6_cidr_blocks")),
                    ports_unknown=any(tree_any(subtree(unknown, k)) for k in ("from_port", "to_port", "protocol")),
                    security_group_address=sg.address,
                )
                yield _without_declared_elsewhere(inline, declared)
        yield from resources

    def _rule_resource_ingress(self) -> Iterator[network.IngressRule]:
        for rule in self.of(network.SecurityGroupRule):
            if (rule.rule_type or "").lower() != "ingress":
                continue
            groups = self.linked(rule, "security_group_id", network.SecurityGroup)
            yield network.IngressRule(
                declared_by=rule,
                path=(),
                from_port=rule.from_port,
                to_port=rule.to_port,
                protocol=rule.protocol,
                cidrs=_known(rule.cidr_blocks) + _known(rule.ipv6_cidr_blocks),
                cidrs_unknown=rule.has_unknown("cidr_blocks") or rule.has_unknown("ipv6_cidr_blocks"),
                security_group_address=groups[0].address if len(groups) == 1 else None,
                cidr_attrs=tuple(("cidr_blocks", c) for c in _known(rule.cidr_blocks))
                + tuple(("ipv6_cidr_blocks", c) for c in _known(rule.ipv6_cidr_blocks)),
                unknown_attrs=tuple(a for a in ("cidr_blocks", "ipv6_cidr_blocks") if rule.has_unknown(a)),
                ports_unknown=any(rule.is_unknown(a) for a in ("from_port", "to_port", "protocol")),
            )
        for rule in self.of(network.VpcSecurityGroupIngressRule):
            groups = self.linked(rule, "security_group_id", network.SecurityGroup)
            yield network.IngressRule(
                declared_by=rule,
                path=(),
                from_port=rule.from_port,
                to_port=rule.to_port,
                protocol=rule.ip_protocol,
                cidrs=tuple(c for c in (rule.cidr_ipv4, rule.cidr_ipv6) if c),
                cidrs_unknown=rule.is_unknown("cidr_ipv4") or rule.is_unknown("cidr_ipv6"),
                security_group_address=groups[0].address if len(groups) == 1 else None,
                cidr_attrs=tuple((a, c) for a, c in (("cidr_ipv4", rule.cidr_ipv4), ("cidr_ipv6", rule.cidr_ipv6)) if c),
                unknown_attrs=tuple(a for a in ("cidr_ipv4", "cidr_ipv6") if rule.is_unknown(a)),
                ports_unknown=any(rule.is_unknown(a) for a in ("from_port", "to_port", "ip_protocol")),
            )


def _matching_identity(candidates: list[R], values: object) -> list[R]:
    """The candidates whose id, ARN or name is one of the known string values."""
    known = {v for v in (values if isinstance(values, (list, tuple)) else (values,)) if isinstance(v, str) and v}
    if not known:
        return []
    return [r for r in candidates if any(r.get(a) in known for a in IDENTITY_ATTRS)]


def _without_declared_elsewhere(inline: network.IngressRule, declared: dict[tuple, set[str]]) -> network.IngressRule:
    """The inline entry without the CIDRs that a rule resource of the same group declares
    with the same protocol and ports (the group's state copy of that rule); `declared`:
    the rule resources' CIDRs by (group, protocol, ports)."""
    if not inline.cidrs or inline.ports_unknown:
        return inline
    cidrs = declared.get((inline.security_group_address, inline.protocol_name, inline.ports()), set())
    if not cidrs.intersection(inline.cidrs):
        return inline
    return dataclasses.replace(inline, cidrs=tuple(c for c in inline.cidrs if c not in cidrs))


@functools.lru_cache(maxsize=1 << 16)
def _without_key(ref: str) -> str:
    """`module.m["x"].aws_t.n["k"]` -> `module.m["x"].aws_t.n`: the resource, any instance."""
    steps = split_address(ref)
    return ".".join([*steps[:-1], config_address(steps[-1])])


def _known(values: object) -> tuple[str, ...]:
    """The known strings of a list attribute (unknown elements are null in the plan)."""
    return tuple(v for v in values if isinstance(v, str)) if isinstance(values, (list, tuple)) else ()


def _validation_summary(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        return f"{loc}: {first.get('msg', 'invalid value')}" if loc else str(first.get("msg"))
    return str(exc).splitlines()[0]
