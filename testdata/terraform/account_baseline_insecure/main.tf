# An account baseline that looks complete and misses every alert of the `account`
# profile: each near miss is one people make.

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

# Root: only console logins of the root user (a heredoc), not its API calls.
resource "aws_cloudwatch_event_rule" "bad_root_logins_only" {
  name          = "root-console-login"
  event_pattern = <<-JSON
    {
      "detail-type": ["AWS Console Sign In via CloudTrail"],
      "detail": {
        "userIdentity": { "type": ["Root"] },
        "responseElements": { "ConsoleLogin": ["Failure"] }
      }
    }
  JSON
}

resource "aws_cloudwatch_event_target" "bad_root_logins_only" {
  rule = aws_cloudwatch_event_rule.bad_root_logins_only.name
  arn  = aws_sns_topic.security.arn
}

# Root: the CIS metric filter, but no alarm on its metric.
resource "aws_cloudwatch_log_group" "trail" {
  name = "cloudtrail"
}

resource "aws_cloudwatch_log_metric_filter" "bad_root_usage" {
  name           = "root-usage"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
  metric_transformation {
    name      = "RootUsage"
    namespace = "CIS"
    value     = "1"
  }
}

# ECS: the right pattern, but no target.
resource "aws_cloudwatch_event_rule" "bad_ecs_no_target" {
  name = "ecs-changes"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
  })
}

# ECS: stopped tasks only, with a target.
resource "aws_cloudwatch_event_rule" "bad_ecs_stopped_only" {
  name = "ecs-stopped"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail        = { lastStatus = ["STOPPED"] }
  })
}

resource "aws_cloudwatch_event_target" "bad_ecs_stopped_only" {
  rule = aws_cloudwatch_event_rule.bad_ecs_stopped_only.name
  arn  = aws_sns_topic.security.arn
}

# Schedules: a scheduled rule (a scheduled task itself), and a disabled watch on PutRule.
resource "aws_cloudwatch_event_rule" "bad_nightly" {
  name                = "nightly"
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "bad_nightly" {
  rule = aws_cloudwatch_event_rule.bad_nightly.name
  arn  = aws_sns_topic.security.arn
}

resource "aws_cloudwatch_event_rule" "bad_schedules_disabled" {
  name  = "schedule-changes"
  state = "DISABLED"
  event_pattern = jsonencode({
    source        = ["aws.events"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail        = { eventSource = ["events.amazonaws.com"], eventName = ["PutRule", "PutTargets"] }
  })
}

resource "aws_cloudwatch_event_target" "bad_schedules_disabled" {
  rule = aws_cloudwatch_event_rule.bad_schedules_disabled.name
  arn  = aws_sns_topic.security.arn
}

# Inspector: enabled for EC2 only; coverage events routed, not findings.
resource "aws_inspector2_enabler" "bad_ec2_only" {
  account_ids    = ["123456789012"]
  resource_types = ["EC2"]
}

resource "aws_cloudwatch_event_rule" "bad_inspector_coverage" {
  name = "inspector-coverage"
  event_pattern = jsonencode({
    source        = ["aws.inspector2"]
    "detail-type" = ["Inspector2 Coverage"]
  })
}

resource "aws_cloudwatch_event_target" "bad_inspector_coverage" {
  rule = aws_cloudwatch_event_rule.bad_inspector_coverage.name
  arn  = aws_sns_topic.security.arn
}
