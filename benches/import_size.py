#!/usr/bin/env python3
"""`warroom import` as plans grow: a targets table of 1, 2 and 5 MB and a procedure of 100,000
numbered steps, each imported with `--dry-run` (validated in memory, nothing written); the whole
process timed. The cost must grow linearly: 5 MB within 2 s.

Usage: cargo build --release && python3 benches/import_size.py [--runs 5]
"""
import argparse, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import BIN  # noqa: E402
import report  # noqa: E402


def table_plan(size):
    rows = ["# Big plan\n\n| Component | RTO | RPO |\n|---|---|---|\n"]
    total, n = len(rows[0]), 0
    while total < size:
        row = f"| Service number {n} of the platform | 1h | 15m |\n"
        rows.append(row)
        total += len(row)
        n += 1
    return "".join(rows)


def steps_plan(count):
    lines = ["# Big plan\n\n## Database restore procedure\n\n"]
    lines += [f"{i}. Step {i}\n" for i in range(1, count + 1)]
    return "".join(lines)


def timed(text, runs):
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "plan.md")
        with open(path, "w") as f:
            f.write(text)
        times = []
        for _ in range(runs):
            start = time.monotonic()
            done = subprocess.run([BIN, "import", path, "--dry-run"], cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            times.append(time.monotonic() - start)
            if done.returncode != 0:
                sys.exit(f"import failed: {done.stderr}")
        return times


def import_sizes(runs):
    rows = []
    for mib in (1, 2, 5):
        times = timed(table_plan(mib * 1024 * 1024), runs)
        goal, met = ("within 2 s", max(times) <= 2.0) if mib == 5 else ("", None)
        rows.append(report.row(f"a {mib} MB targets table", times, report.seconds, goal, met))
    rows.append(report.row("100,000 numbered steps", timed(steps_plan(100_000), runs),
                           report.seconds))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"On {report.machine()}; release build.")
    report.show("Import as plans grow", import_sizes(args.runs))


if __name__ == "__main__":
    main()
