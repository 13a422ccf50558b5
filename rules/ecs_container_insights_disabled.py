from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Cluster
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

SETTING = "containerInsights"
ON = ("enabled", "enhanced")


class EcsContainerInsightsDisabled(Rule):
    """
    ## What it does
    Flags `aws_ecs_cluster` resources whose `setting` block named `containerInsights`
    is not `enabled` or `enhanced`. No such setting counts as disabled (the cluster then
    follows the account default, which is off unless someone changed it).

    ## Why is this bad?
    Container Insights collects the per-task and per-container metrics and performance
    log events that show a task restarting in a loop, a container starved of memory or
    an unexpected spike of network traffic: the first signals of an incident or of a
    compromised workload.

    ## Example
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"

      setting {
        name  = "containerInsights"
        value = "enabled" # or "enhanced"
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-12
    - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights.html
    """

    meta = RuleMeta(
        id="ecs-container-insights-disabled",
        title="ECS cluster without Container Insights",
        severity=Severity.MEDIUM,
        practice=5,
        controls=("ECS.12",),
        resource_types=("aws_ecs_cluster",),
        remediation='Add `setting { name = "containerInsights" value = "enabled" }` (or "enhanced").',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for cluster in inv.of(Cluster):
            name = cluster.name or cluster.address
            if cluster.is_unknown("setting"):
                yield self.unknown(cluster, ("setting",))
                continue
            i = cluster.setting_index(SETTING)
            if i is None:
                unnamed = [j for j, _ in enumerate(cluster.setting) if cluster.is_unknown("setting", j, "name")]
                if unnamed:
                    yield self.unknown(cluster, ("setting", unnamed[0], "name"))
                else:
                    yield self.fail(cluster, ("setting",), f"cluster {name!r} has no containerInsights setting, so Container Insights is off")
                continue
            path = ("setting", i, "value")
            value = cluster.setting[i].value
            if cluster.is_unknown(*path):
                yield self.unknown(cluster, path)
            elif (value or "").lower() not in ON:
                yield self.fail(cluster, path, f"cluster {name!r} has Container Insights off: containerInsights is {value or 'empty'}")
