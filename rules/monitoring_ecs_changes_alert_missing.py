from __future__ import annotations

from tfecs.account import API_CALL, AlertRule
from tfecs.model.events import Family, Open
from tfecs.rule import RuleMeta, Severity

# ECS API calls that create or change tasks, containers and services.
ECS_CHANGE_CALLS = (
    "RegisterTaskDefinition",
    "DeregisterTaskDefinition",
    "CreateService",
    "UpdateService",
    "DeleteService",
    "RunTask",
    "StartTask",
    "StopTask",
    "CreateTaskSet",
    "UpdateTaskSet",
    "ExecuteCommand",
    "UpdateContainerAgent",
)


class MonitoringEcsChangesAlertMissing(AlertRule):
    """
    ## What it does
    Part of the `account` profile (`--profile account`). Fails when no enabled
    `aws_cloudwatch_event_rule` on the default event bus with a target matches every event of one of these kinds:
    ECS's own `ECS Task State Change`, `ECS Container Instance State Change` or
    `ECS Deployment State Change` (`source = ["aws.ecs"]`), or CloudTrail's
    `AWS API Call via CloudTrail` events of `ecs.amazonaws.com` for the calls that change
    tasks and containers (`RegisterTaskDefinition`, `UpdateService`, `RunTask`, ...; a
    pattern naming some of them counts). A pattern narrowed further (only `STOPPED`
    tasks, say) does not. The finding lives on each `aws_cloudtrail` (or `account`).

    ## Why is this bad?
    A new task definition, a changed service or a task run by hand is how an attacker
    with ECS permissions runs their own code next to yours. Without an event rule on
    those changes, nobody hears of them.

    ## Example
    ```hcl
    # an account baseline with a trail and no event rule on ECS
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_event_rule" "ecs" {
      name = "ecs-changes"
      event_pattern = jsonencode({
        source        = ["aws.ecs"]
        "detail-type" = ["ECS Task State Change"]
      })
    }

    resource "aws_cloudwatch_event_target" "ecs" {
      rule = aws_cloudwatch_event_rule.ecs.name
      arn  = aws_sns_topic.security.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html
    """

    meta = RuleMeta(
        id="monitoring-ecs-changes-alert-missing",
        title="No alert on changes to ECS tasks and containers",
        severity=Severity.LOW,
        practice=5,
        controls=(),
        resource_types=("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_cloudtrail"),
        remediation='Add an EventBridge rule matching `source = ["aws.ecs"]` with `detail-type = ["ECS Task State Change"]` (or ECS API calls via CloudTrail) and a target.',
        profile="account",
        scope="configuration",
    )

    WHAT = "changes to ECS tasks and containers"
    FAMILIES = (
        *(
            Family(kind, {"source": "aws.ecs", "detail-type": kind})
            for kind in ("ECS Task State Change", "ECS Container Instance State Change", "ECS Deployment State Change")
        ),
        Family(
            "ECS API calls",
            {"source": "aws.ecs", "detail-type": API_CALL, "detail.eventSource": "ecs.amazonaws.com"},
            {"detail.eventName": Open(ECS_CHANGE_CALLS)},
        ),
    )
