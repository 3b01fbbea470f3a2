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
import report  # noqa: E402

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


def run_once(config, data, idle):
    """One console on the journal: each figure of one run."""
    SCREEN["total"] = 0
    pid, fd = spawn_console(config, data)
    time.sleep(3)
    settle()
    dashboard = status_mib(pid, "VmRSS")
    keys = [press(fd, "4")]
    keys += [press(fd, "j") for _ in range(10)]
    keys += [press(fd, "\x1b[6~") for _ in range(5)]
    keys += [press(fd, "G"), press(fd, "g")]
    press(fd, "/")
    keys += [press(fd, c) for c in "lag 5 s"]
    keys += [press(fd, "\x1b")]
    settle()
    total0, cpu0 = SCREEN["total"], cpu_seconds(pid)
    time.sleep(idle)
    total1, cpu1 = SCREEN["total"], cpu_seconds(pid)
    timeline = status_mib(pid, "VmRSS")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    return {
        "key": max(keys),
        "cpu": 100 * (cpu1 - cpu0) / idle,
        "bytes": (total1 - total0) / idle,
        "dashboard": dashboard,
        "timeline": timeline,
        "show": timed(["incident", "show", ID], data),
        "export": timed(["review", "export", ID], data),
    }


def timeline(events=100_000, runs=5, idle=10):
    """The console and the commands on a journal of `events` records: report rows."""
    for binary in (BIN, GENERATOR):
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: cargo build --release --example long_journal && cargo build --release")
    work = tempfile.mkdtemp(prefix="warroom-timeline-")
    try:
        data = f"{work}/data"
        subprocess.run([GENERATOR, data, str(events)], check=True, stdout=subprocess.DEVNULL)
        config = f"{work}/warroom.toml"
        open(config, "w").write(CONFIG)
        results = [run_once(config, data, idle) for _ in range(runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    of = {name: [r[name] for r in results] for name in results[0]}
    median = {name: statistics.median(v) for name, v in of.items()}
    return [
        report.row("slowest key of a run: open (4), scroll (j, PgDn, G, g), type a filter, Esc",
                   of["key"], report.ms, "< 16 ms", median["key"] < 16),
        report.row("CPU while idle on the timeline", of["cpu"], report.percent, "< 0.5 %", median["cpu"] < 0.5),
        report.row("bytes written while idle on the timeline", of["bytes"], report.per_second),
        report.row("RSS on the dashboard", of["dashboard"], report.mib),
        report.row("RSS on the timeline", of["timeline"], report.mib, "≤ dashboard + 60 MiB",
                   median["timeline"] <= median["dashboard"] + 60),
        report.row("`warroom incident show`", of["show"], report.ms, "≤ 200 ms", median["show"] <= 200),
        report.row("`warroom review export`", of["export"], report.ms, "≤ 200 ms", median["export"] <= 200),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10)
    args = parser.parse_args()
    report.show(f"A journal of {args.events:,} records", timeline(args.events, args.runs, args.idle))


if __name__ == "__main__":
    main()
