from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, DOCKER_HUB, ImageRef, TaskDefinition
from tfecs.model.patterns import image_registry_hosts
from tfecs.rule import ContainerRule, Finding, RuleMeta, RuleOption, Severity

# Registries images may come from: glob patterns (lowercase) matched against the image's
# registry host, with or without its port. Default: Amazon ECR private registries (every
# partition, FIPS and dual-stack endpoints; pull-through caches live there too) and
# Amazon ECR Public. The `allowed_registries` option replaces this tuple.
TRUSTED_REGISTRIES: tuple[str, ...] = (
    "*.dkr.ecr.*.amazonaws.com",
    "*.dkr.ecr.*.amazonaws.com.cn",
    "*.dkr.ecr-fips.*.amazonaws.com",
    "*.dkr-ecr.*.on.aws",
    "public.ecr.aws",
)


def trusted_registry(ref: ImageRef, patterns: tuple[str, ...] | None = None) -> bool:
    """A pattern without `/` matches the registry host (with or without its port); one
    with `/` matches `registry/repository` (`public.ecr.aws/acme/*`)."""
    patterns = TRUSTED_REGISTRIES if patterns is None else patterns
    full = f"{ref.registry}/{ref.repository}"
    for p in patterns:
        p = p.lower()
        if "/" in p:
            if fnmatchcase(full.lower(), p):
                return True
        elif fnmatchcase(ref.registry, p) or fnmatchcase(ref.host, p):
            return True
    return False


class EcsImageUntrustedRegistry(ContainerRule):
    """
    ## What it does
    Flags container images pulled from a registry outside the trusted list. By default
    only Amazon ECR private registries (`<account>.dkr.ecr.<region>.amazonaws.com`, also
    `.amazonaws.com.cn`, FIPS and dual-stack endpoints) and Amazon ECR Public
    (`public.ecr.aws`) are trusted. An image without a registry (`nginx:1.25`) comes from
    Docker Hub.

    ## Why is this bad?
    An image from a public or third-party registry runs whatever its publisher pushes:
    it is outside your scanning, tag-immutability and access controls, a typo-squatted
    name or a compromised upstream account runs in your task, and the pull depends on
    that registry's availability and rate limits. Mirroring through ECR (a pull-through
    cache) keeps images scanned and under your policies.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "nginx:1.25" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name  = "app"
      image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:1.25"
    }])
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/security-tasks-containers.html
    """

    meta = RuleMeta(
        id="ecs-image-untrusted-registry",
        title="container image from an untrusted registry",
        severity=Severity.LOW,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Pull the image from your Amazon ECR registry (for example through an ECR pull-through cache).",
    )
    OPTIONS = (
        RuleOption(
            "allowed_registries", "list[str]", list(TRUSTED_REGISTRIES),
            "Registries images may come from, replacing the default list: globs on the registry host "
            "(`123456789012.dkr.ecr.*.amazonaws.com`, `registry.internal`), or on `registry/repository` "
            "when they hold a `/` (`public.ecr.aws/acme/*`).",
        ),
    )

    def _partly_known(self, td: TaskDefinition, path: tuple) -> "bool | str | None":
        """For an image the configuration gives as a partly known string: True when the
        registry of every value it can take is trusted (an image built from this
        configuration's ECR repository URL), the registry host when it is known and
        untrusted, None when that cannot be told."""
        pattern = td.value_pattern(*path)
        hosts = image_registry_hosts(pattern) if pattern is not None else None
        if not hosts:
            return None
        configured = self.option("allowed_registries")
        allowed = [p.lower() for p in (TRUSTED_REGISTRIES if configured is None else configured)]  # type: ignore[union-attr]
        host_globs = [p for p in allowed if "/" not in p]
        if all(any(h.always_matches_glob(g) for g in host_globs) for h in hosts):
            return True
        known = hosts[0].values() if len(hosts) == 1 else None
        if known and len(known) == 1 and len(host_globs) == len(allowed):
            return known[0]  # a literal host no pattern admits (no registry/repository pattern to ask)
        return None

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "image")
        if c.is_unknown("image"):
            verdict = self._partly_known(td, path)
            if verdict is None:
                yield self.unknown(td, path, container=c.label)
            elif verdict is not True:
                where = "an untrusted registry" if c.is_sensitive("image") else f"registry {verdict!r}"
                yield self.fail(td, path, f"container {c.label!r} pulls its image from {where}, outside the trusted registries", container=c.label)
            return
        ref = c.image_ref
        if ref is None or trusted_registry(ref, self.option("allowed_registries")):  # type: ignore[arg-type]
            return
        if c.is_sensitive("image"):
            where = "an untrusted registry"
        elif ref.registry == DOCKER_HUB:
            where = f"Docker Hub ({ref.raw.strip()!r})"
        else:
            where = f"registry {ref.registry!r}"
        yield self.fail(td, path, f"container {c.label!r} pulls its image from {where}, outside the trusted registries", container=c.label)
