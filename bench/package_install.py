"""Benchmark: the Debian package's size, and install → idle screen from the installed tree.

Builds the package from a bundle (``--bundle``, default dist/kiosk; build it first with
``pyinstaller kiosk.spec``), then, ``--runs`` times: installs it into a fresh scratch
root with ``dpkg --root`` (maintainer scripts included, through DPKG_ROOT) and starts
``/opt/kiosk-terminal/kiosk selftest`` from that root, offscreen, until its idle screen's
first frame.  Reports the .deb and installed sizes, and the install, start and total
times (median and p95).  Target: none set by the issue; the figures go in
docs/benchmarks.md.

    python bench/package_install.py [--bundle dist/kiosk] [--runs 5]
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


def scratch_root(base: Path) -> Path:
    root = Path(tempfile.mkdtemp(dir=base))
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    return root


def one_run(package: Path, base: Path) -> tuple[float, float]:
    root = scratch_root(base)
    started = time.perf_counter()
    subprocess.run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
                    "--force-not-root", "--log=/dev/null", "-i", str(package)],
                   check=True, capture_output=True)
    installed = time.perf_counter()
    data = root / "var/lib/kiosk-bench"
    config = root / "bench.toml"
    config.write_text(f"[terminal]\ndata_dir = '{data}'\n[reader]\nprotocol = 'virtual'\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "PYTHONPATH")}
    env.update({"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1",
                "KIVY_HOME": str(root / "kivy-home")})
    process = subprocess.Popen([str(root / "opt/kiosk-terminal/kiosk"), "selftest", "--config",
                                str(config)], cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    ready = None
    for line in process.stdout:
        if line.startswith("ready"):
            ready = time.perf_counter()
    process.wait(60)
    shutil.rmtree(root, ignore_errors=True)
    if ready is None:
        raise SystemExit("the installed terminal never reached its idle screen")
    return installed - started, ready - installed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist/kiosk")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        built = subprocess.run([str(REPO / "deploy/debian/build-deb.sh"), "--bundle",
                                str(args.bundle), "--out", str(base)], check=True,
                               capture_output=True, text=True)
        package = Path(built.stdout.strip().splitlines()[-1])
        installed_kib = int(subprocess.run(["dpkg-deb", "-f", str(package), "Installed-Size"],
                                           check=True, capture_output=True, text=True).stdout)
        size_mib = package.stat().st_size / 2**20
        runs = [one_run(package, base) for _ in range(args.runs)]
    install = [r[0] for r in runs]
    start = [r[1] for r in runs]
    total = [a + b for a, b in runs]
    print(f"package {package.name}: {size_mib:.1f} MiB, "
          f"installed {installed_kib / 1024:.1f} MiB")
    print(f"{args.runs} runs: install median {statistics.median(install):.2f} s "
          f"(p95 {p95(install):.2f}), start to idle screen median "
          f"{statistics.median(start):.2f} s (p95 {p95(start):.2f}), install to idle screen "
          f"median {statistics.median(total):.2f} s (p95 {p95(total):.2f})")


if __name__ == "__main__":
    main()
