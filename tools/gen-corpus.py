#!/usr/bin/env python3
"""Deterministic synthetic news corpus for demos and benchmarks.

Writes JSON Lines (id, outlet, published, title, text, lang, story) to stdout or --out:
stories of 1 to 50 articles spread over --days days, each told by several outlets with their
own phrasing, over a Zipfian background vocabulary. The same arguments give the same bytes.

    tools/gen-corpus.py --articles 2000 --seed 7 > sample.jsonl
    tools/gen-corpus.py --articles 1000000 --out big.jsonl     # about 4.3 GB

`story` is the gold story id, so `storyline eval` scores the engine on it.
"""
import argparse
import bisect
import itertools
import json
import random
import sys
from datetime import datetime, timedelta, timezone

from syllables import spell


def word(i):
    """The i-th synthetic word: a base-75 number spelled in syllables (never an English stopword)."""
    return spell(i + 75)  # at least two syllables


def zipf_cumulative(n, s=1.07):
    weights = [1.0 / (k ** s) for k in range(1, n + 1)]
    return list(itertools.accumulate(weights))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000, help="number of articles (default 2000)")
    ap.add_argument("--outlets", type=int, default=40, help="number of outlets (default 40)")
    ap.add_argument("--days", type=int, default=30, help="time span in days (default 30)")
    ap.add_argument("--vocabulary", type=int, default=60000, help="background vocabulary size (default 60000)")
    ap.add_argument("--words", type=int, default=620, help="mean words of text per article (default 620)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--start", default="2024-03-01", help="first day, YYYY-MM-DD (default 2024-03-01)")
    ap.add_argument("--out", help="output file (default: stdout)")
    ap.add_argument("--id-prefix", default="g", help="article ids are PREFIX1, PREFIX2, ... (default g); give each night its own")
    ap.add_argument("--story-prefix", default="s", help="gold story ids are PREFIX1, ... (default s)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    start = datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    vocab = [word(i) for i in range(args.vocabulary)]
    background_cum = zipf_cumulative(args.vocabulary)
    total_weight = background_cum[-1]

    outlets = []
    for o in range(args.outlets):
        name = word(100000 + o).capitalize() + " " + rng.choice(["News", "Times", "Post", "Herald", "Daily", "Wire", "Journal"])
        # Each outlet favours a few phrases of its own.
        phrases = [" ".join(vocab[rng.randrange(2000, 20000)] for _ in range(rng.randint(1, 3))) for _ in range(12)]
        outlets.append((name, phrases))

    def background(k):
        return [vocab[bisect.bisect_left(background_cum, rng.random() * total_weight)] for _ in range(k)]

    written = 0
    story = 0
    while written < args.articles:
        story += 1
        # Heavy-tailed story size in 1..50.
        size = min(50, max(1, int(rng.paretovariate(1.1))))
        size = min(size, args.articles - written)
        topic = [vocab[rng.randrange(3000, args.vocabulary)] for _ in range(rng.randint(12, 30))]
        entities = [word(200000 + rng.randrange(50000)).capitalize() for _ in range(rng.randint(2, 5))]
        begin = start + timedelta(seconds=rng.uniform(0, args.days * 86400))
        chosen = rng.sample(range(args.outlets), min(size, args.outlets)) if size <= args.outlets else [rng.randrange(args.outlets) for _ in range(size)]
        for k in range(size):
            name, phrases = outlets[chosen[k % len(chosen)]]
            published = begin + timedelta(hours=rng.expovariate(1 / 18.0))
            focus = rng.sample(topic, min(len(topic), rng.randint(6, 12)))
            title_words = rng.sample(focus, min(len(focus), rng.randint(3, 5))) + rng.sample(entities, 1) + background(rng.randint(1, 3))
            rng.shuffle(title_words)
            title = " ".join(title_words).capitalize()
            n = max(20, int(rng.gauss(args.words, args.words / 4)))
            words = background(int(n * 0.75))
            words += [rng.choice(focus) for _ in range(int(n * 0.18))]
            words += [rng.choice(entities) for _ in range(max(1, int(n * 0.03)))]
            words += [rng.choice(phrases) for _ in range(max(1, int(n * 0.04)))]
            rng.shuffle(words)
            sentences = []
            for s in range(0, len(words), 14):
                chunk = words[s:s + 14]
                sentences.append(" ".join(chunk).capitalize() + ".")
            text = " ".join(sentences)
            record = {
                "id": "%s%d" % (args.id_prefix, written + 1),
                "outlet": name,
                "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "title": title,
                "text": text,
                "lang": "en",
                "story": "%s%d" % (args.story_prefix, story),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    if args.out:
        out.close()


if __name__ == "__main__":
    main()
