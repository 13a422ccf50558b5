from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.model.secretscan import classify, is_reference, is_secret_name
from tfecs.rule import ContainerRule, Finding, RuleMeta, RuleOption, Severity


class EcsSecretInEnvironment(ContainerRule):
    """
    ## What it does
    Flags container definition `environment` entries and `dockerLabels` that hold a
    secret:

    - a value in a format only secrets have: AWS access key ids (`AKIA…`, `ASIA…`) and
      secret access keys, GitHub (`ghp_…`, `github_pat_…`), Slack (`xoxb-…`, webhook
      URLs), Stripe (`sk_live_…`), Google, GitLab, npm and SendGrid tokens, PEM private
      key blocks, JWTs, URLs or connection strings with a password;
    - a secret-like name (`DB_PASSWORD`, `apiKey`, `AWS_SECRET_ACCESS_KEY`, a name ending
      in PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIALS…) with a
      literal value, unless the value is a reference or a setting: an ARN, a path, a
      secret *name* (`app/db`), a URL without credentials, a number, a boolean, an
      interpolation such as `${DB_PASSWORD}`. Names that end in a setting are not
      secret-like: `PASSWORD_MIN_LENGTH`, `TOKEN_TTL_SECONDS`, `DB_PASSWORD_SECRET_NAME`;
    - a long random-looking string (Shannon entropy) under any name but a digest's;
    - a value the plan marks sensitive. When the whole `container_definitions` is marked
      sensitive (a sensitive value anywhere inside makes Terraform mark all of it), each
      entry is judged by its name and format as above; when none fails that way and some
      entry holds a literal that is neither a reference nor a setting, one unknown finding
      on `container_definitions` says the sensitive input may sit in plain text there.

    The finding names the container, the variable and its path
    (`container_definitions[0].environment[2].value`), never the value. A secret-like
    name whose value is known only after apply is reported as unknown; so is a whole
    `container_definitions` known only after apply. `secrets[].valueFrom` references are
    the fix, never a finding.

    ## Why is this bad?
    Environment variables and docker labels are part of the task definition: anyone
    allowed `ecs:DescribeTaskDefinition` reads them, they are stored in every revision
    and in the Terraform state, shown by `docker inspect` on the host, and inherited by
    every process in the container. They cannot be rotated without a new revision.

    ## Example
    ```hcl
    container_definitions = jsonencode([{
      name        = "app"
      environment = [{ name = "DB_PASSWORD", value = "hunter2" }]
    }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{
      name    = "app"
      secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]
    }])
    ```
    and allow the execution role `secretsmanager:GetSecretValue` on that secret only.

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    """

    meta = RuleMeta(
        id="ecs-secret-in-environment",
        title="secret in container environment",
        severity=Severity.HIGH,
        practice=3,
        controls=("ECS.8",),
        resource_types=("aws_ecs_task_definition",),
        remediation="Move the value to Secrets Manager or SSM Parameter Store (SecureString) and reference it from `secrets[].valueFrom`.",
    )
    OPTIONS = (
        RuleOption(
            "secret_names", "list[str]", [],
            "More names whose literal value is a secret (globs, case-insensitive: `*_DSN`, `LICENSE_KEY`), "
            "judged like the built-in secret-like names.",
        ),
        RuleOption(
            "exempt_names", "list[str]", [],
            "Names never judged (globs, case-insensitive): an accepted exception for every task definition, "
            "even when the value looks like a secret.",
        ),
    )

    def _named(self, option: str, name: str | None) -> bool:
        patterns = self.option(option, ())
        return bool(name) and any(fnmatchcase(name.upper(), p.upper()) for p in patterns)  # type: ignore[union-attr, attr-defined]

    def judge_task(self, td: TaskDefinition) -> Iterator[Finding]:
        # Terraform marks the whole attribute sensitive when any part is: then the
        # marks say nothing about a single value, and names and formats decide.
        marks_apply = not td.is_sensitive("container_definitions")
        found = False
        for c in td.containers:
            for finding in (*self._environment(td, c, marks_apply), *self._labels(td, c, marks_apply)):
                found = found or finding.status == "fail"
                yield finding
        if not marks_apply and not found and any(_opaque_entries(c) for c in td.containers):
            # A sensitive input is somewhere inside, no name or format shows where,
            # and some entry could hold it: unknown, not pass.
            # The names are parts of the sensitive value too: the message shows none.
            yield self.unknown(
                td, ("container_definitions",),
                "container_definitions is marked sensitive as a whole: the sensitive input inside it may be a plain-text environment value or docker label",
            )

    def _environment(self, td: TaskDefinition, c: ContainerDefinition, marks_apply: bool) -> Iterator[Finding]:
        base = ("container_definitions", c.index, "environment")
        if not c.environment and c.is_unknown("environment"):
            yield self.unknown(td, base, container=c.label)
            return
        for j, entry in enumerate(c.environment):
            yield from self._judge(td, c, base + (j,), "value", entry.name, entry.value, marks_apply, "environment variable")

    def _labels(self, td: TaskDefinition, c: ContainerDefinition, marks_apply: bool) -> Iterator[Finding]:
        base = ("container_definitions", c.index, "dockerLabels")
        if not c.docker_labels and c.is_unknown("dockerLabels"):
            yield self.unknown(td, base, container=c.label)
            return
        for key, value in (c.docker_labels or {}).items():
            yield from self._judge(td, c, base, key, key, value, marks_apply, "docker label")

    def _judge(
        self, td: TaskDefinition, c: ContainerDefinition, base: tuple, key: str | int,
        name: str | None, value: object, marks_apply: bool, what: str,
    ) -> Iterator[Finding]:
        """One entry: `base + (key,)` is the path of its value; findings show the name only."""
        path = base + (key,)
        shown = name if name is not None else "(unnamed)"
        if self._named("exempt_names", name):
            return
        listed = self._named("secret_names", name)
        if marks_apply and c.is_sensitive(*path[2:]):
            yield self.fail(td, path, f"container {c.label!r} sets {what} {shown} to a value marked sensitive", container=c.label)
            return
        if value is None and c.is_unknown(*path[2:]):
            if is_secret_name(name) or listed or (name is None and c.is_unknown(*base[2:], "name")):
                yield self.unknown(td, path, f"{what} {shown} of container {c.label!r} gets a value only known after apply: it may be a secret", container=c.label)
            return
        if name is None and c.is_unknown(*base[2:], "name") and value is not None and not is_reference(str(value)):
            kind = classify(None, value)
            if not kind:
                yield self.unknown(td, path, f"the name of an {what} of container {c.label!r} is known only after apply", container=c.label)
                return
        kind = classify(name, value)
        if not kind and listed and value is not None and not is_reference(str(value)):
            kind = "a name listed in secret_names, with a literal value"
        if kind:
            yield self.fail(td, path, f"container {c.label!r} sets {what} {shown} to a secret in plain text ({kind})", container=c.label)


def _opaque_entries(c: ContainerDefinition) -> bool:
    """Some environment variable or label holds a literal that is neither a reference nor
    a setting: where a sensitive input could sit unseen."""
    values = [e.value for e in c.environment] + list((c.docker_labels or {}).values())
    return any(v is not None and not is_reference(str(v)) for v in values)
