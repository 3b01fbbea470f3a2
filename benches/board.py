#!/usr/bin/env python3
"""Time from launch until the whole board is known: the release console on N HTTP components
with the default interval (10 s), against a loopback HTTP endpoint in this script, in a 120x40
pseudo-terminal read through a terminal emulator (pyte), timed until its title says every
component is up.

Needs: pip install pyte
Usage: cargo build --release && python3 benches/board.py [--components 500] [--runs 5]
"""
import argparse, fcntl, os, pty, shutil, statistics, struct, sys, tempfile, termios
import threading, time

import pyte

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idle import serve  # noqa: E402
import report  # noqa: E402
from probes import BIN, write_components  # noqa: E402


def time_to_board(work, components):
    screen = pyte.Screen(120, 40)
    stream = pyte.ByteStream(screen)
    done = threading.Event()
    want = f"Components {components}/{components} up"
    launched = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=f"{work}/data")
        os.execve(BIN, [BIN, "--config", f"{work}/warroom.toml"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = {}

    def read():
        while not done.is_set():
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            stream.feed(chunk)
            if want in screen.display[2]:
                seen["at"] = time.monotonic()
                done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(30)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    if "at" not in seen:
        sys.exit(f"the board never read {want!r}")
    return seen["at"] - launched


def board(components=500, runs=5):
    """Launch to the whole board on screen, `runs` times: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-board-")
    try:
        port = serve()
        write_components(f"{work}/warroom.toml", components,
                         lambda i: f'{{ kind = "http", url = "http://127.0.0.1:{port}/health" }}')
        times = []
        for _ in range(runs):
            shutil.rmtree(f"{work}/data", ignore_errors=True)
            times.append(time_to_board(work, components))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [report.row(f"launch to `Components {components}/{components} up` on screen",
                       times, report.seconds, "≤ 1.2 s", statistics.median(times) <= 1.2)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report.show(f"{args.components} HTTP components, default interval (10 s)",
                board(args.components, args.runs))


if __name__ == "__main__":
    main()
