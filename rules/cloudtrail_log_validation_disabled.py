from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.monitoring import Trail
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class CloudtrailLogValidationDisabled(Rule):
    """
    ## What it does
    Flags `aws_cloudtrail` trails whose `enable_log_file_validation` is not `true`.
    Unset means disabled.

    ## Why is this bad?
    Without log file validation CloudTrail writes no signed digest files, so nobody can
    prove that a log file was not edited or deleted after delivery. Whoever compromises
    the trail's bucket can then rewrite the record of what they did.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudtrail" "main" {
      name                       = "main"
      s3_bucket_name             = aws_s3_bucket.trail.id
      enable_log_file_validation = true
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-4
    - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
    """

    meta = RuleMeta(
        id="cloudtrail-log-validation-disabled",
        title="CloudTrail log file validation disabled",
        severity=Severity.LOW,
        practice=5,
        controls=("CloudTrail.4",),
        resource_types=("aws_cloudtrail",),
        remediation="Set `enable_log_file_validation = true`.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for trail in inv.of(Trail):
            path = ("enable_log_file_validation",)
            if trail.is_unknown(*path):
                yield self.unknown(trail, path)
            elif trail.enable_log_file_validation is not True:
                shown = "false" if trail.enable_log_file_validation is False else "unset (false)"
                yield self.fail(
                    trail, path, f"trail {trail.name or trail.address!r} writes no digest files: enable_log_file_validation is {shown}"
                )
