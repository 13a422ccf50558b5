from __future__ import annotations

from typing import Iterator

from tfecs.model.base import format_path
from tfecs.model.ecs import TaskDefinition
from tfecs.model.iam import IamRole
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsTaskRoleAdmin(Rule):
    """
    ## What it does
    Flags task definitions whose task role is an administrator: the AWS-managed
    `AdministratorAccess` policy is attached to it (`aws_iam_role_policy_attachment`,
    `aws_iam_policy_attachment` or `managed_policy_arns`), or one of its inline or
    attached policies fails iam-admin-policy (`Allow` `*` or `NotAction` on `*`).
    The role is found through the plan's references, so a role created in the same
    change (its ARN unknown until apply) is judged too. The finding is on the task
    definition's `task_role_arn` and names the attachment or policy that grants admin.

    ## Why is this bad?
    Every process in the task's containers can fetch the task role's credentials. An
    administrator task role turns any code execution in the application (a dependency,
    an SSRF, a deserialisation bug) into full control of the AWS account.

    ## Example
    ```hcl
    resource "aws_iam_role_policy_attachment" "task_admin" {
      role       = aws_iam_role.task.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }

    resource "aws_ecs_task_definition" "app" {
      task_role_arn = aws_iam_role.task.arn
      # ...
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_role_policy" "task" {
      role = aws_iam_role.task.id
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["${aws_s3_bucket.assets.arn}/*"] }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    - https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1
    """

    meta = RuleMeta(
        id="ecs-task-role-admin",
        title="ECS task role has administrator access",
        severity=Severity.HIGH,
        practice=1,
        controls=("IAM.1",),
        resource_types=("aws_ecs_task_definition",),
        remediation="Give the task a role with only the actions and resources the application uses.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        path = ("task_role_arn",)
        for td in inv.of(TaskDefinition):
            if not td.task_role_arn and not td.is_unknown("task_role_arn"):
                continue
            roles = inv.roles_for(td, "task_role_arn")
            if not roles:
                if td.is_unknown("task_role_arn"):
                    yield self.unknown(td, path, "task_role_arn is known only after apply and names no role in this plan")
                continue  # a known role outside this configuration: nothing to judge
            verdicts = [(role, *self._judge(inv, role)) for role in roles]
            if all(admin for _, admin, _ in verdicts):
                reasons = "; ".join(f"{role.address}: {', '.join(admin)}" for role, admin, _ in verdicts)
                yield self.fail(td, path, f"task role is an administrator ({reasons})")
            elif any(admin for _, admin, _ in verdicts):
                candidates = ", ".join(role.address for role in roles)
                yield self.unknown(td, path, f"task_role_arn is one of {candidates}, and only some are administrators")
            elif any(unknown for _, _, unknown in verdicts):
                pending = ", ".join(u for _, _, unknown in verdicts for u in unknown)
                yield self.unknown(td, path, f"the task role's policies are known only after apply: {pending}")

    @staticmethod
    def _judge(inv: Inventory, role: IamRole) -> tuple[list[str], list[str]]:
        """What makes the role an administrator, and what about it is not known yet."""
        admin: list[str] = []
        unknown: list[str] = []
        for res, where in inv.admin_attachments(role):
            admin.append(f"AdministratorAccess attached by {res.address}.{format_path(where)}")
        for ref in inv.role_documents(role):
            where = f"{ref.resource.address}.{format_path(ref.path)}"
            unknown.extend(f"{ref.resource.address}.{format_path(path)}" for path in ref.unknowns(lambda st: st.grants_admin))
            admin.extend(f"{where} {ref.label(st)} allows every action on every resource" for st in ref.statements if st.grants_admin)
        for res, where in inv.unresolved_policies(role):
            unknown.append(f"{res.address}.{format_path(where)}")
        return admin, unknown
