"""Benchmark `tfecs scan --format json` against the floor: starting Python and parsing the
plan with the standard library (`python -c "import json; json.load(open(plan))"`).

    python bench/run.py                        # mixed 1k, 10k, 50k; dense 10k, 50k; HCL; checkov
    python bench/run.py --sizes 1000,10000 --repeat 3 --hcl-files 0
    python bench/run.py --sizes 10000 --dense-sizes 10000 --no-checkov

For each size: the plan's size, the floor's and tfecs's wall time (best of --repeat runs,
in the same run, alternating), their ratio (and the ratio of CPU time, user + system,
which a busy machine disturbs less), peak memory of each process (ru_maxrss from
wait4) against the plan's size on disk, and where tfecs spent its time (one extra run
with TFECS_PROFILE=1). Then the start-up time of `tfecs --version` and of a small-plan
scan, a cross-reference worst case (one security group with thousands of rules, one role
with thousands of attachments), and a large HCL directory, cold (empty parse cache) and
warm. Plans come in two shapes: mixed (a large estate, 60% out of scope) and dense (every
resource in scope, most new or changed: thousands of findings). Where checkov is on PATH,
it runs once on the same inputs (--no-checkov to skip). Inputs are generated once into
--cache (bench/genplan.py, bench/genhcl.py).

Prints figures; asserts nothing (tests/test_bench.py checks the generator).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import genhcl  # noqa: E402
import genplan  # noqa: E402


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss: int  # peak resident set, bytes
    code: int
    stderr: str = ""


def run(cmd: list[str], env: dict | None = None, capture_stderr: bool = False) -> Run:
    """One child process, its wall time and its own resource usage (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture_stderr else subprocess.DEVNULL,
        env=env,
    )
    err = proc.stderr.read().decode(errors="replace") if capture_stderr and proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode, err)


def best(runs: list[Run]) -> Run:
    """The fastest run by wall time; peak memory is the largest seen (it barely varies)."""
    fastest = min(runs, key=lambda r: r.wall)
    return Run(fastest.wall, min(r.cpu for r in runs), max(r.rss for r in runs), fastest.code)


def tfecs_command() -> list[str]:
    exe = shutil.which("tfecs", path=os.path.dirname(sys.executable)) or shutil.which("tfecs")
    return [exe] if exe else [sys.executable, "-m", "tfecs"]


def plan_path(cache: str, size: int, seed: int = 0, shape: str = "mixed") -> str:
    prefix = "plan" if shape == "mixed" else shape
    path = os.path.join(cache, f"{prefix}-{size}-s{seed}-g{genplan.GENERATOR_VERSION}.json")
    if not os.path.exists(path):
        print(f"  generating {size}-resource {shape} plan ...", file=sys.stderr, flush=True)
        tmp = path + ".tmp"
        # In a child process: a child's peak memory (wait4) counts the pages it shares
        # with this process when forked, so this one must stay small.
        extra = ["--dense"] if shape == "dense" else []
        subprocess.run([sys.executable, os.path.join(HERE, "genplan.py"), str(size), "-o", tmp, "--seed", str(seed), *extra], check=True)
        os.replace(tmp, path)
    return path


def hcl_path(cache: str, files: int) -> str:
    path = os.path.join(cache, f"hcl-{files}-g{genhcl.GENERATOR_VERSION}")
    if not os.path.isdir(path):
        tmp = path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "genhcl.py"), str(files), "-o", tmp], check=True)
        os.replace(tmp, path)
    return path


def profile(cmd: list[str], env: dict | None = None) -> dict:
    env = {**(env or os.environ), "TFECS_PROFILE": "1"}
    r = run(cmd, env=env, capture_stderr=True)
    for line in r.stderr.splitlines():
        if line.startswith("tfecs-profile "):
            return json.loads(line.split(" ", 1)[1])
    return {"error": r.stderr.strip().splitlines()[-1:] or [f"exit {r.code}"]}


def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000", help="resource changes per plan (comma-separated)")
    ap.add_argument("--dense-sizes", default="10000,50000", help="sizes of the dense shape: every resource in scope, most changed (comma-separated; empty: skip)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is kept")
    ap.add_argument("--cache", default=os.path.join(HERE, ".cache"), help="where generated inputs are kept")
    ap.add_argument("--hcl-files", type=int, default=300, help="service files in the HCL benchmark (0: skip)")
    ap.add_argument("--stress", type=int, default=3000, help="rules on one security group, attachments to one role (0: skip)")
    ap.add_argument("--checkov", action=argparse.BooleanOptionalAction, default=True, help="time checkov on the same inputs where it is on PATH")
    ap.add_argument("--checkov-timeout", type=int, default=900, help="seconds before a checkov run is stopped")
    ap.add_argument("--json", dest="json_out", help="also write the figures as JSON to this file")
    args = ap.parse_args()
    sizes = [("mixed", int(s)) for s in args.sizes.split(",") if s]
    sizes += [("dense", int(s)) for s in args.dense_sizes.split(",") if s]
    os.makedirs(args.cache, exist_ok=True)
    tfecs = tfecs_command()
    py = sys.executable
    results: dict = {"python": sys.version.split()[0], "tfecs": tfecs, "repeat": args.repeat, "plans": [], "startup": {}, "hcl": None}

    print(f"tfecs: {' '.join(tfecs)}   python {results['python']}   best of {args.repeat}")
    print()
    header = (
        f"{'shape':>6} {'changes':>8} {'plan MB':>8} {'floor s':>8} {'tfecs s':>8} {'ratio':>6} {'cpu ratio':>9} "
        f"{'floor MB':>9} {'tfecs MB':>9} {'mem/plan':>9} {'exit':>5}"
    )
    print(header)
    rows = []
    for shape, size in sizes:
        plan = plan_path(args.cache, size, shape=shape)
        floor_cmd = [py, "-c", f"import json; json.load(open({plan!r}))"]
        scan_cmd = [*tfecs, "scan", plan, "--format", "json"]
        floors, scans = [], []
        for _ in range(args.repeat):  # alternate, so both see the same machine load
            floors.append(run(floor_cmd))
            scans.append(run(scan_cmd))
        f, s = best(floors), best(scans)
        disk = os.path.getsize(plan)
        prof = profile(scan_cmd)
        row = {
            "shape": shape,
            "changes": size,
            "plan_bytes": disk,
            "floor_s": round(f.wall, 3),
            "tfecs_s": round(s.wall, 3),
            "ratio": round(s.wall / f.wall, 2),
            "cpu_ratio": round(s.cpu / f.cpu, 2),
            "floor_cpu_s": round(f.cpu, 3),
            "tfecs_cpu_s": round(s.cpu, 3),
            "floor_peak_bytes": f.rss,
            "tfecs_peak_bytes": s.rss,
            "peak_over_plan": round(s.rss / disk, 2),
            "exit": s.code,
            "stages": prof.get("stages", prof),
        }
        rows.append(row)
        print(
            f"{shape:>6} {size:>8} {mb(disk):>8} {f.wall:>8.3f} {s.wall:>8.3f} {row['ratio']:>6.2f} {row['cpu_ratio']:>9.2f} "
            f"{mb(f.rss):>9} {mb(s.rss):>9} {row['peak_over_plan']:>8.2f}x {s.code:>5}",
            flush=True,
        )
    results["plans"] = rows

    print()
    print("time by stage (seconds, one TFECS_PROFILE=1 run; 'other' = start-up, imports, exit)")
    names: list[str] = []
    for row in rows:
        for k in row["stages"]:
            if k not in names:
                names.append(k)
    print(f"{'stage':<20}" + "".join(f"{r['shape'][0] + str(r['changes']):>10}" for r in rows))
    for name in names:
        print(f"{name:<20}" + "".join(f"{r['stages'].get(name, 0):>10.3f}" for r in rows))
    print(f"{'other':<20}" + "".join(f"{max(0.0, r['tfecs_s'] - sum(r['stages'].values())):>10.3f}" for r in rows))

    version = best([run([*tfecs, "--version"]) for _ in range(args.repeat)])
    small = plan_path(args.cache, 30)
    with open(small, "rb") as fh:
        small_changes = sum(1 for rc in json.load(fh)["resource_changes"] if rc.get("mode") == "managed")
    small_scan = best([run([*tfecs, "scan", small, "--format", "json"]) for _ in range(args.repeat)])
    bare = best([run([py, "-c", "pass"]) for _ in range(args.repeat)])
    results["startup"] = {
        "python_s": round(bare.wall, 3),
        "version_s": round(version.wall, 3),
        "small_scan_changes": small_changes,
        "small_scan_s": round(small_scan.wall, 3),
        "small_scan_peak_bytes": small_scan.rss,
        "small_scan_exit": small_scan.code,
    }
    print()
    print("growth: seconds per 1000 changes beyond a small scan (tfecs: (t - t(small scan)) / (changes - "
          f"{small_changes}); floor: (t - t(python -c pass)) / changes)")
    for r in rows:  # linear: the same figure at every size of a shape
        per_k = (r["tfecs_s"] - small_scan.wall) / (r["changes"] - small_changes) * 1000
        floor_k = (r["floor_s"] - bare.wall) / r["changes"] * 1000
        r["tfecs_s_per_1k"], r["floor_s_per_1k"] = round(per_k, 4), round(floor_k, 4)
        print(f"  {r['shape']:>6} {r['changes']:>6}: tfecs {per_k:.4f}   floor {floor_k:.4f}")
    print()
    print(
        f"start-up: python -c pass {bare.wall:.3f} s, tfecs --version {version.wall:.3f} s, "
        f"scan of a {small_changes}-change plan {small_scan.wall:.3f} s (exit {small_scan.code}, {mb(small_scan.rss)} MB)"
    )

    if args.stress:
        path = os.path.join(args.cache, f"stress-{args.stress}-g{genplan.GENERATOR_VERSION}.json")
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "genplan.py"), str(args.stress), "-o", path + ".tmp", "--stress"], check=True)
            os.replace(path + ".tmp", path)
        st = best([run([*tfecs, "scan", path, "--format", "json"]) for _ in range(args.repeat)])
        results["stress"] = {"count": args.stress, "plan_bytes": os.path.getsize(path), "seconds": round(st.wall, 3), "peak_bytes": st.rss, "exit": st.code}
        print(
            f"stress: one security group with {args.stress} rules (and their state copy), one role with {args.stress} "
            f"attachments ({mb(os.path.getsize(path))} MB): {st.wall:.3f} s, {mb(st.rss)} MB, exit {st.code}"
        )

    if args.hcl_files:
        path = hcl_path(args.cache, args.hcl_files)
        files = sum(1 for _root, _dirs, fs in os.walk(path) for f in fs if f.endswith(".tf"))
        cmd = [*tfecs, "scan", path, "--format", "json"]
        parse_cache = os.path.join(args.cache, "parse-cache")
        cold_runs = []
        for _ in range(args.repeat):  # cold: an empty parse cache each time (it is written)
            shutil.rmtree(parse_cache, ignore_errors=True)
            cold_runs.append(run(cmd, env={**os.environ, "TFECS_CACHE_DIR": parse_cache}))
        warm_env = {**os.environ, "TFECS_CACHE_DIR": parse_cache}
        warm = best([run(cmd, env=warm_env) for _ in range(args.repeat)])
        cold = best(cold_runs)
        prof = profile(cmd, env=warm_env)
        results["hcl"] = {"files": files, "cold_s": round(cold.wall, 3), "warm_s": round(warm.wall, 3), "cold_peak_bytes": cold.rss,
                          "warm_peak_bytes": warm.rss, "exit": warm.code, "warm_stages": prof.get("stages", prof)}
        print()
        print(f"HCL ({files} .tf files): cold {cold.wall:.3f} s ({mb(cold.rss)} MB), warm {warm.wall:.3f} s ({mb(warm.rss)} MB), exit {warm.code}")
        if "stages" in prof:
            print("  warm stages: " + ", ".join(f"{k} {v:.3f}" for k, v in prof["stages"].items()))

    checkov = shutil.which("checkov") if args.checkov else None
    if args.checkov and not checkov:
        print()
        print("checkov: not installed (pip install checkov), column skipped")
    elif checkov:
        print()
        print(f"checkov (one run each, timeout {args.checkov_timeout} s): {checkov}")
        results["checkov"] = []
        targets = [(f"{r['shape']} {r['changes']} plan", ["-f", plan_path(args.cache, r["changes"], shape=r["shape"]), "--framework", "terraform_plan"], r.get("tfecs_s")) for r in rows]
        if args.hcl_files:
            targets.append((f"HCL {results['hcl']['files']} files", ["-d", hcl_path(args.cache, args.hcl_files), "--framework", "terraform"], results["hcl"]["cold_s"]))
        for label, argv, ours in targets:
            start = time.perf_counter()
            try:
                proc = subprocess.run([checkov, *argv, "--quiet", "--compact", "-o", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=args.checkov_timeout)
                took, code = time.perf_counter() - start, proc.returncode
                text = f"{took:.1f} s (exit {code})"
            except subprocess.TimeoutExpired:
                took, code = None, None
                text = f"> {args.checkov_timeout} s (stopped)"
            results["checkov"].append({"input": label, "seconds": None if took is None else round(took, 2), "exit": code, "tfecs_s": ours})
            print(f"  {label:<22} checkov {text:<22} tfecs {ours:.3f} s")

    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
