#!/usr/bin/env python3
"""The war room under load: one writing console and N joined consoles (`warroom join`) on one
incident, each in its own 120x40 pseudo-terminal showing the timeline. Each trial types a note
in one joined console (in turn) and times, from its Enter, until the note is on every
console's screen (read through a terminal emulator, pyte): the request goes to the writer, is journaled (fsync) and sent to every
joined console, which draws it.

Needs: pip install pyte
Usage: cargo build --release && python3 benches/room.py [--consoles 10] [--trials 20]
"""
import argparse, os, shutil, sys, tempfile, threading, time

import pyte

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idle import Terminal  # noqa: E402
from probes import BIN  # noqa: E402
import report  # noqa: E402

CONFIG = ('[service]\nname = "Room bench"\n[[component]]\nid = "db"\nname = "Primary database"\n'
          'tier = "critical"\nprobe = { kind = "sim", state = "down" }\n')


class Console(Terminal):
    """The release binary in a 120x40 pseudo-terminal; when each awaited text first arrived."""

    def __init__(self, args, work):
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=f"{work}/data")
        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.awaited = {}  # text -> arrival time
        super().__init__([BIN, "--config", f"{work}/warroom.toml", *args], env)

    def output(self, chunk, at):
        with self.lock:
            self.stream.feed(chunk)
            shown = "\n".join(self.screen.display)
            for text, seen in self.awaited.items():
                if seen is None and text in shown:
                    self.awaited[text] = at

    def expect(self, text):
        """Times `text` from now on."""
        with self.lock:
            self.awaited[text] = None

    def seen(self, text):
        with self.lock:
            return self.awaited.get(text)

    def wait_for(self, text, timeout=15):
        with self.lock:
            shown = "\n".join(self.screen.display)
            self.awaited[text] = time.monotonic() if text in shown else None
        deadline = time.monotonic() + timeout
        while self.seen(text) is None:
            if time.monotonic() > deadline:
                sys.exit(f"never saw {text!r} on a console")
            time.sleep(0.01)

    def send(self, keys):
        os.write(self.fd, keys.encode())



def room(consoles=10, trials=20):
    """Request to every screen, `trials` times: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-room-")
    open(f"{work}/warroom.toml", "w").write(CONFIG)
    everyone = []
    try:
        writer = Console([], work)
        everyone.append(writer)
        writer.wait_for("Press D")
        writer.send("D")
        writer.wait_for("Declare an incident")
        writer.send("\r")
        writer.wait_for("Recorded: Declared")
        joined = []
        for _ in range(consoles):
            console = Console(["join"], work)
            console.wait_for("Joined")
            joined.append(console)
        everyone += joined
        writer.wait_for(f"room {consoles + 1}")
        for console in everyone:
            console.send("4")
        time.sleep(1)
        latencies = []
        for trial in range(trials):
            asker = joined[trial % len(joined)]
            text = f"note {trial:03d} from the room bench"
            asker.send("n")
            asker.wait_for("Add a note")
            asker.send(text)
            time.sleep(0.2)
            for console in everyone:
                console.expect(text)
            sent = time.monotonic()
            asker.send("\r")
            deadline = sent + 10
            while any(c.seen(text) is None for c in everyone):
                if time.monotonic() > deadline:
                    sys.exit(f"trial {trial + 1}: the note did not reach every console")
                time.sleep(0.002)
            latencies.append(1000 * (max(c.seen(text) for c in everyone) - sent))
            time.sleep(0.3)
    finally:
        for console in reversed(everyone):
            console.stop(b"q")
        shutil.rmtree(work, ignore_errors=True)
    return [report.row(f"a note from a joined console on all {consoles + 1} screens", latencies,
                       report.ms, "< 100 ms", max(latencies) < 100)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    report.show(f"One writer and {args.consoles} joined consoles, {args.trials} notes",
                room(args.consoles, args.trials))


if __name__ == "__main__":
    main()
