from __future__ import annotations

from tfecs.account import API_CALL, AlertRule
from tfecs.model.events import Family, Open
from tfecs.rule import RuleMeta, Severity


class MonitoringEcsScheduledTasksAlertMissing(AlertRule):
    """
    ## What it does
    Part of the `account` profile (`--profile account`). Fails when no enabled
    `aws_cloudwatch_event_rule` on the default event bus with a target matches every CloudTrail event
    (`AWS API Call via CloudTrail`) of one of the calls that create or change a schedule
    able to start ECS tasks: EventBridge's `PutRule` / `PutTargets`
    (`events.amazonaws.com`) or EventBridge Scheduler's `CreateSchedule` /
    `UpdateSchedule` (`scheduler.amazonaws.com`). A pattern naming some of a service's
    calls counts; one narrowed on another field does not. The finding lives on each
    `aws_cloudtrail` (or `account`).

    ## Why is this bad?
    A scheduled task is persistence: an attacker who can put a rule or a schedule with an
    ECS target runs their task every few minutes, long after the first intrusion. AWS's
    ECS guidance asks to monitor scheduled tasks.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_event_rule" "schedules" {
      name          = "schedule-changes"
      event_pattern = <<-JSON
        {
          "source": ["aws.events"],
          "detail-type": ["AWS API Call via CloudTrail"],
          "detail": {
            "eventSource": ["events.amazonaws.com"],
            "eventName": ["PutRule", "PutTargets"]
          }
        }
      JSON
    }

    resource "aws_cloudwatch_event_target" "schedules" {
      rule = aws_cloudwatch_event_rule.schedules.name
      arn  = aws_sns_topic.security.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/scheduled_tasks.html
    """

    meta = RuleMeta(
        id="monitoring-ecs-scheduled-tasks-alert-missing",
        title="No alert on schedules that can start ECS tasks",
        severity=Severity.LOW,
        practice=5,
        controls=(),
        resource_types=("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_cloudtrail"),
        remediation="Add an EventBridge rule matching CloudTrail `PutRule`/`PutTargets` (events.amazonaws.com) or `CreateSchedule`/`UpdateSchedule` (scheduler.amazonaws.com) calls, with a target.",
        profile="account",
        scope="configuration",
    )

    WHAT = "schedules that can start ECS tasks"
    FAMILIES = (
        Family(
            "EventBridge rule changes",
            {"source": "aws.events", "detail-type": API_CALL, "detail.eventSource": "events.amazonaws.com"},
            {"detail.eventName": Open(("PutRule", "PutTargets"))},
        ),
        Family(
            "EventBridge Scheduler changes",
            {"source": "aws.scheduler", "detail-type": API_CALL, "detail.eventSource": "scheduler.amazonaws.com"},
            {"detail.eventName": Open(("CreateSchedule", "UpdateSchedule"))},
        ),
    )
