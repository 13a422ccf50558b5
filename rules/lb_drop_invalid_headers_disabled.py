from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.network import LoadBalancer
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class LbDropInvalidHeadersDisabled(Rule):
    """
    ## What it does
    Flags Application Load Balancers (`aws_lb` / `aws_alb` whose `load_balancer_type` is
    `application` or unset) without `drop_invalid_header_fields = true`. Network and
    gateway load balancers do not parse HTTP and are not checked.

    ## Why is this bad?
    By default the load balancer forwards HTTP headers whose names do not match
    `[-A-Za-z0-9]+`. Front ends and back ends that parse such headers differently open
    the way to request smuggling and header injection against the services behind it.

    ## Example
    ```hcl
    resource "aws_lb" "app" {
      load_balancer_type = "application"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb" "app" {
      load_balancer_type         = "application"
      drop_invalid_header_fields = true
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-4
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
    """

    meta = RuleMeta(
        id="lb-drop-invalid-headers-disabled",
        title="load balancer forwards invalid HTTP headers",
        severity=Severity.MEDIUM,
        practice=2,
        controls=("ELB.4",),
        resource_types=LoadBalancer.TYPES,
        remediation="Set `drop_invalid_header_fields = true`.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for lb in inv.of(LoadBalancer):
            path = ("drop_invalid_header_fields",)
            if lb.drop_invalid_header_fields is True:
                continue
            if lb.is_unknown("load_balancer_type"):
                yield self.unknown(lb, ("load_balancer_type",))
            elif not lb.is_application:
                continue
            elif lb.is_unknown(*path):
                yield self.unknown(lb, path)
            else:
                shown = "false" if lb.drop_invalid_header_fields is False else "unset (false)"
                yield self.fail(lb, path, f"application load balancer {lb.name or lb.address!r} forwards invalid HTTP headers: drop_invalid_header_fields is {shown}")
