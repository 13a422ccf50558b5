from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.network import DEFAULT_TLS_POLICY, FORWARD_SECRECY_TLS_POLICIES, Listener, LoadBalancer
from tfecs.rule import Finding, Rule, RuleMeta, RuleOption, Severity


class LbWeakTlsPolicy(Rule):
    """
    ## What it does
    Flags HTTPS and TLS listeners (`aws_lb_listener` / `aws_alb_listener`) whose
    `ssl_policy` is not a TLS 1.2+ forward-secrecy policy. Unset means AWS's default for
    the API and Terraform, `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0.

    Accepted: `ELBSecurityPolicy-TLS13-1-2-2021-06`, `-TLS13-1-2-Res-2021-06`,
    `-TLS13-1-3-2021-06`, `-FS-1-2-2019-08`, `-FS-1-2-Res-2019-08`,
    `-FS-1-2-Res-2020-10`, the FIPS policies `TLS13-1-2`, `TLS13-1-2-Res`,
    `TLS13-1-2-Ext0`, `TLS13-1-3` (`-FIPS-2023-04`), and their post-quantum `-PQ-2025-09`
    counterparts. `TLS-1-2-2017-01`, `TLS-1-2-Ext-2018-06` and the `TLS13-1-2-Ext1` /
    `-Ext2` policies allow TLS 1.2 only, but also offer RSA key exchange without forward
    secrecy (`AES128-GCM-SHA256` ...), so they fail.

    ## Why is this bad?
    TLS 1.0 and 1.1 are deprecated (RFC 8996) and open to downgrade attacks; ciphers
    without forward secrecy let anyone who later obtains the certificate's private key
    decrypt recorded traffic.

    ## Example
    ```hcl
    resource "aws_lb_listener" "https" {
      protocol   = "HTTPS"
      ssl_policy = "ELBSecurityPolicy-2016-08"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_lb_listener" "https" {
      protocol   = "HTTPS"
      ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-17
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    """

    meta = RuleMeta(
        id="lb-weak-tls-policy",
        title="listener allows old TLS versions or ciphers without forward secrecy",
        severity=Severity.MEDIUM,
        practice=2,
        controls=("ELB.17",),
        resource_types=Listener.TYPES,
        remediation='Set `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"` (or another TLS 1.2+ forward-secrecy policy).',
    )
    OPTIONS = (
        RuleOption(
            "minimum_tls_version", "str", "1.2",
            'The oldest TLS version a listener may accept: "1.2" (TLS 1.2+ forward-secrecy policies) or '
            '"1.3" (only the `TLS13-1-3` policies, which accept TLS 1.3 alone).',
            choices=("1.2", "1.3"),
        ),
        RuleOption("allowed_policies", "list[str]", [], "More policy names to accept (for example a policy the accepted list does not know yet)."),
    )

    def accepted(self) -> frozenset[str]:
        policies = FORWARD_SECRECY_TLS_POLICIES
        if self.option("minimum_tls_version") == "1.3":
            policies = frozenset(p for p in policies if "-TLS13-1-3-" in p)
        return policies | frozenset(self.option("allowed_policies", ()))  # type: ignore[arg-type]

    def check(self, inv: Inventory) -> Iterator[Finding]:
        accepted = self.accepted()
        strict = self.option("minimum_tls_version") == "1.3"
        for listener in inv.of(Listener):
            policy = listener.ssl_policy
            if policy in accepted:
                continue
            if listener.is_unknown("protocol"):
                yield self.unknown(listener, ("protocol",))
                continue
            lbs = inv.linked(listener, "load_balancer_arn", LoadBalancer)
            if listener.effective_protocol(lbs) not in ("HTTPS", "TLS"):
                continue
            path = ("ssl_policy",)
            if listener.is_unknown(*path):
                yield self.unknown(listener, path)
            elif not policy:
                yield self.fail(listener, path, f"{listener.protocol} listener has no ssl_policy: AWS applies {DEFAULT_TLS_POLICY}, which accepts TLS 1.0 and ciphers without forward secrecy")
            elif strict:
                yield self.fail(listener, path, f"{listener.protocol} listener uses {policy}, which accepts TLS versions older than 1.3 (minimum_tls_version = 1.3)")
            else:
                yield self.fail(listener, path, f"{listener.protocol} listener uses {policy}, not a TLS 1.2+ forward-secrecy policy")
