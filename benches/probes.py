#!/usr/bin/env python3
"""Probe engine benchmark: warroom against Prometheus's blackbox_exporter, side by side.

For HTTP (nginx on 127.0.0.1 as the target) and then TCP (a loopback listener per prober that
counts connections), in the same run:
  * warroom (release build, in a 120x40 pseudo-terminal) probing N components every second,
  * prometheus-blackbox-exporter driven at the same rate by a load generator (its /probe
    endpoint, module http_2xx or tcp_connect),
and reports CPU seconds per 1,000 probes for each (from /proc; probes counted at the target).
Detection latency is measured by benches/detection.py.

Needs: apt-get install nginx-light prometheus-blackbox-exporter
Usage: cargo build --release && python3 benches/probes.py [--components 1000] [--seconds 20] [--runs 5]
"""
import argparse, asyncio, fcntl, os, pty, shutil, statistics, struct, subprocess
import tempfile, termios, threading, time

import report

ROOT = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(ROOT, "..", "target", "release", "warroom")
TICKS = os.sysconf("SC_CLK_TCK")
NGINX_PORT, EXPORTER_PORT = 18580, 18581


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_mib(pid, field):
    """A memory figure of /proc/PID/status (`VmRSS`, `VmHWM`) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field)) / 1024


def write_components(path, count, probe, head=""):
    """A config of `count` components c0, c1, ...: `probe(i)` is each one's inline probe table;
    `head` goes after [service] (sources)."""
    with open(path, "w") as f:
        f.write(f'[service]\nname = "Bench"\n{head}')
        for i in range(count):
            f.write(f'[[component]]\nid = "c{i}"\nname = "Component {i}"\ntier = "standard"\n'
                    f'probe = {probe(i)}\n')


def start_nginx(work):
    os.makedirs(f"{work}/html", exist_ok=True)
    open(f"{work}/html/health", "w").write("ok\n")
    conf = f"""
daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log {work}/access.log combined;
  server {{ listen 127.0.0.1:{NGINX_PORT}; root {work}/html; keepalive_requests 100000; }}
}}"""
    open(f"{work}/nginx.conf", "w").write(conf)
    return subprocess.Popen(["nginx", "-c", f"{work}/nginx.conf", "-p", work])


def start_exporter(work):
    open(f"{work}/blackbox.yml", "w").write(
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n"
        "  tcp_connect:\n    prober: tcp\n    timeout: 2s\n")
    return subprocess.Popen(
        ["prometheus-blackbox-exporter", f"--config.file={work}/blackbox.yml",
         f"--web.listen-address=127.0.0.1:{EXPORTER_PORT}", "--log.level=error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def spawn_console(config, data, size=(120, 40)):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", WARROOM_DATA_DIR=data)
        os.execve(BIN, [BIN, "--config", config], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    threading.Thread(target=drain, args=(fd,), daemon=True).start()
    return pid, fd


SCREEN = {"text": b""}


def drain(fd):
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        SCREEN["text"] = (SCREEN["text"] + chunk)[-200000:]
        SCREEN["total"] = SCREEN.get("total", 0) + len(chunk)
        SCREEN["last"] = time.monotonic()


async def read_response(reader):
    head = (await reader.readuntil(b"\r\n\r\n")).lower()
    lengths = [l for l in head.split(b"\r\n") if l.startswith(b"content-length:")]
    if lengths:
        await reader.readexactly(int(lengths[0].split(b":")[1]))
        return
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        await reader.readexactly(size + 2)
        if size == 0:
            return


def listen():
    """A loopback listener that accepts every connection and closes it: its port, and a dict
    whose "accepted" counts the connections."""
    ready, state = threading.Event(), {"accepted": 0}

    async def main():
        async def close(_reader, writer):
            state["accepted"] += 1
            writer.close()

        server = await asyncio.start_server(close, "127.0.0.1", 0, backlog=4096)
        state["port"] = server.sockets[0].getsockname()[1]
        ready.set()
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    ready.wait()
    return state["port"], state


async def load(rate, seconds, stop, target, module):
    """Drives the exporter at `rate` probes per second over keep-alive connections."""
    request = (f"GET /probe?target={target}&module={module} HTTP/1.1\r\n"
               f"Host: 127.0.0.1\r\n\r\n").encode()
    conns = 50
    per_conn = rate / conns

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", EXPORTER_PORT)
        next_at = time.monotonic()
        while not stop.is_set():
            writer.write(request)
            await writer.drain()
            await read_response(reader)
            next_at += 1 / per_conn
            await asyncio.sleep(max(0, next_at - time.monotonic()))

    tasks = [asyncio.create_task(worker()) for _ in range(conns)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)


def count_agents(log):
    warroom = blackbox = 0
    for line in open(log, errors="replace"):
        if "warroom/" in line:
            warroom += 1
        else:
            blackbox += 1
    return warroom, blackbox


class Http:
    """HTTP probes of nginx's /health, counted in its access log by user agent."""
    name, module = "HTTP", "http_2xx"

    def __init__(self, work):
        self.log = f"{work}/access.log"
        self.target = f"http://127.0.0.1:{NGINX_PORT}/health"

    def probe(self):
        return f'{{ kind = "http", url = "{self.target}", interval = "1s", timeout = "500ms" }}'

    def reset(self):
        open(self.log, "w").close()

    def counts(self):
        return count_agents(self.log)


class Tcp:
    """TCP connects, each prober to a listener of its own that counts them."""
    name, module = "TCP", "tcp_connect"

    def __init__(self, _work):
        (self.port, self.ours), (exporter_port, self.theirs) = listen(), listen()
        self.target = f"127.0.0.1:{exporter_port}"

    def probe(self):
        return f'{{ kind = "tcp", address = "127.0.0.1:{self.port}", interval = "1s", timeout = "500ms" }}'

    def reset(self):
        self.ours["accepted"] = self.theirs["accepted"] = 0

    def counts(self):
        return self.ours["accepted"], self.theirs["accepted"]


def throughput(work, kind, components, seconds):
    """One run: (warroom, exporter) CPU seconds per 1,000 probes, and warroom's peak RSS."""
    config = f"{work}/warroom.toml"
    write_components(config, components, lambda i: kind.probe(), head="[probes]\nconcurrency = 256\n")
    exporter = start_exporter(work)
    time.sleep(1)
    shutil.rmtree(f"{work}/data", ignore_errors=True)
    pid, fd = spawn_console(config, f"{work}/data")
    time.sleep(5)
    kind.reset()
    stop = asyncio.Event()
    w0, e0 = cpu_seconds(pid), cpu_seconds(exporter.pid)
    asyncio.run(load(components, seconds, stop, kind.target, kind.module))
    w1, e1 = cpu_seconds(pid), cpu_seconds(exporter.pid)
    w_probes, e_probes = kind.counts()
    rss = status_mib(pid, "VmHWM")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    exporter.terminate()
    exporter.wait()
    return 1000 * (w1 - w0) / max(w_probes, 1), 1000 * (e1 - e0) / max(e_probes, 1), rss


def probes(components=1000, seconds=20, runs=5):
    """HTTP then TCP, `runs` runs each: report rows."""
    work = tempfile.mkdtemp(prefix="warroom-probes-")
    nginx = start_nginx(work)
    rows = []
    try:
        time.sleep(0.5)
        for kind in (Http(work), Tcp(work)):
            results = [throughput(work, kind, components, seconds) for _ in range(runs)]
            ours, theirs = [r[0] for r in results], [r[1] for r in results]
            ratios = [a / max(b, 1e-9) for a, b in zip(ours, theirs)]
            rows += [
                report.row(f"{kind.name}: warroom, CPU s per 1,000 probes", ours, report.number),
                report.row(f"{kind.name}: blackbox_exporter, CPU s per 1,000 probes", theirs, report.number),
                report.row(f"{kind.name}: warroom ÷ blackbox_exporter", ratios, report.ratio,
                           "≤ 0.25x", statistics.median(ratios) <= 0.25),
                report.row(f"{kind.name}: warroom peak RSS", [r[2] for r in results], report.mib),
            ]
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report.show(f"{args.components} components every second for {args.seconds:.0f} s, beside "
                f"blackbox_exporter at the same rate", probes(args.components, args.seconds, args.runs))


if __name__ == "__main__":
    main()
