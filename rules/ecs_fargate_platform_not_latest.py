from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Service, TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


# The current Fargate platform versions (Security Hub ECS.10's latestLinuxVersion and
# latestWindowsVersion): pinning these is not pinning an old one.
CURRENT_LINUX = "1.4.0"
CURRENT_WINDOWS = "1.0.0"


class EcsFargatePlatformNotLatest(Rule):
    """
    ## What it does
    Flags ECS services on Fargate whose `platform_version` pins an old version (`1.3.0`)
    instead of `LATEST`. Unset means `LATEST`; pinning the current version (`1.4.0` on
    Linux, `1.0.0` on Windows, as Security Hub's ECS.10 parameters say) passes. A service is on Fargate with
    `launch_type = "FARGATE"` or a `capacity_provider_strategy` using `FARGATE` or
    `FARGATE_SPOT`; with neither, the cluster's default capacity provider strategy
    decides, and since ECS accepts a platform version only for Fargate, a pinned version
    there is reported with medium confidence. Services that set an EC2 or EXTERNAL
    launch type, or a strategy of EC2 capacity providers only, are not judged.

    ## Why is this bad?
    Fargate platform versions carry the kernel, container runtime and agent your tasks
    run on. A pinned version stops receiving the new features and, eventually, is
    retired; `LATEST` gets security fixes with the next deployment.

    ## Example
    ```hcl
    resource "aws_ecs_service" "app" {
      launch_type      = "FARGATE"
      platform_version = "1.3.0"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_service" "app" {
      launch_type      = "FARGATE"
      platform_version = "LATEST"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-10
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html
    """

    meta = RuleMeta(
        id="ecs-fargate-platform-not-latest",
        title="Fargate service pins an old platform version",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("ECS.10",),
        resource_types=("aws_ecs_service",),
        remediation='Set `platform_version = "LATEST"` (or remove it).',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for svc in inv.of(Service):
            name = svc.name or svc.address
            if svc.is_unknown("launch_type"):
                where: tuple[str, ...] | None = ("launch_type",)
            elif svc.has_unknown("capacity_provider_strategy") and not svc.on_fargate:
                where = ("capacity_provider_strategy",)
            else:
                where = None
            fargate = svc.on_fargate
            may_be_fargate = fargate or svc.capacity_from_cluster or where is not None
            if not may_be_fargate:
                continue
            path = ("platform_version",)
            if svc.is_unknown(*path):
                yield self.unknown(svc, path)
                continue
            if not svc.platform_pinned:
                continue
            windows = any(td.is_windows for td in inv.linked(svc, "task_definition", TaskDefinition))
            if str(svc.platform_version) == (CURRENT_WINDOWS if windows else CURRENT_LINUX):
                continue
            if fargate:
                yield self.fail(svc, path, f"Fargate service {name!r} pins platform_version {svc.platform_version}, not LATEST")
            elif where is not None:
                yield self.unknown(
                    svc, where, f"{where[0]} is known only after apply, so whether service {name!r} with platform_version "
                    f"{svc.platform_version} runs on Fargate cannot be ruled out",
                )
            else:
                yield self.fail(
                    svc,
                    path,
                    f"service {name!r} pins platform_version {svc.platform_version}, not LATEST; it sets no launch type, so the "
                    "cluster's default capacity provider strategy decides, and ECS takes a platform version only for Fargate",
                    confidence="medium",
                )
