#!/usr/bin/env python3
"""Idle cost, side by side: the console watching N HTTP components every 10 s with nothing
changing, and bottom (`btm`, if installed) in an identical terminal, measured over the same
window in the same run: CPU (% of one core) and bytes written to the terminal per second.

The components' endpoint is a loopback HTTP server in this script (its own cost is not counted).
Needs for the comparison: cargo install bottom (btm on PATH).
Usage: cargo build --release && python3 benches/idle.py [--components 200] [--seconds 60] [--runs 3]
"""
import argparse, fcntl, http.server, os, pty, shutil, statistics, struct, sys, tempfile, termios
import threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import BIN, cpu_seconds, write_components  # noqa: E402
import report  # noqa: E402


class Health(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # A launch connects to every component within a second: with the default backlog of 5, a
    # dropped SYN is retried a second later and the benchmark would time the kernel's retry.
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass  # a console that quits mid-request closes its connection: not news


def serve():
    server = Server(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


class Terminal:
    """A program in its own 120x40 pseudo-terminal, its output counted."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.total = 0
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.total += len(chunk)
            self.output(chunk, time.monotonic())

    def output(self, chunk, at):
        """What a subclass does with each piece of output."""

    def mark(self):
        return self.total, cpu_seconds(self.pid)

    def stop(self, key):
        os.write(self.fd, key)
        for _ in range(50):
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return
            time.sleep(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def run_once(port, work, warmup, seconds):
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=f"{work}/data")
    env.pop("NO_COLOR", None)
    programs = {"warroom": Terminal([BIN, "--config", f"{work}/warroom.toml"], env)}
    btm = shutil.which("btm")
    if btm:
        programs["btm"] = Terminal([btm, "--default_widget_type", "proc"], env)
    time.sleep(warmup)
    before = {name: p.mark() for name, p in programs.items()}
    time.sleep(seconds)
    after = {name: p.mark() for name, p in programs.items()}
    for name, p in programs.items():
        p.stop(b"q")
    return {
        name: (100 * (after[name][1] - before[name][1]) / seconds,
               (after[name][0] - before[name][0]) / seconds)
        for name in programs
    }


def idle(components=200, warmup=65, seconds=60, runs=5):
    """warroom and btm idle over the same windows: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-idle-")
    try:
        port = serve()
        write_components(
            f"{work}/warroom.toml", components,
            lambda i: f'{{ kind = "http", url = "http://127.0.0.1:{port}/health", interval = "10s" }}')
        results = [run_once(port, work, warmup, seconds) for _ in range(runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cpu = {name: [r[name][0] for r in results] for name in results[0]}
    out = {name: [r[name][1] for r in results] for name in results[0]}
    btm_cpu = statistics.median(cpu["btm"]) if "btm" in cpu else None
    rows = [
        report.row("warroom: CPU", cpu["warroom"], report.percent, "under btm's",
                   None if btm_cpu is None else statistics.median(cpu["warroom"]) < btm_cpu),
        report.row("warroom: bytes written to the terminal", out["warroom"], report.per_second,
                   "≤ 300 B/s", statistics.median(out["warroom"]) <= 300),
    ]
    if btm_cpu is not None:
        rows += [report.row("btm: CPU", cpu["btm"], report.percent),
                 report.row("btm: bytes written to the terminal", out["btm"], report.per_second)]
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=200)
    # Past the first minute, when the SINCE column of healthy rows turns to whole minutes.
    parser.add_argument("--warmup", type=float, default=65)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run cargo build --release first")
    if not shutil.which("btm"):
        print("btm is not installed: cargo install bottom to compare")
    report.show(f"{args.components} HTTP components every 10 s, nothing changing; {args.seconds:.0f} s "
                f"after {args.warmup:.0f} s", idle(args.components, args.warmup, args.seconds, args.runs))


if __name__ == "__main__":
    main()
