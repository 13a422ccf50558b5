from __future__ import annotations

from tfecs.account import AlertRule
from tfecs.model.events import Family, Open
from tfecs.rule import RuleMeta, Severity


class InspectorFindingsAlertMissing(AlertRule):
    """
    ## What it does
    Part of the `account` profile (`--profile account`). Fails when no enabled
    `aws_cloudwatch_event_rule` on the default event bus with a target matches Amazon Inspector's findings:
    `source = ["aws.inspector2"]`, `detail-type = ["Inspector2 Finding"]`. A pattern
    narrowed to some severities (`HIGH`, `CRITICAL`), to `ACTIVE` findings or to
    `AWS_ECR_CONTAINER_IMAGE` resources counts; one narrowed on another field does not.
    The finding lives on each `aws_cloudtrail` (or `account`).

    ## Why is this bad?
    Scanning images finds vulnerabilities; only routing the findings to someone who acts
    on them fixes any. AWS's ECS guidance asks for both.

    ## Example
    ```hcl
    resource "aws_inspector2_enabler" "this" {
      account_ids    = [data.aws_caller_identity.current.account_id]
      resource_types = ["ECR"]
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudwatch_event_rule" "inspector" {
      name = "inspector-findings"
      event_pattern = jsonencode({
        source        = ["aws.inspector2"]
        "detail-type" = ["Inspector2 Finding"]
        detail        = { severity = ["HIGH", "CRITICAL"] }
      })
    }

    resource "aws_cloudwatch_event_target" "inspector" {
      rule = aws_cloudwatch_event_rule.inspector.name
      arn  = aws_sns_topic.security.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
    - https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html
    """

    meta = RuleMeta(
        id="inspector-findings-alert-missing",
        title="No alert on Amazon Inspector findings",
        severity=Severity.LOW,
        practice=4,
        controls=(),
        resource_types=("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_cloudtrail"),
        remediation='Add an EventBridge rule matching `source = ["aws.inspector2"]`, `detail-type = ["Inspector2 Finding"]`, with a target.',
        profile="account",
        scope="configuration",
    )

    WHAT = "Amazon Inspector findings"
    FAMILIES = (
        Family(
            "Inspector findings",
            {"source": "aws.inspector2", "detail-type": "Inspector2 Finding"},
            {
                "detail.severity": Open(("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")),
                "detail.status": Open(("ACTIVE",)),
                "detail.resources.type": Open(("AWS_ECR_CONTAINER_IMAGE",)),
            },
        ),
    )
