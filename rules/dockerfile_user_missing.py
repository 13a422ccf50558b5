from __future__ import annotations

from typing import Iterator

from tfecs.model.dockerfile import Dockerfile
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity
from tfecs.textsafe import escape_control


class DockerfileUserMissing(Rule):
    """
    ## What it does
    Scans Dockerfiles (`tfecs scan Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, or
    `--dockerfile PATH`). Fails when the final stage sets no `USER`, or when its last
    `USER` is `root`, `0` or `0:<group>`. A stage built `FROM` an earlier stage inherits
    that stage's `USER`; `ARG` defaults and `ENV` values are substituted into `USER`, and
    a value that needs a build argument without a default is `unknown`. The finding lives
    on the file (its repository-relative path) at the line of the `USER` that decides, or
    of the final `FROM` when there is none. Silence it with a comment right above that
    line: `# tfecs:ignore:dockerfile-user-missing[:exp:YYYY-MM-DD] reason`.

    ## Why is this bad?
    Without `USER` a container runs as root: a remote code execution in the application
    is root in the container, one kernel bug or mount away from the host. AWS's ECS
    guidance asks to set a non-root `USER` in the Dockerfile and to fail the build when it
    is missing.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app /app
    CMD ["python", "/app/main.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN pip install --prefix=/install -r requirements.txt

    FROM python:3.12-slim
    COPY --from=build /install /usr/local
    RUN useradd --uid 10001 app
    USER 10001:10001
    CMD ["python", "/app/main.py"]
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html
    - https://docs.docker.com/reference/dockerfile/#user
    """

    meta = RuleMeta(
        id="dockerfile-user-missing",
        title="Dockerfile's final stage runs as root",
        severity=Severity.MEDIUM,
        practice=4,
        controls=(),
        resource_types=("dockerfile",),
        remediation="Add `USER <non-root uid or name>` to the final stage (after the steps that need root).",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for df in inv.of(Dockerfile):
            stage = df.final
            if stage is None:
                f = self.fail(df, (), "the Dockerfile has no FROM: no stage sets a USER")
                f.line = 1
                yield f
                continue
            # The stage name is the file's text: shown escaped and short.
            which = f"final stage '{escape_control(stage.name[:64])}'" if stage.name else f"final stage (stage {stage.index + 1})"
            root = stage.runs_as_root
            line = stage.user_line if stage.user_set else stage.from_line
            if root is None:
                f = self.unknown(
                    df,
                    ("USER",),
                    f"the {which} sets USER from a build argument without a default: whether it runs as root is known only at build time",
                    fix="Give the build argument a non-root default, or set USER to a literal non-root user.",
                )
            elif root and not stage.user_set:
                f = self.fail(df, (), f"the {which} sets no USER: the container runs as root")
            elif root:
                f = self.fail(df, ("USER",), f"the {which} runs as root: its last USER (line {stage.user_line}) is root")
            else:
                continue
            f.line = line
            yield f
