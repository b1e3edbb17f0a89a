"""Benchmark: process start -> idle screen ready, and idle memory, against a Kivy hello-world.

Targets: start <= 1.5 x the hello-world's first frame; idle RSS <= 1.2 x the
hello-world's. Both are whole processes started the same way (offscreen EGL),
alternated in the same run; the time is from spawning the process to the line
it prints at its first drawn frame; RSS is read after ``--hold`` seconds idle.

    python bench/startup_memory.py [--runs 5] [--size 800x480]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    ready = None
    rss = 0
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("ready") and ready is None:
            ready = time.perf_counter() - started
        elif line.startswith("rss "):
            rss = int(line.split()[1])
    process.wait(60)
    if ready is None or not rss:
        raise SystemExit(f"{command} did not report (exit {process.returncode})")
    return ready, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--hold", type=float, default=2.0)
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="kiosk-bench-kivy-")
    env = {**os.environ, "KIVY_HOME": home, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1",
           "SDL_VIDEODRIVER": "offscreen", "PYTHONPATH": str(REPO)}
    env.pop("DISPLAY", None)
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-data-"))
    config = data / "kiosk.toml"
    config.write_text(f"[terminal]\ndata_dir = '{data}'\n[reader]\nprotocol = 'virtual'\n")
    hello = [sys.executable, "bench/hello_kivy.py", "--hold", str(args.hold), "--size", args.size]
    kiosk = [sys.executable, "-m", "kiosk", "selftest", "--config", str(config),
             "--hold", str(args.hold), "--size", args.size]
    measure(hello, env)  # warm the page cache for both before timing
    measure(kiosk, env)
    results: dict[str, list[tuple[float, int]]] = {"hello": [], "kiosk": []}
    for _ in range(args.runs):
        results["hello"].append(measure(hello, env))
        results["kiosk"].append(measure(kiosk, env))
    start = {k: statistics.median(t for t, _ in v) for k, v in results.items()}
    rss = {k: statistics.median(r for _, r in v) for k, v in results.items()}
    print(f"start-up and idle memory, {args.runs} runs each, median, {args.size}")
    print(f"  hello-world first frame: {start['hello']:.3f} s, RSS {rss['hello'] / 1024:.1f} MiB")
    print(f"  kiosk idle screen ready: {start['kiosk']:.3f} s, RSS {rss['kiosk'] / 1024:.1f} MiB")
    print(f"  start ratio {start['kiosk'] / start['hello']:.2f} (target <= 1.5), "
          f"memory ratio {rss['kiosk'] / rss['hello']:.2f} (target <= 1.2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
