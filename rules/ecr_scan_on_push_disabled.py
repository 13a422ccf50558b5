from __future__ import annotations

from typing import Iterator

from tfecs.model.ecr import RegistryScanningConfiguration, Repository
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcrScanOnPushDisabled(Rule):
    """
    ## What it does
    Flags ECR repositories whose images are not scanned automatically: the repository's
    `image_scanning_configuration.scan_on_push` is not `true` and no
    `aws_ecr_registry_scanning_configuration` in the configuration covers it. A registry
    rule covers a repository when its `scan_frequency` is `SCAN_ON_PUSH` or
    `CONTINUOUS_SCAN` and one of its `repository_filter`s matches the repository name
    (a filter without `*` matches names that contain it; with `*`, the whole name must
    match). With `scan_type = "ENHANCED"` the registry rules alone decide: ECR does not
    scan a repository no rule matches, whatever its own `scan_on_push` says.

    ## Why is this bad?
    Unscanned images reach production with their known vulnerabilities unnoticed; a
    scan at push time is the cheapest place to stop them.

    ## Example
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecr_repository" "app" {
      name = "app"
      image_scanning_configuration {
        scan_on_push = true
      }
    }
    ```
    or scan the whole registry:
    ```hcl
    resource "aws_ecr_registry_scanning_configuration" "this" {
      scan_type = "ENHANCED"
      rule {
        scan_frequency = "CONTINUOUS_SCAN"
        repository_filter {
          filter      = "*"
          filter_type = "WILDCARD"
        }
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-1
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html
    """

    meta = RuleMeta(
        id="ecr-scan-on-push-disabled",
        title="ECR images are not scanned on push",
        severity=Severity.HIGH,
        practice=4,
        controls=("ECR.1",),
        resource_types=("aws_ecr_repository", "aws_ecr_registry_scanning_configuration"),
        remediation="Set `image_scanning_configuration { scan_on_push = true }` or cover the repository with a registry scanning rule.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        registries = inv.of(RegistryScanningConfiguration)
        for repo in inv.of(Repository):
            path = ("image_scanning_configuration", 0, "scan_on_push")
            label = repo.name or repo.address
            name = None if repo.is_unknown("name") else repo.name
            coverage = [reg.covers(name) for reg in registries]
            if True in coverage:
                continue
            enhanced = [reg for reg in registries if reg.enhanced]
            if enhanced and None not in coverage:
                yield self.fail(
                    repo,
                    path,
                    f"repository {label!r} is not scanned: registry scanning is ENHANCED "
                    f"({enhanced[0].address}) and no SCAN_ON_PUSH or CONTINUOUS_SCAN rule matches it, "
                    "so its own scan_on_push is ignored",
                    fix=f"Add a repository_filter matching {label!r} to a SCAN_ON_PUSH or CONTINUOUS_SCAN rule of {enhanced[0].address}.",
                )
                continue
            undecided = None in coverage or any(reg.enhanced is None for reg in registries)
            if repo.scan_on_push is True and not enhanced:
                if any(reg.enhanced is None for reg in registries):
                    reg = next(r for r in registries if r.enhanced is None)
                    yield self.unknown(
                        repo,
                        path,
                        f"{reg.address}.scan_type is known only after apply: if ENHANCED, its rules alone decide "
                        f"whether repository {label!r} is scanned",
                    )
                continue
            if undecided:
                yield self.unknown(
                    repo,
                    path,
                    f"whether a registry scanning rule covers repository {label!r} is known only after apply "
                    "(an unknown repository name, filter, scan frequency or scan type)",
                )
            elif repo.is_unknown(*path):
                yield self.unknown(repo, path)
            else:
                yield self.fail(
                    repo,
                    path,
                    f"repository {label!r} does not scan images on push, and no registry scanning rule covers it",
                )
