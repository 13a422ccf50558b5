"""Shared inputs for the report-format tests: a plan whose names are hostile (a PR from an
outsider chooses its for_each keys and container names) and one with a sensitive value."""

from __future__ import annotations

import json
from pathlib import Path

from planfixture import write_plan

# Every trick a name can play on a page or a log: table pipes, backticks, HTML, an ANSI
# escape, a newline that would start a workflow command, a mention, an issue link, bidi.
HOSTILE_KEY = 'a|b`c<script>alert(1)</script>\x1b[31m\n::error::x @team #1 \u202e'
HOSTILE_CONTAINER = "app|`x`<img src=x onerror=alert(1)>\x1b]0;t\x07\r\n::warning::pwn **b** [l](http://e.example) www.e.example"
SECRET = "s3cr3t-Pa55w0rd-do-not-print"


def hostile_plan(tmp_path: Path) -> Path:
    containers = [
        {"name": HOSTILE_CONTAINER, "image": "nginx:latest", "privileged": True, "essential": True,
         "environment": [{"name": "DB_PASSWORD", "value": SECRET}]},
    ]
    # The hostile names sit in a value that is not sensitive (a sensitive document's parts
    # are masked, names included); the secret, in a plain-text environment value, is
    # masked by the secret detector.
    resources = [
        {"address": f"aws_ecs_task_definition.web[{json.dumps(HOSTILE_KEY)}]",
         "values": {"family": "web", "container_definitions": containers, "network_mode": "awsvpc"}},
    ]
    return write_plan(resources, tmp_path / "hostile.json")
