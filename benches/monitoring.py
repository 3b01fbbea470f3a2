#!/usr/bin/env python3
"""Monitoring-source benchmark: the console idling on 2,000 components that ask monitoring.

Starts a real Alertmanager and a real Prometheus (Debian packages) on 127.0.0.1, each behind a
counting proxy, feeds Alertmanager with alerts (a tenth of the components have one, plus some
nobody claims), then runs the release console in a 120x40 pseudo-terminal on N components: M ask
Prometheus an instant query, the rest ask Alertmanager, all every INTERVAL. After a warm-up it
measures, over a window: requests to each server per interval, CPU of the console, its peak and
current RSS, and bytes written to the terminal.

Needs: apt-get install prometheus prometheus-alertmanager
Usage: cargo build --release && python3 benches/monitoring.py [--components 2000] [--queries 500] [--runs 3]
"""
import argparse, http.client, http.server, json, os, shutil, socket, subprocess, sys, tempfile
import statistics, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import BIN, SCREEN, cpu_seconds, spawn_console, status_mib, write_components  # noqa: E402

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not start on 127.0.0.1:{port}")


def start_alertmanager(work):
    port = free_port()
    open(f"{work}/am.yml", "w").write("route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n")
    proc = subprocess.Popen(
        ["/usr/bin/prometheus-alertmanager", f"--config.file={work}/am.yml",
         f"--storage.path={work}/am", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, "/-/ready", "Alertmanager")
    return proc, port


def start_prometheus(work):
    port = free_port()
    open(f"{work}/prom.yml", "w").write(
        f"global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: self\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
    proc = subprocess.Popen(
        ["/usr/bin/prometheus", f"--config.file={work}/prom.yml", f"--storage.tsdb.path={work}/prom",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    wait_ready(port, "/-/ready", "Prometheus")
    return proc, port


def counting_proxy(upstream):
    """A loopback proxy that counts the GETs it forwards to 127.0.0.1:upstream."""
    counter = {"requests": 0}

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            counter["requests"] += 1
            conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=10)
            conn.request("GET", self.path)
            answer = conn.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.getheader("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # the console quitting between runs resets its connections

    server = Server(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1], counter


def feed(am_port, components, queries, unclaimed):
    alerts = [{"labels": {"alertname": "ComponentDown", "component": f"c{i}", "severity": "critical"
                          if i % 20 == 0 else "warning"},
               "annotations": {"summary": f"component c{i} is failing"}}
              for i in range(queries, components, 10)]
    alerts += [{"labels": {"alertname": f"Elsewhere{i}", "service": "other", "severity": "warning"},
                "annotations": {"summary": "not ours"}} for i in range(unclaimed)]
    conn = http.client.HTTPConnection("127.0.0.1", am_port, timeout=10)
    conn.request("POST", "/api/v2/alerts", json.dumps(alerts), {"Content-Type": "application/json"})
    assert conn.getresponse().status == 200
    return len(alerts)


def write_config(path, args, am_port, prom_port):
    def probe(i):
        if i < args.queries:
            return (f'{{ kind = "prometheus", query = \'up{{job="self"}}\', down_if = "< 1", '
                    f'interval = "{args.interval}s" }}')
        return (f'{{ kind = "alertmanager", matchers = [\'component="c{i}"\'], '
                f'interval = "{args.interval}s" }}')

    head = (f'[sources.alertmanager.main]\nurl = "http://127.0.0.1:{am_port}"\n'
            f'[sources.prometheus.main]\nurl = "http://127.0.0.1:{prom_port}"\n')
    write_components(path, args.components, probe, head)


def measure(args, config, work, am_count, prom_count):
    """One console run: warm up, then measure over the window."""
    SCREEN["total"] = 0
    pid, fd = spawn_console(config, f"{work}/data")
    time.sleep(args.warmup)
    total0 = SCREEN["total"]
    am0, prom0, cpu0 = am_count["requests"], prom_count["requests"], cpu_seconds(pid)
    time.sleep(args.seconds)
    am1, prom1, cpu1 = am_count["requests"], prom_count["requests"], cpu_seconds(pid)
    total1 = SCREEN["total"]
    rss, hwm = status_mib(pid, "VmRSS"), status_mib(pid, "VmHWM")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    intervals = args.seconds / args.interval
    return {
        "Alertmanager requests per interval": (am1 - am0) / intervals,
        "Prometheus queries per interval": (prom1 - prom0) / intervals,
        "console CPU, % of one core": 100 * (cpu1 - cpu0) / args.seconds,
        "console RSS now, MiB": rss,
        "console RSS peak, MiB": hwm,
        "terminal output, B/s": (total1 - total0) / args.seconds,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=25)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run cargo build --release first")
    work = tempfile.mkdtemp(prefix="warroom-monitoring-")
    am, am_port = start_alertmanager(work)
    prom, prom_port = start_prometheus(work)
    try:
        am_proxy, am_count = counting_proxy(am_port)
        prom_proxy, prom_count = counting_proxy(prom_port)
        alerts = feed(am_port, args.components, args.queries, 100)
        config = f"{work}/warroom.toml"
        write_config(config, args, am_proxy, prom_proxy)
        runs = []
        for run in range(args.runs):
            shutil.rmtree(f"{work}/data", ignore_errors=True)
            runs.append(measure(args, config, work, am_count, prom_count))
        print(f"{args.components} components every {args.interval} s: {args.queries} Prometheus "
              f"queries, {args.components - args.queries} Alertmanager matchers; {alerts} alerts "
              f"held; {args.seconds:.0f} s measured after {args.warmup:.0f} s; {args.runs} runs")
        for name in runs[0]:
            values = [r[name] for r in runs]
            print(f"  {name:<36} median {statistics.median(values):8.2f}   "
                  f"min {min(values):8.2f}   max {max(values):8.2f}")
    finally:
        for proc in (am, prom):
            proc.terminate()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
