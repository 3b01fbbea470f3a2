#!/usr/bin/env python3
"""Every performance goal of the console in one run, each beside its peer where it has one:
the board at launch (board.py), detection (detection.py), idle cost beside btm (idle.py), CPU
per probe beside blackbox_exporter (probes.py), memory at scale (memory.py) and a long journal
(timeline.py), the war room (room.py) and import as plans grow (import_size.py). Prints the machine and one Markdown table per part, as README reports them.
Takes about 25 minutes with the defaults; nothing else should run meanwhile.

Needs: apt-get install nginx-light prometheus-blackbox-exporter; pip install pyte;
       cargo install bottom (btm, for the idle comparison)
Usage: cargo build --release --example long_journal && cargo build --release &&
       python3 benches/performance.py [--runs 5] [--trials 20] [--only board,idle]
"""
import argparse, datetime, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402
from board import board  # noqa: E402
from detection import detection  # noqa: E402
from idle import idle  # noqa: E402
from import_size import import_sizes  # noqa: E402
from memory import memory  # noqa: E402
from probes import ROOT, probes  # noqa: E402
from room import room  # noqa: E402
from timeline import timeline  # noqa: E402


PARTS = ("board", "detection", "idle", "probes", "memory", "timeline", "room", "import")


def parts(args):
    return {
        "board": ("Launch: 500 HTTP components, default interval (10 s)",
                  lambda: board(500, args.runs)),
        "detection": (f"Detection, {args.trials} trials of each failure (interval 1 s, fail_after 2, "
                      "timeout 500 ms: bound 2,500 ms)", lambda: detection(args.trials)),
        "idle": ("Idle: 200 HTTP components every 10 s, nothing changing, beside btm (30 s after 65 s)",
                 lambda: idle(200, 65, 30, args.runs)),
        "probes": ("Probes: 1,000 components every second (10 s), beside blackbox_exporter at that rate",
                   lambda: probes(1000, 10, args.runs)),
        "memory": ("Memory: TCP components every 10 s, RSS after 15 s",
                   lambda: memory((500, 2000, 20000), 15, args.runs)),
        "timeline": ("A journal of 100,000 records: the timeline, `incident show`, `review export`",
                     lambda: timeline(100_000, args.runs, 10)),
        "room": (f"The war room: one writer and 10 joined consoles, {args.trials} notes",
                 lambda: room(10, args.trials)),
        "import": ("Import as plans grow: 1, 2 and 5 MB targets tables, 100,000 steps (--dry-run)",
                   lambda: import_sizes(args.runs)),
    }


def settle(seconds=5):
    """Lets what the previous part left behind finish: its files' writeback (the room's fsyncs
    would wait for a 14 MB journal being written out) and its processes' exit."""
    os.sync()
    time.sleep(seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated parts: " + ", ".join(PARTS))
    args = parser.parse_args()
    chosen = parts(args)
    if args.only:
        unknown = set(args.only.split(",")) - set(chosen)
        if unknown:
            sys.exit(f"no part {', '.join(sorted(unknown))}; the parts are {', '.join(chosen)}")
        chosen = {k: v for k, v in chosen.items() if k in args.only.split(",")}
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"Measured {datetime.date.today()} at commit {commit} on {report.machine()}; "
          f"medians of {args.runs} runs, release build.", flush=True)
    missed = []
    for title, measure in chosen.values():
        settle()
        rows = measure()
        report.show(title, rows)
        missed += [r["measure"] for r in rows if r["met"] is False]
    print(f"\n{len(missed)} goal(s) not met" + (": " + "; ".join(missed) if missed else "."))


if __name__ == "__main__":
    main()
