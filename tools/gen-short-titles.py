#!/usr/bin/env python3
"""Headlines only, short and alike: the worst case for the similarity graph's size.

Writes JSON Lines (id, outlet, published, title) with random 3-8-word titles drawn uniformly
from a small vocabulary (3,030 words by default), as sports results, market tickers or one
wire's headline formats look to a bag of words: every title shares words with thousands of
others. The same arguments give the same bytes.

    tools/gen-short-titles.py --articles 200000 --out short.jsonl
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

from syllables import spell


def word(i):
    return spell(i + 75)  # at least two syllables


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200000)
    ap.add_argument("--vocabulary", type=int, default=3030)
    ap.add_argument("--outlets", type=int, default=30)
    ap.add_argument("--days", type=int, default=31, help="time span in days (default 31)")
    ap.add_argument("--undated", type=float, default=0.0, help="share of articles without a date (default 0)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    vocab = [word(i) for i in range(args.vocabulary)]
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for k in range(args.articles):
        title = " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 8))).capitalize()
        record = {"id": f"t{k + 1}", "outlet": f"Outlet {rng.randrange(args.outlets) + 1}", "title": title}
        if rng.random() >= args.undated:
            when = start + timedelta(seconds=rng.randrange(args.days * 86400))
            record["published"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
