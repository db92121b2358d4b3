#!/usr/bin/env python3
"""Scores HTML article extraction on ../shared/datasets/extraction-dev: Storyline beside trafilatura.

    pip install trafilatura lxml_html_clean      # once (the peer)
    tools/extract-eval.py [--dev DIR] [--binary PATH] [--worst N] [--no-peer]

For every page (NAME.html with its labels in NAME.json) it runs `storyline read` (the real binary,
one process over all pages, as ingest reads them) and trafilatura's `bare_extraction` (in this
process, metadata on, comments off), then scores each text as the dataset's README says:
lowercased `\\w+` tokens as bags, precision/recall/F1 per page, macro-averaged (both empty: 1,
one empty: 0). Titles count as equal when they match after collapsing whitespace. Prints the
scores by source (mozilla-readability, wcxb), all pages, and all but the 6 CJK pages; the time
each extractor took (trafilatura's own time, storyline's whole process: start, parse, extract,
date finding, JSON out); and the N pages where storyline's F1 is lowest.
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CJK = {"readability-qq", "readability-gmw", "readability-youth", "readability-pixnet",
       "readability-hukumusume", "readability-yahoo-4"}
WORD = re.compile(r"\w+")


def score(got, want):
    g = collections.Counter(WORD.findall((got or "").lower()))
    w = collections.Counter(WORD.findall((want or "").lower()))
    if not g and not w:
        return 1.0, 1.0, 1.0
    if not g or not w:
        return 0.0, 0.0, 0.0
    overlap = sum((g & w).values())
    p, r = overlap / sum(g.values()), overlap / sum(w.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def same_title(a, b):
    norm = lambda s: " ".join((s or "").split())
    return norm(a) == norm(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", default=os.path.join(ROOT, "..", "shared", "datasets", "extraction-dev"))
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "storyline"))
    ap.add_argument("--worst", type=int, default=10)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--json", help="also write per-page scores here")
    args = ap.parse_args()
    pages = sorted(glob.glob(os.path.join(args.dev, "*.html")))
    if not pages:
        sys.exit("extract-eval: no pages in %s" % args.dev)
    labels = {}
    for p in pages:
        with open(p[:-5] + ".json", encoding="utf-8") as f:
            labels[os.path.basename(p)[:-5]] = json.load(f)

    t0 = time.perf_counter()
    out = subprocess.run([args.binary, "read", "--format", "text"] + pages, capture_output=True, text=True)
    ours_seconds = time.perf_counter() - t0
    ours = {}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        ours[os.path.basename(row["source"].rsplit(":", 1)[0])[:-5]] = row
    if out.stderr.strip():
        print(out.stderr.strip(), file=sys.stderr)

    peer, peer_seconds = {}, None
    if not args.no_peer:
        import trafilatura
        htmls = {}
        for p in pages:
            with open(p, encoding="utf-8") as f:
                htmls[os.path.basename(p)[:-5]] = f.read()
        t0 = time.perf_counter()
        for name, html in htmls.items():
            doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
            peer[name] = ({"title": getattr(doc, "title", None), "text": getattr(doc, "text", None)} if doc else {"title": None, "text": ""})
        peer_seconds = time.perf_counter() - t0

    rows = []
    for name, label in labels.items():
        o = ours.get(name, {"title": None, "text": ""})
        row = {"page": name, "source": label.get("source"), "ours": score(o.get("text"), label["text"]),
               "ours_title": same_title(o.get("title"), label.get("title")), "title": o.get("title"), "want_title": label.get("title")}
        if peer:
            row["peer"] = score(peer[name]["text"], label["text"])
            row["peer_title"] = same_title(peer[name]["title"], label.get("title"))
        rows.append(row)

    def line(name, subset):
        if not subset:
            return
        n = len(subset)
        mean = lambda key, k: sum(r[key][k] for r in subset) / n
        s = "%-26s %4d   storyline P %.3f R %.3f F1 %.3f titles %5.1f%%" % (
            name, n, mean("ours", 0), mean("ours", 1), mean("ours", 2), 100 * sum(r["ours_title"] for r in subset) / n)
        if peer:
            s += "   trafilatura P %.3f R %.3f F1 %.3f titles %5.1f%%" % (
                mean("peer", 0), mean("peer", 1), mean("peer", 2), 100 * sum(r["peer_title"] for r in subset) / n)
        print(s)

    for source in sorted({r["source"] for r in rows}):
        line(source, [r for r in rows if r["source"] == source])
    line("all", rows)
    line("all but CJK", [r for r in rows if r["page"] not in CJK])
    print("time: storyline %.2f s (one process, %d pages)" % (ours_seconds, len(pages)), end="")
    if peer_seconds is not None:
        print("; trafilatura %.2f s; storyline is %.1fx faster" % (peer_seconds, peer_seconds / ours_seconds))
    else:
        print()
    worst = sorted(rows, key=lambda r: r["ours"][2])[: args.worst]
    for r in worst:
        print("  %-34s storyline F1 %.3f (P %.3f R %.3f)%s" % (r["page"], r["ours"][2], r["ours"][0], r["ours"][1],
              "  trafilatura %.3f" % r["peer"][2] if peer else ""))
    bad_titles = [r for r in rows if not r["ours_title"]]
    for r in bad_titles[: args.worst]:
        print("  title %-28s %r  want %r" % (r["page"], r["title"], r["want_title"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
