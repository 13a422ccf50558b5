from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import Cluster, Service
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsExecLoggingDisabled(Rule):
    """
    ## What it does
    Flags `aws_ecs_cluster` resources whose
    `configuration.execute_command_configuration.logging` is `NONE`. Unset (or no
    `configuration` block) means `DEFAULT`, which logs ECS Exec sessions through the
    task's `awslogs` configuration, and passes. The finding is medium when a service in
    that cluster (`aws_ecs_service.cluster` pointing at it) enables ECS Exec, or may
    enable it (its `enable_execute_command` is known only after apply); low otherwise.

    ## Why is this bad?
    With logging off, the commands people run inside containers through ECS Exec leave
    no output anywhere: an interactive shell in production with no audit record.

    ## Example
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"
      configuration {
        execute_command_configuration {
          logging = "NONE"
        }
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"
      configuration {
        execute_command_configuration {
          kms_key_id = aws_kms_key.exec.arn
          logging    = "OVERRIDE"
          log_configuration {
            cloud_watch_encryption_enabled = true
            cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
          }
        }
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html
    """

    meta = RuleMeta(
        id="ecs-exec-logging-disabled",
        title="ECS Exec session logging disabled",
        severity=Severity.LOW,
        practice=5,
        controls=(),
        resource_types=("aws_ecs_cluster",),
        remediation='Set `execute_command_configuration.logging` to "DEFAULT" or "OVERRIDE" with a log destination.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for cluster in inv.of(Cluster):
            path = ("configuration", 0, "execute_command_configuration", 0, "logging")
            if cluster.is_unknown(*path):  # also when a block around it is unknown
                yield self.unknown(cluster, path)
                continue
            if (cluster.exec_logging or "").upper() != "NONE":
                continue
            name = cluster.name or cluster.address
            services = inv.referrers(cluster, Service, "cluster")
            enabling = [s for s in services if s.enable_execute_command is True]
            maybe = [s for s in services if s.is_unknown("enable_execute_command")]
            if enabling or maybe:
                svc = (enabling or maybe)[0]
                how = "enables" if enabling else "may enable"
                yield self.fail(
                    cluster,
                    path,
                    f"cluster {name!r} logs no ECS Exec sessions (logging is NONE) while service {svc.name or svc.address!r} {how} ECS Exec",
                    severity=Severity.MEDIUM,
                )
            else:
                yield self.fail(cluster, path, f"cluster {name!r} logs no ECS Exec sessions: logging is NONE")
