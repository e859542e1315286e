"""Copies the table of one results/<date>.md into benchmarks/README.md between the RESULTS-BEGIN/END
markers, with the list of targets met and missed.

Usage: readme_results.py results/<date>.md README.md
"""
import os
import re
import sys


def block(lines, start, prefix="|"):
    """The lines from start on that begin with prefix, up to the first that does not."""
    out = []
    for line in lines[start:]:
        if not line.startswith(prefix):
            break
        out.append(line)
    return out


def after(lines, heading, prefix):
    """The line starting with heading and the block of prefix lines after it (blank lines skipped);
    (None, []) when there is no such line."""
    for i, line in enumerate(lines):
        if line.startswith(heading):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            return line, block(lines, j, prefix)
    return None, []


def warm_curves(lines):
    """The warm-up curves' heading and its tables (one per scenario), each followed by a blank line."""
    for i, line in enumerate(lines):
        if line.startswith("Warm-up curves:"):
            out = [line, ""]
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith("|")):
                if lines[j].startswith("|"):
                    table = block(lines, j)
                    out += [*table, ""]
                    j += len(table)
                else:
                    j += 1
            return out
    return []


def main(result_md, readme):
    text = open(result_md).read()
    name = os.path.basename(result_md)[:-3]
    lines = text.splitlines()
    table = block(lines, next(i for i, line in enumerate(lines) if line.startswith("|")))
    curves = warm_curves(lines)
    errors_heading, errors = after(lines, "Errors reported by the load generators:", "- ")
    tls_heading, tls = after(lines, "TLS between each proxy and the origin", "|")
    machine = re.search(r"```\n(.*?)```", text, re.S).group(1)
    rounds = re.search(r"rounds: (\d+), duration: (\w+), warmup: (\w+), stream: (\w+)", machine)
    load = re.findall(r"loadavg at (start|end): ([\d. ]+)", machine)
    header = (f"From [`results/{name}.md`](results/{name}.md) (raw data in `results/raw/{name}/`): "
              f"{rounds.group(1)} round(s), {rounds.group(2)} per measurement after {rounds.group(3)} of "
              f"warm-up, a {rounds.group(4)} stream; load average "
              + ", ".join(f"{k} {v.strip()}" for k, v in load) + ". Medians of the rounds; "
              "\"n/a\" = not available through that proxy (its probe failed), never a made-up number.")
    targets = []
    scenario = ""
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0]:
            scenario = cells[0]
        if len(cells) >= 8 and cells[7]:
            values = ", ".join(f"{n} {v}" for n, v in zip(("Sallyport", "HAProxy", "nginx"), cells[2:5]) if v)
            targets.append(f"- {scenario}, {cells[1]}: {cells[7]} ({values})")
    body = [header, "", *table, ""] + curves
    if errors:
        body += [errors_heading, "", *errors, ""]
    if tls:
        body += [tls_heading, "", *tls, ""]
    body += [f"![Sallyport vs HAProxy vs nginx](results/{name}.png)", "", "Targets in this run:", "", *targets]
    s = open(readme).read()
    begin, end = "<!-- RESULTS-BEGIN -->", "<!-- RESULTS-END -->"
    s = s[:s.index(begin) + len(begin)] + "\n" + "\n".join(body) + "\n" + s[s.index(end):]
    open(readme, "w").write(s)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
