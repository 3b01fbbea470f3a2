#!/usr/bin/env python3
"""Timeline benchmark: the console on an open incident with a long journal.

Writes an incident of N events (examples/long_journal.rs), resumes it in the release console in
a 120x40 pseudo-terminal, and measures: RSS on the dashboard; the time from each key to the end
of the frame it causes (opening the timeline, scrolling, jumping, typing a filter); CPU and bytes
written while idle on the timeline; RSS there; then `incident show` and `review export` of it.

Usage: cargo build --release --example long_journal && cargo build --release &&
       python3 benches/timeline.py [--events 100000] [--runs 5]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import BIN, ROOT, SCREEN, cpu_seconds, spawn_console, status_mib  # noqa: E402

GENERATOR = os.path.join(ROOT, "..", "target", "release", "examples", "long_journal")
ID = "20261203-0300-long-journal"
CONFIG = '[service]\nname = "Bench"\n[[component]]\nid = "db"\nname = "Database"\ntier = "critical"\nprobe = { kind = "sim" }\n'


def settle(quiet=0.15, patience=10.0):
    """Waits until the terminal has been quiet for `quiet` s; the time the last byte came."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        last = SCREEN.get("last", 0)
        if time.monotonic() - last >= quiet:
            return last
        time.sleep(0.005)
    return SCREEN.get("last", 0)


def press(fd, key):
    """Milliseconds from writing `key` to the last byte of the frame it causes (bytes closer
    than 20 ms to each other are one frame; the clock's next tick is not counted)."""
    settle()
    before = SCREEN.get("total", 0)
    sent = time.monotonic()
    os.write(fd, key.encode())
    deadline = sent + 5
    while SCREEN.get("total", 0) == before and time.monotonic() < deadline:
        time.sleep(0.0005)
    return (settle(quiet=0.02) - sent) * 1000


def timed(args, data):
    env = dict(os.environ, WARROOM_DATA_DIR=data)
    started = time.monotonic()
    subprocess.run([BIN, *args], env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.monotonic() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10)
    args = parser.parse_args()
    for binary in (BIN, GENERATOR):
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: cargo build --release --example long_journal && cargo build --release")
    work = tempfile.mkdtemp(prefix="warroom-timeline-")
    try:
        data = f"{work}/data"
        subprocess.run([GENERATOR, data, str(args.events)], check=True, stdout=subprocess.DEVNULL)
        config = f"{work}/warroom.toml"
        open(config, "w").write(CONFIG)
        runs = []
        for _ in range(args.runs):
            SCREEN["total"] = 0
            pid, fd = spawn_console(config, data)
            time.sleep(3)
            settle()
            dashboard = status_mib(pid, "VmRSS")
            keys = {"open the timeline (4)": [press(fd, "4")]}
            keys["scroll one row (j)"] = [press(fd, "j") for _ in range(10)]
            keys["page down"] = [press(fd, "\x1b[6~") for _ in range(5)]
            keys["to the oldest (G)"] = [press(fd, "G")]
            keys["to the newest (g)"] = [press(fd, "g")]
            press(fd, "/")
            keys["type a filter, per key"] = [press(fd, c) for c in "lag 5 s"]
            keys["clear the filter (Esc)"] = [press(fd, "\x1b")]
            settle()
            total0, cpu0 = SCREEN["total"], cpu_seconds(pid)
            time.sleep(args.idle)
            total1, cpu1 = SCREEN["total"], cpu_seconds(pid)
            timeline = status_mib(pid, "VmRSS")
            os.write(fd, b"q")
            os.waitpid(pid, 0)
            run = {f"{name}, ms (worst)": max(v) for name, v in keys.items()}
            run["idle on the timeline, % of a core"] = 100 * (cpu1 - cpu0) / args.idle
            run["idle on the timeline, B/s"] = (total1 - total0) / args.idle
            run["RSS on the dashboard, MiB"] = dashboard
            run["RSS on the timeline, MiB"] = timeline
            run["incident show, ms"] = timed(["incident", "show", ID], data)
            run["review export, ms"] = timed(["review", "export", ID], data)
            runs.append(run)
        print(f"{args.events} events; medians of {args.runs} runs (worst key of each run)")
        for name in runs[0]:
            values = [r[name] for r in runs]
            print(f"  {name:<44} median {statistics.median(values):9.1f}   "
                  f"min {min(values):9.1f}   max {max(values):9.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
