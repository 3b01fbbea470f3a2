"""What every benchmark reports: rows of a measure with its median, min and max over the runs and
its goal, printed as one Markdown table; and the machine they ran on."""
import os, platform, statistics


def row(measure, values, fmt, goal="", met=None):
    """A measure over runs (`values`, one per run); `fmt` formats one figure; `met` says whether
    the goal holds (None: a figure for comparison, with no goal of its own)."""
    return {"measure": measure, "values": list(values), "fmt": fmt, "goal": goal, "met": met}


def median(r):
    return statistics.median(r["values"])


def table(rows):
    lines = ["| measure | median | min | max | runs | goal | |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        f, v = r["fmt"], r["values"]
        verdict = "" if r["met"] is None else ("met" if r["met"] else "**not met**")
        lines.append(f"| {r['measure']} | {f(statistics.median(v))} | {f(min(v))} | {f(max(v))} "
                     f"| {len(v)} | {r['goal']} | {verdict} |")
    return "\n".join(lines)


def show(title, rows):
    print(f"\n### {title}\n\n{table(rows)}", flush=True)


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    kib = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores of {model}, {kib / 1024 / 1024:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def ms(v):
    return f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms"


def seconds(v):
    return f"{v:.2f} s"


def percent(v):
    return f"{v:.2f} %"


def per_second(v):
    return f"{v:,.0f} B/s"


def mib(v):
    return f"{v:.1f} MiB"


def number(v):
    return f"{v:.3f}"


def ratio(v):
    return f"{v:.2f}x"
