"""The coverage-guided fuzz target (tests/fuzz/fuzz_inputs.py) for the plan reader and
the HCL front end. The default run checks that the target accepts its seed corpus;
the `slow` marker fuzzes each front end for TFECS_FUZZ_SECONDS (default 60) with
atheris, or, where atheris is not installed, with random byte mutations of the seeds."""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "fuzz" / "fuzz_inputs.py"
sys.path.insert(0, str(TARGET.parent))
import fuzz_inputs  # noqa: E402

SECONDS = int(os.environ.get("TFECS_FUZZ_SECONDS", "60"))


@pytest.mark.parametrize("kind", ["plan", "hcl"])
def test_the_fuzz_target_passes_on_its_seeds(kind, tmp_path):
    assert fuzz_inputs.seed_corpus(kind, tmp_path / "corpus") > 0
    check = fuzz_inputs.make_checker(kind, tmp_path / "work")
    seeds = sorted((tmp_path / "corpus").iterdir(), key=lambda p: p.stat().st_size)[:12]
    for seed in seeds:
        check(seed.read_bytes())
    rng = random.Random(3)
    data = bytearray(seeds[-1].read_bytes())
    for _ in range(20):  # a few mutations, as the fuzzer makes them
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256)
        check(bytes(data))


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        i = rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(i, len(out) - 1)] = rng.randrange(256)
        elif op == 1:
            out[i:i] = rng.choice([b"\x1b[2J", b'"data.', b"module.data.", b"\n::add-mask::", "\u202e".encode(), b'"]', b"{", b"null", b"true"])
        elif op == 2 and out:
            del out[i : i + rng.randint(1, 16)]
        else:
            j = rng.randrange(len(out) + 1)
            out[i:i] = out[j : j + rng.randint(1, 64)]
    return bytes(out)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["plan", "hcl"])
def test_fuzz_for_a_fixed_time(kind, tmp_path):
    corpus = tmp_path / "corpus"
    fuzz_inputs.seed_corpus(kind, corpus)
    if importlib.util.find_spec("atheris") is not None:
        proc = subprocess.run(
            [sys.executable, str(TARGET), kind, str(corpus), f"-max_total_time={SECONDS}", "-max_len=65536",
             f"-artifact_prefix={tmp_path}/", "-print_final_stats=1"],
            capture_output=True, text=True, timeout=SECONDS * 3 + 120,
        )
        crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-"))]
        assert proc.returncode == 0 and not crashes, (crashes, proc.stderr[-4000:])
        return
    # Fallback without atheris: random mutations of the seeds for the same time.
    check = fuzz_inputs.make_checker(kind, tmp_path / "work")
    seeds = [p.read_bytes() for p in sorted(corpus.iterdir())]
    rng = random.Random(11)
    stop = time.monotonic() + SECONDS
    while time.monotonic() < stop:
        data = _mutate(rng.choice(seeds), rng)
        try:
            check(data)
        except Exception:
            (tmp_path / "crash-input").write_bytes(data)
            raise
