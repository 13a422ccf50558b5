from __future__ import annotations

import re

from tfecs.account import API_CALL, AlertRule, Verdict
from tfecs.model.events import Family, LogMetricFilter, MetricAlarm, Open
from tfecs.model.inventory import Inventory
from tfecs.rule import RuleMeta, Severity

ROOT_FILTER = re.compile(r'\$\.userIdentity\.type\s*=\s*"?Root"?')


class MonitoringRootActivityAlertMissing(AlertRule):
    """
    ## What it does
    Part of the `account` profile (`--profile account`): judges the configuration that
    holds the account's baseline as a whole. Fails when no enabled
    `aws_cloudwatch_event_rule` on the default event bus with at least one `aws_cloudwatch_event_target` matches
    every root-user event of the sources it names: console sign-ins (`aws.signin`,
    `AWS Console Sign In via CloudTrail`) or API calls (`AWS API Call via CloudTrail`)
    with `detail.userIdentity.type = "Root"`. A pattern narrowed further (to one event
    name, say) does not count. A CloudWatch Logs metric filter on
    `$.userIdentity.type = "Root"` with an `aws_cloudwatch_metric_alarm` on its metric
    counts too. The finding lives on each `aws_cloudtrail` (or on `account` when the
    configuration has none); a pattern known only after apply makes it `unknown`.

    ## Why is this bad?
    The root user can do anything, including what no IAM policy can stop. AWS's ECS
    security guidance asks for an alert on any root activity: without one, a stolen root
    password is used unnoticed.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_event_rule" "root" {
      name = "root-activity"
      event_pattern = jsonencode({
        "detail-type" = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
        detail        = { userIdentity = { type = ["Root"] } }
      })
    }

    resource "aws_cloudwatch_event_target" "root" {
      rule = aws_cloudwatch_event_rule.root.name
      arn  = aws_sns_topic.security.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
    - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-1
    - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
    """

    meta = RuleMeta(
        id="monitoring-root-activity-alert-missing",
        title="No alert on root-user activity",
        severity=Severity.MEDIUM,
        practice=5,
        controls=("CloudWatch.1",),
        resource_types=("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm", "aws_cloudtrail"),
        remediation='Add an EventBridge rule matching `detail.userIdentity.type = ["Root"]` with a target (e.g. an SNS topic someone reads).',
        profile="account",
        scope="configuration",
    )

    WHAT = "root-user activity"
    FAMILIES = (
        Family(
            "root console sign-in",
            {
                "source": "aws.signin",
                "detail-type": "AWS Console Sign In via CloudTrail",
                "detail.userIdentity.type": "Root",
                "detail.eventType": "AwsConsoleSignIn",
                "detail.userIdentity.invokedBy": None,
            },
        ),
        Family(
            "root API call",
            {
                "detail-type": API_CALL,
                "detail.userIdentity.type": "Root",
                "detail.eventType": "AwsApiCall",
                "detail.userIdentity.invokedBy": None,
            },
            {"source": Open(prefix="aws.")},
        ),
    )

    def extra(self, inv: Inventory) -> Verdict | None:
        unknown = None
        for flt in inv.of(LogMetricFilter):
            if flt.is_unknown("pattern"):
                unknown = unknown or f"{flt.address}.pattern"
                continue
            if not ROOT_FILTER.search(flt.pattern or ""):
                continue
            metrics = {m for m in flt.metrics() if None not in m}
            for alarm in inv.of(MetricAlarm):
                if metrics & alarm.metrics() or any(r.address == flt.address for ref in alarm.refs("metric_name") for r in inv.resolve(ref)):
                    return Verdict(True)
                if alarm.is_unknown("metric_name") or alarm.is_unknown("namespace"):
                    unknown = unknown or f"{alarm.address}.metric_name"
        return Verdict(None, unknown) if unknown else None
