from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.network import Listener, LoadBalancer
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class LbHttpListenerNoRedirect(Rule):
    """
    ## What it does
    Flags `aws_lb_listener` / `aws_alb_listener` with protocol `HTTP` (unset means HTTP on
    an Application Load Balancer) whose default action is not a redirect to `HTTPS`:
    `forward`, `fixed-response`, or a redirect that keeps `#{protocol}`. Listener rules
    (`aws_lb_listener_rule`) are not examined.

    ## Why is this bad?
    Plain HTTP sends requests, cookies and tokens in clear text over the internet, where
    they can be read and altered. A listener on port 80 should only send clients to the
    HTTPS listener.

    ## Example
    ```hcl
    resource "aws_lb_listener" "http" {
      port     = 80
      protocol = "HTTP"
      default_action {
        type             = "forward"
        target_group_arn = aws_lb_target_group.app.arn
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb_listener" "http" {
      port     = 80
      protocol = "HTTP"
      default_action {
        type = "redirect"
        redirect {
          port        = "443"
          protocol    = "HTTPS"
          status_code = "HTTP_301"
        }
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-1
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions
    """

    meta = RuleMeta(
        id="lb-http-listener-no-redirect",
        title="HTTP listener does not redirect to HTTPS",
        severity=Severity.MEDIUM,
        practice=2,
        controls=("ELB.1",),
        resource_types=Listener.TYPES,
        remediation='Make the default action a `redirect` with `protocol = "HTTPS"` (and serve the application on an HTTPS listener).',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for listener in inv.of(Listener):
            if listener.is_unknown("protocol"):
                # A listener with a TLS policy is HTTPS or TLS, whatever its protocol.
                if not listener.redirects_to_https and not listener.ssl_policy:
                    yield self.unknown(listener, ("protocol",))
                continue
            lbs = inv.linked(listener, "load_balancer_arn", LoadBalancer)
            if listener.effective_protocol(lbs) != "HTTP" or listener.redirects_to_https:
                continue
            unknown = _unknown_action(listener)
            if unknown:
                yield self.unknown(listener, unknown)
                continue
            kinds = ", ".join(a.type or "?" for a in listener.default_action) or "none"
            yield self.fail(
                listener, ("default_action",),
                f"HTTP listener on port {listener.port if listener.port is not None else '?'} serves plain HTTP: "
                f"its default action is {kinds}, not a redirect to HTTPS",
            )


def _unknown_action(listener: Listener) -> tuple | None:
    """The path of a default action part that could still turn out to be an HTTPS redirect."""
    if not listener.default_action and listener.is_unknown("default_action"):
        return ("default_action",)
    for i, action in enumerate(listener.default_action):
        if listener.is_unknown("default_action", i, "type"):
            return ("default_action", i, "type")
        if (action.type or "") == "redirect" and listener.has_unknown("default_action", i, "redirect"):
            return ("default_action", i, "redirect")
    return None
