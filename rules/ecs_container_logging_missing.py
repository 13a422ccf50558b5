from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsContainerLoggingMissing(ContainerRule):
    """
    ## What it does
    Flags container definitions without `logConfiguration.logDriver` (or with Docker's
    `none` driver).

    ## Why is this bad?
    Without a log driver the container's output stays on the instance (or, on Fargate,
    is lost) and is gone with the task: there is no record to investigate an incident
    with, and no signal for detections that read application logs.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "app:1.2" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name  = "app"
      image = "app:1.2"
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = "eu-west-1"
          awslogs-stream-prefix = "app"
        }
      }
    }])
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-9
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    """

    meta = RuleMeta(
        id="ecs-container-logging-missing",
        title="container has no log configuration",
        severity=Severity.HIGH,
        practice=5,
        controls=("ECS.9",),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `logConfiguration.logDriver` (for example "awslogs" with a CloudWatch log group).',
    )

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "logConfiguration", "logDriver")
        driver = (c.log_configuration.log_driver or "").strip() if c.log_configuration else ""
        if c.is_unknown("logConfiguration", "logDriver"):
            yield self.unknown(td, path, container=c.label)
        elif not driver:
            where = "no logConfiguration" if c.log_configuration is None else "a logConfiguration without logDriver"
            yield self.fail(td, path, f"container {c.label!r} has {where}, so its output is not shipped to any log store", container=c.label)
        elif driver.lower() == "none":
            yield self.fail(td, path, f"container {c.label!r} discards its logs: logDriver is \"none\"", container=c.label)
