#!/usr/bin/env python3
"""Whole-process benchmark of the warroom console in a 120x40 pseudo-terminal.

Measures, for `warroom demo` (release build):
  * time from launch to the first full frame (status bar and footer drawn),
  * bytes written to the terminal per second while idle with an incident clock ticking,
  * CPU used while idle (user + system, % of one core),
  * peak resident memory (VmHWM).

Usage: cargo build --release && python3 benches/console.py [--idle SECONDS] [--runs N]
"""
import argparse, fcntl, os, pty, select, shutil, signal, statistics, struct, tempfile, termios, time

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "warroom")
TICKS = os.sysconf("SC_CLK_TCK")


def spawn(data):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=data)
        env.pop("NO_COLOR", None)
        os.execve(BIN, [BIN, "demo"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, fd


def read_until(fd, needles, timeout):
    data, start = b"", time.monotonic()
    while time.monotonic() - start < timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            data += os.read(fd, 65536)
            if all(n in data for n in needles):
                return data, time.monotonic() - start
    raise SystemExit(f"timed out waiting for {needles}")


def drain(fd, seconds):
    total, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            total += len(os.read(fd, 65536))
    return total


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])


def run_once(idle):
    data = tempfile.mkdtemp(prefix="warroom-bench-")
    try:
        launch = time.monotonic()
        pid, fd = spawn(data)
        _, first_frame = read_until(fd, [b"Components", b"quit"], 10)
        os.write(fd, b"D")
        read_until(fd, [b"Declare an incident"], 5)
        os.write(fd, b"\x15Benchmark incident\r")
        read_until(fd, [b"journal ok"], 5)
        drain(fd, 1.5)
        cpu0 = cpu_seconds(pid)
        written = drain(fd, idle)
        cpu = cpu_seconds(pid) - cpu0
        rss = peak_rss_kib(pid)
        os.write(fd, b"q")
        os.waitpid(pid, 0)
        return first_frame * 1000, written / idle, 100 * cpu / idle, rss / 1024
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [run_once(args.idle) for _ in range(args.runs)]
    names = ["first frame (ms)", "idle bytes/s", "idle CPU (% of a core)", "peak RSS (MiB)"]
    for i, name in enumerate(names):
        values = [r[i] for r in results]
        print(f"{name:<24} median {statistics.median(values):8.1f}   min {min(values):8.1f}   max {max(values):8.1f}")


if __name__ == "__main__":
    main()
