"""Turns the raw data of one run.sh run into a Markdown table (medians of the rounds, every ratio
Sallyport/HAProxy and Sallyport/nginx, the issue's targets) and a PNG chart drawn with gnuplot.

Usage: report.py RAW_DIR OUT.md OUT.png
"""
import os
import statistics
import subprocess
import sys
from collections import defaultdict

PROXIES = ["sallyport", "haproxy", "nginx"]
NAMES = {"sallyport": "Sallyport", "haproxy": "HAProxy", "nginx": "nginx"}
SCENARIOS = ["http1-1k", "http1-100k", "tcp-stream", "h2c", "tls-keepalive", "tls-handshake", "grpc"]
TITLES = {
    "http1-1k": "HTTP/1.1 keep-alive, 1 KiB (wrk, 50 conns)",
    "http1-100k": "HTTP/1.1 keep-alive, 100 KiB (wrk, 50 conns)",
    "tcp-stream": "TCP stream, one connection",
    "h2c": "h2c prior knowledge -> HTTP/1.1 origin (h2load 10x10)",
    "tls-keepalive": "TLS origination, upstream keep-alive (wrk, 50 conns)",
    "tls-handshake": "TLS origination, new connection + full handshake per request (wrk, 50 conns)",
    "grpc": "gRPC unary (h2load 10x10)",
}


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    """'N starts, MIN-MAX' for the start rows."""
    return f"{len(values)} starts, {fmt(min(values))}–{fmt(max(values))}" if values else "no start"


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def verdict_ratio(r, bound):
    """Two decimals, or as many more as it takes not to print the bound itself (1.045 is a miss of 1.05)."""
    for digits in range(2, 6):
        if r == bound or f"{r:.{digits}f}" != f"{bound:.{digits}f}":
            return f"{r:.{digits}f}"
    return f"{r:.6f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def main(raw, out_md, out_png):
    rows = defaultdict(lambda: defaultdict(list))  # (scenario, proxy) -> metric -> values
    notes = defaultdict(set)
    units = {}
    rounds = set()
    warm = {}
    with open(os.path.join(raw, "results.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 10:
                continue
            r, s, p, thr, unit, p50, p99, cpu, rss, status = parts[:10]
            if r == "w":
                # The warm-up pass: the first seconds of load after the start (JIT still compiling).
                if status != "not available":
                    warm[(s, p)] = num(thr)
                continue
            rounds.add(r)
            key = (s, p)
            if status != "ok":
                notes[key].add(status)
            if status == "not available":
                continue
            units[s] = unit
            rows[key]["thr"].append(num(thr))
            rows[key]["p50"].append(num(p50))
            rows[key]["p99"].append(num(p99))
            rows[key]["cpu"].append(num(cpu))
            rows[key]["rss"].append(num(rss) / 1024 if num(rss) is not None else None)
            # CPU cost of one request (µs) or of one MB (µs) through the proxy: what a user pays per unit.
            t, c = num(thr), num(cpu)
            rows[key]["cost"].append(c / 100 * 1e6 / t if t and c is not None else None)
    extra = defaultdict(list)
    extra_path = os.path.join(raw, "extra.tsv")
    if os.path.exists(extra_path):
        with open(extra_path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 5 and parts[0] != "0":
                    extra[(parts[1], parts[2])].append(num(parts[4]))

    def med(s, p, m):
        return median(rows[(s, p)][m]) if (s, p) in rows else None

    machine = open(os.path.join(raw, "machine.txt")).read().strip()
    out = []
    out.append(f"# Load harness results ({os.path.basename(raw)})\n")
    out.append("Medians of " + str(len(rounds)) + " rounds, proxies measured in turn (A B C A B C ...), each "
               "proxy started once for all load rounds (warm). "
               "\"n/a\" = not measured: the scenario is not available through that proxy yet "
               "(its probe request failed), never a made-up number. Ratios are Sallyport / other; for "
               "throughput higher is better, for latency, CPU and memory lower is better. CPU % is the "
               "proxy's user+system time over the measurement (100 % = one core); RSS is the largest "
               "VmRSS sampled every 0.2 s during the measurement (summed over nginx's master and worker).\n")
    out.append("```\n" + machine + "\n```\n")
    out.append("| scenario | metric | Sallyport | HAProxy | nginx | S/HAProxy | S/nginx | target |")
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    chart = []
    for s in SCENARIOS:
        if not any((s, p) in rows or (s, p) in notes for p in PROXIES):
            continue
        unit = units.get(s, "req/s")
        metrics = [("thr", unit, 0 if unit == "req/s" else 0), ("p50", "p50 ms", 2), ("p99", "p99 ms", 2),
                   ("cpu", "proxy CPU %", 0),
                   ("cost", "proxy CPU µs per " + ("MB" if unit == "MB/s" else "request"), 1),
                   ("rss", "proxy peak RSS MiB", 1)]
        for m, label, digits in metrics:
            vals = {p: med(s, p, m) for p in PROXIES}
            if m in ("p50", "p99") and all(v is None for v in vals.values()):
                continue
            if m == "cpu" and any((s, p) in warm for p in PROXIES):
                # The warm-up pass's throughput, next to the measured one (before the CPU rows).
                w = {p: warm.get((s, p)) for p in PROXIES}
                out.append(f"|  | {unit} in the warm-up pass (first seconds of load after start) | "
                           f"{fmt(w['sallyport'])} | {fmt(w['haproxy'])} | {fmt(w['nginx'])} | "
                           f"{ratio(w['sallyport'], w['haproxy'])} | {ratio(w['sallyport'], w['nginx'])} |  |")
            target = ""
            others = [vals["haproxy"], vals["nginx"]]
            others = [v for v in others if v is not None]
            sp = vals["sallyport"]
            if m == "thr" and others:
                best = max(others)
                target = "n/a" if sp is None else (
                    f"{'met' if sp >= 1.05 * best else 'missed'}: {verdict_ratio(sp / best, 1.05)} x best (want >= 1.05)")
            elif m == "p99" and others:
                best = min(others)
                target = "n/a" if sp is None else (
                    f"{'met' if sp <= best else 'missed'}: {verdict_ratio(sp / best, 1.00)} x best (want <= 1.00)")
            elif m == "rss" and s == "http1-1k":
                target = "n/a" if sp is None else f"{'met' if sp <= 64 else 'missed'} (want <= 64 MiB)"
            out.append(f"| {s if m == 'thr' else ''} | {label} | {fmt(vals['sallyport'], digits)} | "
                       f"{fmt(vals['haproxy'], digits)} | {fmt(vals['nginx'], digits)} | "
                       f"{ratio(vals['sallyport'], vals['haproxy'])} | {ratio(vals['sallyport'], vals['nginx'])} | "
                       f"{target} |")
        chart.append((s, unit, {p: (med(s, p, "thr"), med(s, p, "p50"), med(s, p, "p99"), med(s, p, "rss"),
                                    med(s, p, "cost"))
                                for p in PROXIES}))
    idle = {p: median(extra.get(("idle", p), [])) for p in PROXIES}
    idle = {p: (v / 1024 if v is not None else None) for p, v in idle.items()}
    hwm = {p: median(extra.get(("hwm", p), [])) for p in PROXIES}
    hwm = {p: (v / 1024 if v is not None else None) for p, v in hwm.items()}
    starts = [v for v in extra.get(("startup", "sallyport"), []) if v is not None]
    starts_plain = [v for v in extra.get(("startup-plain", "sallyport"), []) if v is not None]
    ready = median(starts)
    ready_plain = median(starts_plain)
    out.append(f"| idle | RSS MiB, fresh proxy, 1 000 idle TCP connections open | {fmt(idle['sallyport'], 1)} | "
               f"{fmt(idle['haproxy'], 1)} | {fmt(idle['nginx'], 1)} | {ratio(idle['sallyport'], idle['haproxy'])} | "
               f"{ratio(idle['sallyport'], idle['nginx'])} | "
               f"{'n/a' if idle['sallyport'] is None else ('met' if idle['sallyport'] <= 64 else 'missed')} (want <= 64 MiB) |")
    out.append(f"| whole run | peak RSS MiB (VmHWM after all load rounds) | {fmt(hwm['sallyport'], 1)} | "
               f"{fmt(hwm['haproxy'], 1)} | {fmt(hwm['nginx'], 1)} | {ratio(hwm['sallyport'], hwm['haproxy'])} | "
               f"{ratio(hwm['sallyport'], hwm['nginx'])} | |")
    out.append(f"| start | Sallyport start to /ready, ms (launcher + JVM, CDS archive in use), benchmark config; "
               f"median of {spread(starts)} "
               f"| {fmt(ready)} | | | | | "
               f"{'n/a' if ready is None else ('met' if ready <= 400 else 'missed')} (want <= 400 ms) |")
    out.append(f"| | the same without the two services that originate TLS (no BoringSSL set-up before /ready); "
               f"median of {spread(starts_plain)} "
               f"| {fmt(ready_plain)} | | | | | "
               f"{'n/a' if ready_plain is None else ('met' if ready_plain <= 400 else 'missed')} (want <= 400 ms) |")
    out.append("")
    out.extend(warm_curves(extra))
    note_lines = []
    for (s, p), ns in sorted(notes.items()):
        ns = {n for n in ns if n != "not available"}
        if ns:
            note_lines.append(f"- {s} / {NAMES[p]}: " + "; ".join(sorted(ns)))
    if note_lines:
        out.append("Errors reported by the load generators:\n")
        out.extend(note_lines)
        out.append("")
    out.extend(negotiated_tls(raw))
    out.append(f"![chart]({os.path.basename(out_png)})\n")
    with open(out_md, "w") as f:
        f.write("\n".join(out))
    draw(chart, idle, raw, out_png)


def warm_curves(extra):
    """The req/s of each second of load after a fresh start (run.sh's warm-up curves), one row per proxy."""
    out = []
    for s in SCENARIOS:
        curves = {p: extra.get(("warmcurve-" + s, p), []) for p in PROXIES}
        seconds = max(len(c) for c in curves.values())
        if seconds == 0:
            continue
        if not out:
            out.append("Warm-up curves: each proxy started fresh, then one-second runs back to back; req/s in each "
                       "second, and all requests of those seconds against the better competitor's:\n")
        out.append(f"| {s} | " + " | ".join(f"s{i + 1}" for i in range(seconds)) + " | all | S/best |")
        out.append("|---|" + "---:|" * (seconds + 2))
        totals = {p: (sum(c) if c and all(v is not None for v in c) else None) for p, c in curves.items()}
        others = [totals[p] for p in PROXIES if p != "sallyport" and totals[p] is not None]
        best = max(others) if others else None
        for p in PROXIES:
            c = curves[p] + [None] * (seconds - len(curves[p]))
            rel = ratio(totals[p], best) if p == "sallyport" else ""
            out.append(f"| {NAMES[p]} | " + " | ".join(fmt(v) for v in c) + f" | {fmt(totals[p])} | {rel} |")
        out.append("")
    return out


def negotiated_tls(raw):
    """The TLS each proxy negotiated with the origin, from the origin's log of the probe requests."""
    path = os.path.join(raw, "tls-negotiated.tsv")
    if not os.path.exists(path):
        return []
    seen = defaultdict(set)  # (scenario, proxy) -> {"protocol cipher group"}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5 and parts[0] in PROXIES:
                seen[(parts[1], parts[0])].add(" ".join(parts[2:5]))
    if not seen:
        return []
    out = ["TLS between each proxy and the origin (protocol, cipher, key exchange), from the origin's log of "
           "the probe request before each measurement:\n",
           "| scenario | " + " | ".join(NAMES[p] for p in PROXIES) + " |",
           "|---|" + "---|" * len(PROXIES)]
    for s in SCENARIOS:
        if any((s, p) in seen for p in PROXIES):
            out.append(f"| {s} | " + " | ".join("; ".join(sorted(seen.get((s, p), {"n/a"}))) for p in PROXIES) + " |")
    out.append("")
    return out


def draw(chart, idle, raw, out_png):
    data = os.path.join(raw, "chart.dat")
    with open(data, "w") as f:
        f.write("# scenario thr_s thr_h thr_n p50_s p50_h p50_n p99_s p99_h p99_n rss_s rss_h rss_n"
                " cost_s cost_h cost_n\n")
        for s, unit, vals in chart:
            cols = []
            for i in range(5):
                for p in PROXIES:
                    v = vals[p][i]
                    cols.append("?" if v is None else f"{v:.3f}")
            label = s + ("\\n(MB/s)" if unit == "MB/s" else "")
            f.write(f"\"{label}\" " + " ".join(cols) + "\n")
        cols = ["?"] * 9 + ["?" if idle[p] is None else f"{idle[p]:.3f}" for p in PROXIES] + ["?"] * 3
        f.write("\"1000 idle\\nconns\" " + " ".join(cols) + "\n")
    script = f"""
set terminal pngcairo size 1600,1500 font 'DejaVu Sans,10'
set output '{out_png}'
set datafile missing '?'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key below horizontal
set grid ytics
set xtics rotate by -25 nomirror
set multiplot layout 3,2 title 'Sallyport vs HAProxy vs nginx (medians; missing bar = not available)'
set title 'Throughput (req/s; TCP stream in MB/s), log scale'
set logscale y
plot '{data}' every ::0::{len(chart) - 1} using 2:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::{len(chart) - 1} using 3 title 'HAProxy' lc rgb '#d95f02', '' every ::0::{len(chart) - 1} using 4 title 'nginx' lc rgb '#7570b3'
set title 'p50 latency (ms), log scale'
plot '{data}' every ::0::{len(chart) - 1} using 5:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::{len(chart) - 1} using 6 title 'HAProxy' lc rgb '#d95f02', '' every ::0::{len(chart) - 1} using 7 title 'nginx' lc rgb '#7570b3'
set title 'p99 latency (ms), log scale'
plot '{data}' every ::0::{len(chart) - 1} using 8:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::{len(chart) - 1} using 9 title 'HAProxy' lc rgb '#d95f02', '' every ::0::{len(chart) - 1} using 10 title 'nginx' lc rgb '#7570b3'
set title 'Proxy CPU per request (µs; TCP stream: per MB), log scale: lower is better'
plot '{data}' every ::0::{len(chart) - 1} using 14:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' every ::0::{len(chart) - 1} using 15 title 'HAProxy' lc rgb '#d95f02', '' every ::0::{len(chart) - 1} using 16 title 'nginx' lc rgb '#7570b3'
unset logscale y
set title 'Proxy peak RSS (MiB) under each scenario, and with 1000 idle connections'
set yrange [0:*]
plot '{data}' using 11:xtic(1) title 'Sallyport' lc rgb '#1b9e77', '' using 12 title 'HAProxy' lc rgb '#d95f02', '' using 13 title 'nginx' lc rgb '#7570b3'
unset multiplot
"""
    with open(os.path.join(raw, "chart.gp"), "w") as f:
        f.write(script)
    # A partial run (PROXIES or SCENARIOS narrowed) can leave a panel without any point, which gnuplot
    # refuses: the table above is written already, so say so instead of failing the whole run.
    if subprocess.run(["gnuplot", os.path.join(raw, "chart.gp")]).returncode != 0:
        print(f"report.py: gnuplot could not draw {out_png} (a panel without data?); the table is written",
              file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
