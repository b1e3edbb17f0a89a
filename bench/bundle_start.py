"""Benchmark: the built bundle's start to idle screen (selftest 'ready'), and its size on disk.

Runs ``<dist>/kiosk selftest`` N times offscreen with a virtual reader and a fresh
data folder, after one untimed run that warms the page cache, and prints each
run's ``ready`` figure (seconds from process start, bootloader included, to the
first frame of the idle screen with the reader up), their median (target <= 2 s),
the time from spawning the process to reading that line, and the bundle's size on
disk (what ``du -sh`` counts).  Build the bundle first: ``pyinstaller kiosk.spec``.

    python bench/bundle_start.py [dist/kiosk] [--runs 5] [--size 800x480]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def disk_usage(root: Path) -> tuple[int, int]:
    """(bytes on disk, apparent bytes) of a folder, each file counted once, links not followed."""
    seen: set[tuple[int, int]] = set()
    blocks = apparent = 0
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            blocks += st.st_blocks * 512
            apparent += st.st_size
    return blocks, apparent


def selftest(executable: Path, config: Path, size: str, env: dict[str, str]) -> tuple[float, float]:
    """(the bundle's own 'ready' seconds, seconds from spawn to reading that line)."""
    started = time.perf_counter()
    process = subprocess.Popen([str(executable), "selftest", "--config", str(config),
                                "--size", size], env=env, cwd=config.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ready = spawn_to_ready = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("ready ") and ready is None:
            spawn_to_ready = time.perf_counter() - started
            ready = float(line.split()[1])
    code = process.wait(60)
    if code != 0 or ready is None or spawn_to_ready is None:
        raise SystemExit(f"{executable} selftest: exit {code}, no 'ready' line")
    return ready, spawn_to_ready


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", type=Path, default=REPO / "dist" / "kiosk",
                        help="the one-folder bundle (default: dist/kiosk)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="800x480", help="window size (default: 800x480)")
    args = parser.parse_args(argv)
    args.dist = args.dist.resolve()  # the runs start in their own folder
    executable = args.dist / "kiosk"
    if not executable.is_file():
        parser.error(f"{executable} not found: build it first with 'pyinstaller kiosk.spec'")

    work = Path(tempfile.mkdtemp(prefix="kbench-"))  # short: holds the reader's socket
    try:
        config = work / "kiosk.toml"
        config.write_text(f"[terminal]\ndata_dir = '{work / 'data'}'\n"
                          "[reader]\nprotocol = 'virtual'\n")
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
        env.update({"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1",
                    "KIVY_HOME": str(work / "kivy-home")})
        selftest(executable, config, args.size, env)  # warm the page cache, untimed
        runs = [selftest(executable, config, args.size, env) for _ in range(args.runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ready = statistics.median(r for r, _ in runs)
    spawn = statistics.median(s for _, s in runs)
    on_disk, apparent = disk_usage(args.dist)
    print(f"bundle {args.dist}, {args.runs} runs, {args.size}, offscreen")
    print("  ready per run: " + ", ".join(f"{r:.3f}" for r, _ in runs) + " s")
    print(f"  start to idle screen (selftest 'ready'), median: {ready:.3f} s "
          f"(target <= {TARGET_S:.0f} s: {'met' if ready <= TARGET_S else 'MISSED'})")
    print(f"  spawn to 'ready' line read, median: {spawn:.3f} s")
    print(f"  size on disk: {on_disk / 2**20:.1f} MiB ({apparent / 2**20:.1f} MiB of file data)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
