#!/usr/bin/env python3
"""Memory at scale: resident memory of the release console watching N TCP components (every
10 s, against a loopback listener in this script), once every component has been sampled.

Usage: cargo build --release && python3 benches/memory.py [--components 500 2000 20000]
"""
import argparse, asyncio, os, shutil, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import BIN, spawn_console, status_mib, write_components  # noqa: E402


def listen():
    """A loopback listener that accepts every connection and closes it; its port."""
    ready, port = threading.Event(), {}

    async def main():
        async def close(_reader, writer):
            writer.close()

        server = await asyncio.start_server(close, "127.0.0.1", 0, backlog=4096)
        port["n"] = server.sockets[0].getsockname()[1]
        ready.set()
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    ready.wait()
    return port["n"]


def measure(components, port, work, settle):
    config = f"{work}/warroom-{components}.toml"
    write_components(config, components,
                     lambda i: f'{{ kind = "tcp", address = "127.0.0.1:{port}" }}')
    pid, fd = spawn_console(config, f"{work}/data-{components}")
    time.sleep(settle)
    now, peak = status_mib(pid, "VmRSS"), status_mib(pid, "VmHWM")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    return now, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, nargs="+", default=[500, 2000, 20000])
    parser.add_argument("--settle", type=float, default=25)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="warroom-memory-")
    try:
        port = listen()
        print(f"TCP components every 10 s, RSS after {args.settle:.0f} s")
        for n in args.components:
            now, peak = measure(n, port, work, args.settle)
            print(f"  {n:>6} components   RSS {now:6.1f} MiB   peak {peak:6.1f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
