#!/usr/bin/env python3
"""Memory at scale: resident memory of the release console watching N TCP components (every
10 s, against a loopback listener in this script), once every component has been sampled.

Usage: cargo build --release && python3 benches/memory.py [--components 500 2000 20000]
"""
import argparse, os, shutil, statistics, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import listen, spawn_console, status_mib, write_components  # noqa: E402
import report  # noqa: E402

GOALS_MIB = {500: 20, 2000: 40, 20000: 100}


def measure(components, port, work, settle):
    config = f"{work}/warroom-{components}.toml"
    write_components(config, components,
                     lambda i: f'{{ kind = "tcp", address = "127.0.0.1:{port}" }}')
    shutil.rmtree(f"{work}/data-{components}", ignore_errors=True)
    pid, fd = spawn_console(config, f"{work}/data-{components}")
    time.sleep(settle)
    now, peak = status_mib(pid, "VmRSS"), status_mib(pid, "VmHWM")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    return now, peak


def memory(sizes=(500, 2000, 20000), settle=25, runs=5):
    """RSS and peak RSS at each size, `runs` runs each: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-memory-")
    rows = []
    try:
        port, _ = listen()
        for n in sizes:
            results = [measure(n, port, work, settle) for _ in range(runs)]
            goal = GOALS_MIB.get(n)
            rss = [r[0] for r in results]
            rows += [
                report.row(f"{n:,} components: RSS", rss, report.mib,
                           f"≤ {goal} MB" if goal else "",
                           statistics.median(rss) * 1.048576 <= goal if goal else None),
                report.row(f"{n:,} components: peak RSS (reading the config)", [r[1] for r in results],
                           report.mib),
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, nargs="+", default=[500, 2000, 20000])
    parser.add_argument("--settle", type=float, default=25)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    report.show(f"TCP components every 10 s, RSS after {args.settle:.0f} s",
                memory(args.components, args.settle, args.runs))


if __name__ == "__main__":
    main()
