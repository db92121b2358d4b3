#!/usr/bin/env python3
"""Big stories of short headlines: the case a neighbour cap cuts apart.

Writes JSON Lines (id, outlet, published, title, story) with a few big stories (100 to 1,000
headlines by default, as a headline event gets from a news aggregator over two days) among many
small ones. Each story has its own names and places (capitalized words of its own) and topic
words (of its own too); every headline names its lead (the event's anchor: a person, a place), half its second
name, a third one in three another of its names, with two or three of its eight topic words and
three to five words of a shared vocabulary at Zipf frequencies. Two headlines of one story often share
only the lead name, so many of their cosines are weak and some below the threshold, but the
story's average is above it: only a linkage that keeps every edge sees the whole story. `story`
is the gold story id. The same arguments give the same bytes; no package beyond Python's own.

    tools/gen-big-stories.py --out big.jsonl                      # 24 big stories, ~14,000 headlines
    tools/gen-big-stories.py --big 6 --min 100 --max 1000 --small 200 --out big-small.jsonl
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

FUNCTION_WORDS = """the to in of for on a and with after as at is by from over says are be will its
amid about into up than more after new""".split()
from syllables import SYLLABLES, spell

OWN_SYLLABLES = SYLLABLES + ["ar", "en"]   # words of its own, unlike the other generators'


def word(i, offset):
    return spell(i + offset, OWN_SYLLABLES)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", type=int, default=24, help="big stories (default 24)")
    ap.add_argument("--min", type=int, default=100, help="smallest big story (default 100 headlines)")
    ap.add_argument("--max", type=int, default=1000, help="largest big story (default 1000 headlines)")
    ap.add_argument("--small", type=int, default=300, help="small stories of 2 to 20 headlines beside them (default 300)")
    ap.add_argument("--days", type=float, default=3.0, help="span of the story starts in days (default 3)")
    ap.add_argument("--outlets", type=int, default=40)
    ap.add_argument("--vocabulary", type=int, default=50000, help="shared words (default 50000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.min < 1 or args.max < args.min:
        sys.exit("gen-big-stories: need 1 <= --min <= --max")
    rng = random.Random(args.seed)
    # The most frequent words are function words, as in real headlines (the analyzer drops them).
    shared = FUNCTION_WORDS + [word(i, 200) for i in range(args.vocabulary - len(FUNCTION_WORDS))]
    zipf = [1.0 / (r + 1) ** 1.07 for r in range(args.vocabulary)]
    cumulative = []
    total = 0.0
    for w in zipf:
        total += w
        cumulative.append(total)
    outlets = ["Outlet %s" % word(i, 40).capitalize() for i in range(args.outlets)]
    names_used = [0]

    def new_name():
        names_used[0] += 1
        return word(names_used[0], 60000).capitalize()

    sizes = [rng.randint(args.min, args.max) for _ in range(args.big)]
    if args.big >= 2:  # both ends of the range are always there
        sizes[0], sizes[1] = args.min, args.max
    sizes += [rng.randint(2, 20) for _ in range(args.small)]
    rng.shuffle(sizes)
    start = datetime(2026, 3, 2, tzinfo=timezone.utc)
    records = []
    for s, size in enumerate(sizes):
        names = [new_name() for _ in range(8)]
        topics = [new_name().lower() for _ in range(8)]
        begin = start + timedelta(days=rng.uniform(0, args.days))
        for k in range(size):
            # The story's lead name in most headlines, its second in half, another now and then.
            words = [names[0]] + ([names[1]] if rng.random() < 0.5 else [])
            words += rng.sample(names[2:], 1 if rng.random() < 0.3 else 0)
            words += rng.sample(topics, rng.randint(2, 3))
            words += rng.choices(shared, cum_weights=cumulative, k=rng.randint(3, 5))
            rng.shuffle(words)
            title = " ".join(words)
            title = title[0].upper() + title[1:]
            when = begin + timedelta(hours=min(36.0, rng.expovariate(1 / 6.0)))
            records.append({"id": "big-%d-%d" % (s, k), "outlet": rng.choice(outlets),
                            "published": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "title": title, "story": "s%d" % s})
    rng.shuffle(records)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.out:
        out.close()
        print("gen-big-stories: %d headlines, %d stories (%d big: %d-%d headlines)" %
              (len(records), len(sizes), args.big, min([x for x in sizes if x >= args.min] or [0]), max(sizes)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
