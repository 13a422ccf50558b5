from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.iam import same_role_ref
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsTaskRoleSameAsExecutionRole(Rule):
    """
    ## What it does
    Flags task definitions whose `task_role_arn` and `execution_role_arn` are the same
    role. Roles are compared by identity: both attributes are followed through the plan's
    references to the role resource (so two references to a role created in the same
    change match even though its ARN is unknown), and two literal ARNs (or role names)
    that name the same role match too.

    ## Why is this bad?
    The execution role is for the ECS agent: it pulls images and reads the secrets that
    are injected into the containers. The task role is what the application's code gets.
    One role for both hands the application the right to read every secret of the task
    definition directly, and to pull images, so a compromise of the application reaches
    further than it needs to.

    ## Example
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      task_role_arn      = aws_iam_role.ecs.arn
      execution_role_arn = aws_iam_role.ecs.arn
      # ...
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      task_role_arn      = aws_iam_role.app_task.arn
      execution_role_arn = aws_iam_role.app_execution.arn
      # ...
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-roles.html
    """

    meta = RuleMeta(
        id="ecs-task-role-same-as-execution-role",
        title="ECS task role is also the execution role",
        severity=Severity.MEDIUM,
        practice=1,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Give the task its own task role, separate from the execution role.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        path = ("task_role_arn",)
        for td in inv.of(TaskDefinition):
            task, execution = td.task_role_arn, td.execution_role_arn
            task_unknown, exec_unknown = td.is_unknown("task_role_arn"), td.is_unknown("execution_role_arn")
            if not (task or task_unknown) or not (execution or exec_unknown):
                continue
            if task and execution:
                if same_role_ref(task, execution):
                    yield self.fail(td, path, f"task_role_arn and execution_role_arn both name role {task!r}")
                continue
            task_roles = {r.address for r in inv.roles_for(td, "task_role_arn")}
            exec_roles = {r.address for r in inv.roles_for(td, "execution_role_arn")}
            if task_roles and exec_roles:
                if task_roles == exec_roles and len(task_roles) == 1:
                    yield self.fail(td, path, f"task_role_arn and execution_role_arn both refer to {next(iter(task_roles))}")
                elif task_roles & exec_roles:
                    yield self.unknown(td, path, "task_role_arn and execution_role_arn refer to instances of the same role, and which ones is known only after apply")
            elif task_unknown and not task_roles:
                yield self.unknown(td, path, "task_role_arn is known only after apply and names no role in this plan")
            elif exec_unknown and not exec_roles:
                yield self.unknown(td, ("execution_role_arn",), "execution_role_arn is known only after apply and names no role in this plan")
