from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsTaskRoleMissing(Rule):
    """
    ## What it does
    Flags EC2-compatible task definitions (`requires_compatibilities` unset, or
    containing `EC2` or `EXTERNAL`) that set no `task_role_arn`.

    ## Why is this bad?
    On EC2 capacity, a task without a task role can still reach the instance metadata
    service and use the container instance's role, whose permissions are meant for the
    ECS agent (and often more). Every container on the host then shares one identity, and
    least privilege per task is lost. A task role gives each task its own, narrow
    credentials.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["EC2"]
      container_definitions    = jsonencode([{ name = "app", image = "app:1.2", memory = 256 }])
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["EC2"]
      task_role_arn            = aws_iam_role.app_task.arn
      container_definitions    = jsonencode([{ name = "app", image = "app:1.2", memory = 256 }])
    }
    ```
    Also block task access to instance metadata on the container instances
    (`ECS_AWSVPC_BLOCK_IMDS=true`, or an iptables rule for bridge mode).

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-roles.html
    """

    meta = RuleMeta(
        id="ecs-task-role-missing",
        title="EC2 task definition without a task role",
        severity=Severity.LOW,
        practice=1,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Set `task_role_arn` to a role made for this task, with only the permissions it needs.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            if td.task_role_arn or td.is_unknown("task_role_arn"):
                continue
            if td.is_unknown("requires_compatibilities"):
                yield self.unknown(td, ("requires_compatibilities",))
                continue
            if td.ec2_compatible:
                compat = ", ".join(td.requires_compatibilities) or "unset, so EC2"
                yield self.fail(
                    td,
                    ("task_role_arn",),
                    f"task definition {td.family or td.address!r} (requires_compatibilities: {compat}) has no task role: "
                    "its containers fall back to the container instance's role",
                )
