#!/usr/bin/env python3
"""Detection against three ways a server fails, over many trials: the release console watches
three HTTP components (interval 1 s, timeout 500 ms, fail_after 2, recover_after 1), each served
by this script on 127.0.0.1, in a 120x24 pseudo-terminal read through a terminal emulator (pyte).
Each trial waits until all three are up, waits a random part of a second (so the failure falls
anywhere in a probe's interval), then at once:

  * refusing: the listening socket is closed (connections are refused),
  * killed:   the server process (python3 -m http.server) gets SIGKILL,
  * hanging:  the server keeps accepting connections but never answers,

and times each until its row reads `down` on screen. The stated bound is
`interval x fail_after + timeout` = 2.5 s; the goal is the maximum within it + 100 ms.

Needs: pip install pyte
Usage: cargo build --release && python3 benches/detection.py [--trials 20]
"""
import argparse, fcntl, os, pty, random, shutil, signal, socket
import struct, subprocess, sys, tempfile, termios, threading, time

import pyte

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idle import Health, Server  # noqa: E402
from probes import BIN  # noqa: E402
import report  # noqa: E402

BOUND_MS = 1000 * 2 + 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Refusing:
    """Answers until broken; broken, its port has no listener."""

    def __init__(self):
        self.port, self.server = free_port(), None

    def restore(self):
        self.server = Server(("127.0.0.1", self.port), Health)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(self):
        self.server.shutdown()
        self.server.server_close()
        self.server = None

    def close(self):
        if self.server:
            self.fail()


class Killed:
    """A server process of its own; broken, it is killed with SIGKILL."""

    def __init__(self, work):
        self.port, self.work, self.process = free_port(), work, None

    def restore(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"],
            cwd=self.work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)

    def fail(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def close(self):
        if self.process.poll() is None:
            self.fail()


class Hanging:
    """Accepts and answers until broken; broken, it accepts and holds every connection silent."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.listener.getsockname()[1]
        self.hanging, self.held = False, []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            conn, _ = self.listener.accept()
            if self.hanging:
                self.held.append(conn)
                continue
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    @staticmethod
    def answer(conn):
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        except OSError:
            pass
        conn.close()

    def restore(self):
        self.hanging = False
        for conn in self.held:
            conn.close()
        self.held = []

    def fail(self):
        self.hanging = True

    def close(self):
        self.listener.close()


class Console:
    """The release console in a pseudo-terminal; the state word of each component's row."""

    def __init__(self, config, data):
        self.screen = pyte.Screen(120, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=data)
            os.execve(BIN, [BIN, "--config", config], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        self.seen = {}  # name -> (state, first time seen in it)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            now = time.monotonic()
            with self.lock:
                self.stream.feed(chunk)
                for line in self.screen.display:
                    words = line.replace("│", " ").split()
                    for name in ("Refusing", "Killed", "Hanging"):
                        if name in words and len(words) > 1:
                            state = words[words.index(name) - 1].lower()
                            if self.seen.get(name, ("", 0))[0] != state:
                                self.seen[name] = (state, now)

    def state(self, name):
        with self.lock:
            return self.seen.get(name, ("", 0))

    def wait_for(self, names, state, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.state(n)[0] == state for n in names):
                return True
            time.sleep(0.002)
        return False

    def quit(self):
        os.write(self.fd, b"q")
        os.waitpid(self.pid, 0)


def detection(trials=20):
    """Each failure to `down` on screen over `trials` trials: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-detection-")
    servers = {"Refusing": Refusing(), "Killed": Killed(work), "Hanging": Hanging()}
    with open(f"{work}/warroom.toml", "w") as f:
        f.write('[service]\nname = "Detection"\n')
        for name, server in servers.items():
            f.write(f'[[component]]\nid = "{name.lower()}"\nname = "{name}"\ntier = "standard"\n'
                    f'probe = {{ kind = "http", url = "http://127.0.0.1:{server.port}/", '
                    f'interval = "1s", timeout = "500ms", fail_after = 2, recover_after = 1 }}\n')
    for server in servers.values():
        server.restore()
    console = Console(f"{work}/warroom.toml", f"{work}/data")
    latencies = {name: [] for name in servers}
    try:
        for trial in range(trials):
            if not console.wait_for(servers, "up", 15):
                sys.exit(f"trial {trial + 1}: not every component came up: {console.seen}")
            time.sleep(random.random())
            failed = {}
            for name, server in servers.items():
                server.fail()
                failed[name] = time.monotonic()
            if not console.wait_for(servers, "down", 10):
                sys.exit(f"trial {trial + 1}: not every component went down: {console.seen}")
            for name in servers:
                latencies[name].append(1000 * (console.state(name)[1] - failed[name]))
            for server in servers.values():
                server.restore()
    finally:
        console.quit()
        for server in servers.values():
            server.close()
        shutil.rmtree(work, ignore_errors=True)
    return [report.row(f"{name.lower()}: failure to `down` on screen", values, report.ms,
                       f"max ≤ {BOUND_MS + 100:,} ms", max(values) <= BOUND_MS + 100)
            for name, values in latencies.items()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    report.show(f"Detection, {args.trials} trials each (interval 1 s, fail_after 2, timeout 500 ms: "
                f"bound {BOUND_MS:,} ms)", detection(args.trials))


if __name__ == "__main__":
    main()
