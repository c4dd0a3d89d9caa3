"""Benchmark: start-up of ``juwei --help`` and ``juwei --version`` (not a timed test).

Compares each with a bare ``python -c pass`` on the same machine in the same run: the best
and the median wall time, and the best CPU time (user + system) of N runs. Goal (issue 10
§6): ``juwei --help`` and ``juwei --version`` under 0.3 s.

    python bench/startup.py [--runs 7]
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUWEI = [sys.executable, "-m", "juwei"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "juwei --help": [*JUWEI, "--help"],
    "juwei --version": [*JUWEI, "--version"],
    "juwei --lang zh_CN --help": [*JUWEI, "--lang", "zh_CN", "--help"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for label, command in COMMANDS.items():
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        walls.sort()
        print(
            f"{label:28} wall best {walls[0]:.3f} s, median {walls[runs // 2]:.3f} s; "
            f"CPU best {min(cpus):.3f} s"
        )
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
