#!/usr/bin/env python3
"""WARC ingest benchmark: storyline on a WARC.gz of news pages beside trafilatura, after checking
the result is right.

    .build/test-python/bin/pip install warcio trafilatura lxml_html_clean     # once
    tools/gen-warc.py news100k.jsonl --out news100k.warc.gz                   # about 1.1 GB
    .build/test-python/bin/python3 tools/peer-warc.py news100k.warc.gz --source news100k.jsonl

1. `storyline read` over the whole file (the real binary: decompress, parse WARC and HTTP,
   extract, find dates): every page of the source dump must come out, with word F1 (the
   extraction-dev metric) against the source text reported and required >= 0.95 on average.
2. `storyline ingest` of the file into a fresh store, under /usr/bin/time: wall time, MB/s of
   the compressed file, peak RSS.
3. trafilatura's bare_extraction on the first --peer-pages HTML pages of the file (in this
   process, pages already decompressed and parsed out of the WARC: its extraction time only),
   against storyline's whole ingest time per page.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORD = re.compile(r"\w+")


def f1(got, want):
    g, w = collections.Counter(WORD.findall(got.lower())), collections.Counter(WORD.findall(want.lower()))
    if not g or not w:
        return float(not g and not w)
    o = sum((g & w).values())
    p, r = o / sum(g.values()), o / sum(w.values())
    return 2 * p * r / (p + r) if p + r else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warc")
    ap.add_argument("--source", required=True, help="the JSON Lines dump the WARC was made from")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "storyline"))
    ap.add_argument("--peer-pages", type=int, default=2000)
    args = ap.parse_args()
    size_mb = os.path.getsize(args.warc) / 1e6

    want = {}
    with open(args.source, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            url = a.get("url") or "https://%s.example/%s" % ("".join(c for c in a["outlet"].lower() if c.isalnum()), a["id"])
            want[url] = a
    t0 = time.perf_counter()
    proc = subprocess.Popen([args.binary, "read", args.warc], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    scores, seen = [], set()
    for line in proc.stdout:
        row = json.loads(line)
        a = want.get(row["url"])
        if a is None:
            continue
        seen.add(row["url"])
        scores.append(f1(row["text"], a.get("text", "")))
    err = proc.stderr.read()
    proc.wait()
    read_seconds = time.perf_counter() - t0
    mean = sum(scores) / max(1, len(scores))
    print("check: %d of %d pages read back, word F1 %.4f against the source text (min %.3f)" % (
        len(seen), len(want), mean, min(scores) if scores else 0))
    if err.strip():
        print("  stderr: " + err.strip().splitlines()[-1])
    if len(seen) != len(want) or mean < 0.95:
        sys.exit("peer-warc: the result is wrong: not every page came back, or the text is not the article's")

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "s.sqlite")
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-v", args.binary, "ingest", "--db", db, args.warc], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
        summary = [l for l in r.stderr.splitlines() if "records:" in l]
        print("storyline ingest: %.1f s, %.1f MB/s of %.0f MB WARC.gz, peak RSS %.0f MiB, exit %d; %s" % (
            wall, size_mb / wall, size_mb, rss, r.returncode, summary[-1].strip() if summary else ""))
        # The timed run is checked like the read: it succeeded and stored every page.
        stored = re.search(r"(\d+) new", summary[-1]) if summary else None
        if r.returncode != 0 or not stored or int(stored.group(1)) != len(want):
            sys.exit("peer-warc: the timed ingest failed or stored %s of %d pages" % (stored.group(1) if stored else "?", len(want)))
        # And on one core, as trafilatura runs (extraction has no threads there).
        t0 = time.perf_counter()
        r1 = subprocess.run([args.binary, "ingest", "--db", os.path.join(tmp, "one.sqlite"), args.warc], capture_output=True, text=True,
                            env=dict(os.environ, STORYLINE_THREADS="1"))
        wall_one = time.perf_counter() - t0
        if r1.returncode != 0:
            sys.exit("peer-warc: the one-thread ingest failed: " + r1.stderr.strip()[-300:])
    print("storyline read piped into this check: %.1f s (the check's JSON parsing and scoring set its pace)" % read_seconds)

    from warcio.archiveiterator import ArchiveIterator
    import trafilatura
    pages = []
    with open(args.warc, "rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type == "response" and "text/html" in (rec.http_headers.get_header("Content-Type") or ""):
                pages.append(rec.content_stream().read().decode("utf-8"))
                if len(pages) >= args.peer_pages:
                    break
    t0 = time.perf_counter()
    for html in pages:
        trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    peer = (time.perf_counter() - t0) / len(pages)
    ours, ours_one = wall / len(seen), wall_one / len(seen)
    print("trafilatura (one core): %.2f ms per page (%d pages, extraction only); storyline %.2f ms per page on %d cores "
          "(the whole ingest: decompress, WARC, HTTP, extract, dates, store) -> %.1fx; on one thread %.2f ms per page -> %.1fx" % (
              1000 * peer, len(pages), 1000 * ours, os.cpu_count() or 1, peer / ours, 1000 * ours_one, peer / ours_one))


if __name__ == "__main__":
    main()
