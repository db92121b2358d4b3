#!/usr/bin/env python3
"""The framing report of a large store, timed, and its index checked in headless Chromium.

    tools/bench-report.py STORE [--bootstrap N] [--binary .build/release/storyline] [--out DIR]

Steps (a benchmark first checks its result):
1. `storyline report --db STORE --out DIR` (all formats), timed (wall, peak RSS);
2. report.json: every shown unit has z at least its story's bar, and the framing totals add up;
3. index.html in headless Chromium: the time from navigation start to the rendered table
   (`data-ready`, written by the index's script), then filtered by the outlet with the most
   stories and by a title word, each count compared with report.json's.
Prints one line per step.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse


def chromium():
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.access(path, os.X_OK):
            return path
    sys.exit("chromium is not installed (tools/setup --browser installs it)")


def dom(url, profile):
    out = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={profile}", "--dump-dom", url], capture_output=True, text=True, check=True).stdout
    def attribute(name):
        m = re.search(name + r'="([0-9]+)"', out)
        return int(m.group(1)) if m else None
    return attribute("data-ready"), attribute("data-count")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("--bootstrap", type=int, default=0)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "storyline"))
    ap.add_argument("--out")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="bench-report-")
    cmd = ["/usr/bin/time", "-f", "peak %M KB", os.path.abspath(args.binary), "report", "--db", args.store, "--out", out]
    if args.bootstrap:
        cmd += ["--bootstrap", str(args.bootstrap)]
    start = time.time()
    run = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.time() - start
    if run.returncode != 0:
        sys.exit(run.stderr)
    peak = re.findall(r"peak (\d+) KB", run.stderr)
    summary = [l for l in run.stderr.splitlines() if "report:" in l]
    print(f"report: {seconds:.1f} s wall, peak RSS {int(peak[-1]) / 1024:.0f} MiB" if peak else f"report: {seconds:.1f} s")
    for line in summary:
        print("   ", line.replace("storyline: ", ""))

    report = json.load(open(os.path.join(out, "report.json")))
    stories = report["stories"]
    shown = 0
    for s in stories:
        for o in s["outlets"]:
            for t in o["distinctive_terms"]:
                if t["z"] < s["bar"] - 0.0005:
                    sys.exit(f"story {s['id']}, {o['outlet']}: {t['term']} z {t['z']} below the story's bar {s['bar']}")
                shown += 1
    if shown != report["framing"]["shown"]:
        sys.exit(f"framing.shown {report['framing']['shown']} but {shown} units in the stories")
    print(f"checked: {len(stories)} stories, {shown} units shown, each at or above its story's bar")

    index = "file://" + os.path.abspath(os.path.join(out, "index.html"))
    profile = tempfile.mkdtemp(prefix="bench-report-chromium-")
    try:
        sizes = {name: os.path.getsize(os.path.join(out, name)) for name in ("index.html", "stories.js")}
        ready, _ = dom(index, profile)
        ready_again, _ = dom(index, profile)
        print(f"index: {len(stories)} stories (index.html {sizes['index.html'] / 1024:.0f} kB, stories.js {sizes['stories.js'] / 1024 / 1024:.1f} MB): "
              f"ready {ready} ms after navigation start (again: {ready_again} ms)")
        by_outlet = {}
        for s in stories:
            for o in s["outlets"]:
                by_outlet[o["outlet"]] = by_outlet.get(o["outlet"], 0) + 1
        outlet = max(by_outlet, key=lambda k: (by_outlet[k], k))
        ready, count = dom(index + "#outlet=" + urllib.parse.quote(outlet), profile)
        if count != by_outlet[outlet]:
            sys.exit(f"filter by outlet {outlet!r}: the page shows {count}, report.json has {by_outlet[outlet]}")
        print(f"filter by outlet {outlet!r}: {count} stories, as report.json has; ready {ready} ms")
        words = {}
        for s in stories:
            for w in set(re.findall(r"[a-z]{5,}", s["title"].lower())):
                words[w] = words.get(w, 0) + 1
        word = max(words, key=lambda k: (words[k], k))
        expected = sum(word in s["title"].lower() for s in stories)
        ready, count = dom(index + "#q=" + urllib.parse.quote(word), profile)
        if count != expected:
            sys.exit(f"title search {word!r}: the page shows {count}, report.json has {expected}")
        print(f"title search {word!r}: {count} stories, as report.json has; ready {ready} ms")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
