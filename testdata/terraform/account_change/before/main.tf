# The change gate on a whole-configuration fact. before/: the secure baseline with Inspector
# enabled for EC2 only. after/: Inspector covers ECR (fixes inspector-ecr-scanning-disabled)
# and the root-activity rule and its target are deleted (introduces
# monitoring-root-activity-alert-missing).

# An account's security baseline, written the ways people write it: every alert the
# `account` profile asks for is there, each with an SNS target. Must give no finding.

resource "aws_s3_bucket" "trail" {
  bucket = "baseline-trail-123456789012"
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = aws_s3_bucket.trail.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}

resource "aws_sns_topic" "security" {
  name = "security-alerts"
}

# Root activity: jsonencode, console sign-ins and API calls (AWS's own sample pattern).
resource "aws_cloudwatch_event_rule" "good_root" {
  name        = "root-activity"
  description = "Any use of the root user"
  event_pattern = jsonencode({
    "detail-type" = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"]
    detail = {
      userIdentity = { type = ["Root"] }
    }
  })
}

resource "aws_cloudwatch_event_target" "good_root" {
  rule      = aws_cloudwatch_event_rule.good_root.name
  target_id = "sns"
  arn       = aws_sns_topic.security.arn
}

# Changes to tasks and containers: a heredoc.
resource "aws_cloudwatch_event_rule" "good_ecs" {
  name          = "ecs-changes"
  state         = "ENABLED"
  event_pattern = <<-JSON
    {
      "source": ["aws.ecs"],
      "detail-type": ["ECS Task State Change", "ECS Deployment State Change"]
    }
  JSON
}

resource "aws_cloudwatch_event_target" "good_ecs" {
  rule = aws_cloudwatch_event_rule.good_ecs.name
  arn  = aws_sns_topic.security.arn
}

# Schedules that can start ECS tasks: CloudTrail calls of EventBridge and Scheduler, $or.
resource "aws_cloudwatch_event_rule" "good_schedules" {
  name = "schedule-changes"
  event_pattern = jsonencode({
    "detail-type" = ["AWS API Call via CloudTrail"]
    "$or" = [
      { source = ["aws.events"], detail = { eventSource = ["events.amazonaws.com"], eventName = ["PutRule", "PutTargets"] } },
      { source = ["aws.scheduler"], detail = { eventSource = ["scheduler.amazonaws.com"], eventName = ["CreateSchedule", "UpdateSchedule"] } },
    ]
  })
}

resource "aws_cloudwatch_event_target" "good_schedules" {
  rule = aws_cloudwatch_event_rule.good_schedules.name
  arn  = aws_sns_topic.security.arn
}

# Inspector: ECR scanning enabled, HIGH and CRITICAL findings routed.
resource "aws_inspector2_enabler" "good" {
  account_ids    = ["123456789012"]
  resource_types = ["EC2"]
}

locals {
  inspector_pattern = {
    source        = ["aws.inspector2"]
    "detail-type" = ["Inspector2 Finding"]
    detail        = { severity = ["HIGH", "CRITICAL"] }
  }
}

resource "aws_cloudwatch_event_rule" "good_inspector" {
  name          = "inspector-findings"
  event_pattern = jsonencode(local.inspector_pattern)
}

resource "aws_cloudwatch_event_target" "good_inspector" {
  rule = aws_cloudwatch_event_rule.good_inspector.name
  arn  = aws_sns_topic.security.arn
}
