from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.monitoring import ECS_FARGATE_AGENT_MANAGEMENT, GuardDutyDetector, GuardDutyDetectorFeature
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class GuarddutyEcsRuntimeMonitoringDisabled(Rule):
    """
    ## What it does
    Flags `aws_guardduty_detector` resources for which no
    `aws_guardduty_detector_feature` (its `detector_id` referring to or naming the
    detector) enables `RUNTIME_MONITORING`. A feature that is there but `DISABLED` is
    reported on the feature's `status`, also when its `ECS_FARGATE_AGENT_MANAGEMENT`
    additional configuration is enabled (the agent does not run while the feature is
    off). A detector with `enable = false` is reported too: none of its features run.
    `EKS_RUNTIME_MONITORING` watches EKS clusters only and does not count; the API knows
    no `ECS_RUNTIME_MONITORING`. Features whose detector is known only after apply and
    refers to no detector of the configuration make the result `unknown`.

    ## Why is this bad?
    Runtime Monitoring is what sees a compromised task at run time: a reverse shell, a
    crypto miner, a container reaching the instance metadata for credentials. Without it
    GuardDuty sees ECS workloads only through VPC flow logs, DNS and CloudTrail.

    ## Example
    ```hcl
    resource "aws_guardduty_detector" "main" {
      enable = true
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_guardduty_detector_feature" "runtime" {
      detector_id = aws_guardduty_detector.main.id
      name        = "RUNTIME_MONITORING"
      status      = "ENABLED"

      additional_configuration {
        name   = "ECS_FARGATE_AGENT_MANAGEMENT"
        status = "ENABLED"
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-11
    - https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-12
    - https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfiguration.html
    """

    meta = RuleMeta(
        id="guardduty-ecs-runtime-monitoring-disabled",
        title="GuardDuty Runtime Monitoring for ECS disabled",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("GuardDuty.11", "GuardDuty.12"),
        resource_types=("aws_guardduty_detector", "aws_guardduty_detector_feature"),
        remediation='Add an `aws_guardduty_detector_feature` with `name = "RUNTIME_MONITORING"`, `status = "ENABLED"` and ECS_FARGATE_AGENT_MANAGEMENT enabled.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        features = inv.of(GuardDutyDetectorFeature)
        dangling = [f for f in features if f.is_unknown("detector_id") and not inv.linked(f, "detector_id", GuardDutyDetector)]
        for det in inv.of(GuardDutyDetector):
            if det.is_unknown("enable"):
                yield self.unknown(det, ("enable",))
                continue
            if det.enable is False:
                yield self.fail(det, ("enable",), f"detector {det.address} is disabled (enable = false), so Runtime Monitoring does not run")
                continue
            mine = inv.referrers(det, GuardDutyDetectorFeature, "detector_id")
            runtime = [f for f in mine if f.is_runtime_monitoring]
            if any(f.enabled and not f.is_unknown("status") for f in runtime):
                continue
            undecided = [f for f in runtime if f.is_unknown("status")] + [f for f in mine if f.is_unknown("name")]
            if undecided:
                f = undecided[0]
                yield self.unknown(f, ("status",) if f.is_unknown("status") else ("name",))
                continue
            if runtime:
                f = runtime[0]
                agent = f.additional(ECS_FARGATE_AGENT_MANAGEMENT)
                note = f"; its {ECS_FARGATE_AGENT_MANAGEMENT} does nothing while the feature is off" if agent and agent.enabled else ""
                yield self.fail(f, ("status",), f"RUNTIME_MONITORING of detector {det.address} is {f.status or 'unset'}{note}")
            elif dangling:
                yield self.unknown(
                    det,
                    (),
                    f"{dangling[0].address}.detector_id is known only after apply, so whether detector {det.address} "
                    "has Runtime Monitoring cannot be told",
                )
            else:
                yield self.fail(det, (), f"detector {det.address} has no aws_guardduty_detector_feature enabling RUNTIME_MONITORING")
