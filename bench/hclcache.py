"""HCL scans cold, warm and nearly warm: what the parse and evaluation caches buy
(tfecs/inputs/hcl/parsecache.py, evalcache.py; docs/hcl.md "Caches").

    python bench/hclcache.py                      # 300-file tree; monorepo 1,500 and 3,000 files
    python bench/hclcache.py --files 300 --mono 0 --repeat 5

Rows (each the best of --repeat runs of `tfecs scan DIR -f json`, wall and CPU =
user+sys of the tfecs process and its parse workers):

- cold: empty cache folder (the parser's tables, kept apart in the temp folder, are
  loaded as for any run after the first on the machine);
- warm: nothing changed since the last run (the evaluation cache answers);
- one file edited: a comment appended to one .tf file before each run (the evaluation
  is redone from the parse cache; that file alone is parsed);
- monorepo N files: `bench/genhcl.py N --roots N/100`, scanned with `--recursive`,
  cold and warm, at two sizes: the ratio of the two shows whether it stays linear.

The machine may be shared: compare CPU figures, and best-of-N walls.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import genhcl  # noqa: E402

TFECS = [sys.executable, "-m", "tfecs"]


def run(args: list[str], cache: str) -> tuple[float, float, int]:
    """(wall s, cpu s, exit code) of one tfecs run."""
    env = {**os.environ, "TFECS_CACHE_DIR": cache}
    env.pop("TFECS_NO_CACHE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([*TFECS, "scan", *args, "-f", "json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.exit(f"tfecs failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:500]}")
    return wall, cpu, proc.returncode


def best(samples: list[tuple[float, float, int]]) -> tuple[float, float]:
    return min(s[0] for s in samples), min(s[1] for s in samples)


def row(name: str, wall: float, cpu: float) -> None:
    print(f"{name:<34} {wall:7.3f} s wall {cpu:7.3f} s cpu", flush=True)


def tree(work: str, files: int, roots: int = 1) -> str:
    path = os.path.join(work, f"hcl-{files}-r{roots}")
    genhcl.write(files, path, roots=roots)
    return path


def measure(label: str, args: list[str], work: str, repeat: int, edit: str | None = None) -> dict:
    colds = []
    for i in range(repeat):
        cache = os.path.join(work, f"cache-{label}-{i}")
        colds.append(run(args, cache))
    cache = os.path.join(work, f"cache-{label}-0")
    warms = [run(args, cache) for _ in range(repeat)]
    out = {"cold": best(colds), "warm": best(warms)}
    row(f"{label} cold", *out["cold"])
    row(f"{label} warm", *out["warm"])
    if edit:
        edits = []
        for i in range(repeat):
            with open(edit, "a") as fh:
                fh.write(f"# edit {i}\n")
            edits.append(run(args, cache))
        out["edited"] = best(edits)
        row(f"{label} one file edited", *out["edited"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=300, help="service files of the single tree (0: skip)")
    ap.add_argument("--mono", default="1500,3000", help="monorepo sizes in .tf files, comma-separated ('0': skip)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tfecs-hclcache-")
    try:
        if args.files:
            path = tree(work, args.files)
            edit = os.path.join(path, sorted(n for n in os.listdir(path) if n.endswith(".tf"))[len(os.listdir(path)) // 2])
            measure(f"HCL {args.files + 2} files", [path], work, args.repeat, edit)
        sizes = [int(s) for s in args.mono.split(",") if s and int(s)]
        results = {}
        for n in sizes:
            path = tree(work, n, roots=max(2, n // 100))
            results[n] = measure(f"monorepo {n} files", ["--recursive", path], work, max(1, args.repeat // 2))
        if len(sizes) >= 2:
            a, b = sizes[0], sizes[-1]
            for kind in ("cold", "warm"):
                ratio = results[b][kind][1] / results[a][kind][1]
                print(f"monorepo {kind} cpu {b}/{a} files: x{ratio:.2f} (linear: x{b / a:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
