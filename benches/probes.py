#!/usr/bin/env python3
"""Probe engine benchmark: warroom against Prometheus's blackbox_exporter, side by side.

Starts nginx on 127.0.0.1, then in the same run:
  * warroom (release build, in a 120x40 pseudo-terminal) probing N components every second,
  * prometheus-blackbox-exporter driven at the same rate by a load generator (its /probe
    endpoint, module http_2xx, same target),
and reports CPU seconds per 1,000 probes for each (from /proc, counted probes from nginx's log).
Detection latency is measured by benches/detection.py.

Needs: apt-get install nginx-light prometheus-blackbox-exporter
Usage: cargo build --release && python3 benches/probes.py [--components 1000] [--seconds 20]
"""
import argparse, asyncio, fcntl, os, pty, shutil, struct, subprocess
import tempfile, termios, threading, time

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
    open(f"{work}/blackbox.yml", "w").write("modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n")
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


async def load(rate, seconds, stop):
    """Drives the exporter at `rate` probes per second over keep-alive connections."""
    request = (f"GET /probe?target=http://127.0.0.1:{NGINX_PORT}/health&module=http_2xx HTTP/1.1\r\n"
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


def throughput(work, components, seconds):
    config = f"{work}/warroom.toml"
    with open(config, "w") as f:
        f.write('[service]\nname = "Bench"\n[probes]\nconcurrency = 256\n')
        for i in range(components):
            f.write(f'[[component]]\nid = "c{i}"\nname = "Component {i}"\ntier = "standard"\n'
                    f'probe = {{ kind = "http", url = "http://127.0.0.1:{NGINX_PORT}/health", interval = "1s", timeout = "500ms" }}\n')
    exporter = start_exporter(work)
    time.sleep(1)
    pid, fd = spawn_console(config, f"{work}/data")
    time.sleep(5)
    open(f"{work}/access.log", "w").close()
    stop = asyncio.Event()
    w0, e0 = cpu_seconds(pid), cpu_seconds(exporter.pid)
    asyncio.run(load(components, seconds, stop))
    w1, e1 = cpu_seconds(pid), cpu_seconds(exporter.pid)
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    exporter.terminate()
    exporter.wait()
    w_probes, e_probes = count_agents(f"{work}/access.log")
    print(f"{components} components every 1 s for {seconds} s (same run, same nginx target)")
    print(f"  warroom:          {w_probes:7d} probes, {w1 - w0:6.2f} CPU s, {1000 * (w1 - w0) / max(w_probes, 1):.3f} CPU s per 1,000 probes, peak RSS {rss / 1024:.1f} MiB")
    print(f"  blackbox_exporter:{e_probes:7d} probes, {e1 - e0:6.2f} CPU s, {1000 * (e1 - e0) / max(e_probes, 1):.3f} CPU s per 1,000 probes")
    ratio = ((w1 - w0) / max(w_probes, 1)) / max((e1 - e0) / max(e_probes, 1), 1e-9)
    print(f"  warroom costs {ratio:.2f}x the exporter per probe")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="warroom-probes-")
    nginx = start_nginx(work)
    try:
        time.sleep(0.5)
        throughput(work, args.components, args.seconds)
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
