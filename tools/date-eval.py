#!/usr/bin/env python3
"""How well ingest finds dates that records do not give (URL, text, HTML metadata), measured
where the date is known: each labeled file of ../shared/datasets with every `published` hidden,
and the HTML pages of ../shared/datasets/extraction-dev whose labels carry a date.

    tools/date-eval.py [--datasets DIR] [--binary PATH]

For each source ("url", "text", "meta", "json-ld") it prints how many dates were found and how
many are right to the day (UTC), within one day, or further off, and how many articles with a
known date stayed undated. allsides-dev's dates are the story's date plus a random offset of up
to ±36 hours (see the datasets' README), so its articles are right when within two days of it.
Runs the real binary: `storyline run` into a temporary store, then `storyline stories --json`.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def day(value):
    """The UTC day of an ISO 8601 date or time (a date alone is that day)."""
    value = value.strip().replace(" ", "T", 1)
    if len(value) == 10:
        return datetime.date.fromisoformat(value)
    value = value.replace("Z", "+00:00")
    if "." in value:  # drop fractions of a second (fromisoformat before 3.11 takes at most 6 digits)
        head, _, tail = value.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        value = head + tail[len(digits):]
    try:
        t = datetime.datetime.fromisoformat(value)
    except ValueError:  # a label such as "2019-01-03T07:00:0200": its day
        return datetime.date.fromisoformat(value[:10])
    if t.tzinfo is not None:
        t = t.astimezone(datetime.timezone.utc)
    return t.date()


def found_dates(binary, inputs, work):
    store = os.path.join(work, "store.sqlite")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    subprocess.run([binary, "run", *inputs, "--db", store], check=True, capture_output=True)
    out = subprocess.run([binary, "stories", "--json", "--db", store], check=True, capture_output=True, text=True).stdout
    found, undated = {}, set()
    for story in json.loads(out):
        for d in story["inferred_dates"]:
            found[d["id"]] = (day(d["published"]), d["source"])
        undated.update(story["undated"])
    return found, undated


def tally(name, truth, found, undated, tolerance):
    rows = collections.defaultdict(lambda: [0, 0, 0, 0])  # found, same day, off by one, further
    for article, true_day in truth.items():
        if article in found:
            d, source = found[article]
            off = abs((d - true_day).days)
            r = rows[source]
            r[0] += 1
            r[1 if off == 0 else 2 if off <= 1 else 3] += 1
            if off > tolerance:
                print("   off by %d days (%s): %s" % (off, source, article), file=sys.stderr)
    missing = sum(1 for a in truth if a in undated)
    print("%s: %d articles with a known date" % (name, len(truth)))
    for source, (n, same, one, far) in sorted(rows.items()):
        print("  %-8s found %4d  same day %4d  one day off %4d  further %4d" % (source, n, same, one, far))
    right = sum(r[1] + (r[2] if tolerance >= 1 else 0) for r in rows.values())
    n = sum(r[0] for r in rows.values())
    print("  %-8s %4d (no date found)" % ("undated", missing))
    if n:
        print("  right (within %d day%s) on %d of %d found: %.1f%%" % (tolerance, "" if tolerance == 1 else "s", right, n, 100.0 * right / n))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=os.path.join(ROOT, "..", "shared", "datasets"))
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "storyline"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline"], cwd=ROOT)
    work = tempfile.mkdtemp()
    try:
        for path in sorted(glob.glob(os.path.join(args.datasets, "*.jsonl"))):
            truth = {}
            hidden = os.path.join(work, os.path.basename(path))
            with open(path, encoding="utf-8") as src, open(hidden, "w", encoding="utf-8") as dst:
                for line in src:
                    record = json.loads(line)
                    if record.get("published"):
                        truth[record["id"]] = day(record["published"])
                    record.pop("published", None)
                    dst.write(json.dumps(record) + "\n")
            found, undated = found_dates(args.binary, [hidden], work)
            tally(os.path.basename(path) + ", dates hidden", truth, found, undated,
                  tolerance=2 if "allsides" in path else 0)
        pages = os.path.join(args.datasets, "extraction-dev")
        if os.path.isdir(pages):
            folder = os.path.join(work, "pages")
            os.makedirs(folder)
            truth = {}
            for label in sorted(glob.glob(os.path.join(pages, "*.json"))):
                published = json.load(open(label, encoding="utf-8")).get("published")
                name = os.path.basename(label)[:-5] + ".html"
                if published:
                    truth[name] = day(published)
                    os.symlink(os.path.join(pages, name), os.path.join(folder, name))
            found, undated = found_dates(args.binary, [folder], work)
            tally("extraction-dev pages", truth, found, undated, tolerance=0)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
