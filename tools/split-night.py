#!/usr/bin/env python3
"""Splits a JSON Lines dump at a date into what a store already holds and one night's dump.

    tools/split-night.py big.jsonl 2024-03-31 --store store.jsonl --night night.jsonl

Records published before DATE go to --store, records published on DATE (that UTC day) to
--night, later ones are dropped: on the night of DATE a real store holds no article from the
future. Records without a date go to --store. Streams; the order of records is kept.
Used to build the "30k-article night on a 1M-article store" benchmark from tools/gen-corpus.py
output, whose stories keep running for days after the span they start in.
"""
import argparse
import datetime
import json
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dump")
    p.add_argument("date", help="the night's UTC day, YYYY-MM-DD")
    p.add_argument("--store", required=True, help="output: records before DATE")
    p.add_argument("--night", required=True, help="output: records on DATE")
    a = p.parse_args()
    day = datetime.date.fromisoformat(a.date).isoformat()
    counts = {"store": 0, "night": 0, "dropped": 0}
    with open(a.dump, encoding="utf-8") as src, open(a.store, "w", encoding="utf-8") as store, \
            open(a.night, "w", encoding="utf-8") as night:
        for n, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                published = json.loads(line).get("published")
            except json.JSONDecodeError as e:
                sys.exit("%s:%d: %s" % (a.dump, n, e))
            # ISO 8601 in UTC ("2024-03-31T08:00:00Z"), as tools/gen-corpus.py writes.
            key = published[:10] if isinstance(published, str) else None
            if key is None or key < day:
                store.write(line); counts["store"] += 1
            elif key == day:
                night.write(line); counts["night"] += 1
            else:
                counts["dropped"] += 1
    print("%d to %s, %d to %s, %d later records dropped" % (counts["store"], a.store, counts["night"], a.night, counts["dropped"]),
          file=sys.stderr)


if __name__ == "__main__":
    main()
