#!/usr/bin/env python3
"""Storyline's similarity core against scipy's sparse X·Xᵀ on the same JSONL file, in one run.

    tools/peer-similarity.py /path/to/dump.jsonl [--window 3] [--threshold 0.15] [--block 2048]

scipy: scikit-learn TF-IDF (sublinear_tf, english stop words, L2 norm; untimed), articles sorted
by time, then for each block the sparse product with every article up to --window days later,
keeping pairs at or above --threshold: the all-pairs step a user would write. Storyline:
`storyline-bench similarity` (sketch + sgemm + exact verification, its profile's threshold,
time decay and window; it checks exactness and recall on a sample first). Prints time, ns per
in-window pair, and the ratio. Needs scikit-learn and scipy.
"""
import argparse
import bisect
import json
import os
import subprocess
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--threshold", type=float, default=0.15)
    ap.add_argument("--block", type=int, default=2048)
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    import numpy as np

    bench = os.path.join(ROOT, "Benchmarks", ".build", "release", "storyline-bench")
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline-bench"],
                          cwd=os.path.join(ROOT, "Benchmarks"), stdout=subprocess.DEVNULL)
    docs, days = [], []
    with open(args.dump, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append((r.get("title") or "") + "\n" + (r.get("text") or ""))
            days.append(datetime.fromisoformat(r["published"].replace("Z", "+00:00")).timestamp() / 86400)
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(docs).astype(np.float32)
    order = np.argsort(days, kind="stable")
    X = X[order].tocsr()
    t = np.asarray(days)[order]

    start = time.perf_counter()
    pairs_in_window = 0
    edges = 0
    n = X.shape[0]
    for lo in range(0, n, args.block):
        hi = min(n, lo + args.block)
        reach = bisect.bisect_right(t, t[hi - 1] + args.window)
        S = (X[lo:hi] @ X[lo:reach].T).tocoo()
        i, j, v = S.row + lo, S.col + lo, S.data
        keep = (j > i) & (t[j] - t[i] <= args.window) & (v >= args.threshold)
        edges += int(keep.sum())
        for a in range(lo, hi):
            pairs_in_window += bisect.bisect_right(t, t[a] + args.window) - a - 1
    scipy_seconds = time.perf_counter() - start
    ours = json.loads(subprocess.check_output([bench, "similarity", args.dump]))

    print("file: %s (%d articles), %g-day window" % (args.dump, n, args.window))
    print("scipy X·Xᵀ: %.2f s, %.1f ns per in-window pair (%d pairs, %d at cosine >= %.2f)" % (
        scipy_seconds, scipy_seconds * 1e9 / pairs_in_window, pairs_in_window, edges, args.threshold))
    print("storyline: %.2f s, %.1f ns per in-window pair (%d pairs, %d candidates, %d edges), dense %.0f GFLOP/s, "
          "recall check on a sample %.4f, peak RSS %.0f MiB" % (
              ours["seconds"], ours["ns_per_pair"], ours["pairs_in_window"], ours["candidates"], ours["edges"],
              ours["dense_gflops"], ours["recall_check"], ours["peak_rss_mb"]))
    print("ratio: storyline is %.1fx faster" % (scipy_seconds / ours["seconds"]))


if __name__ == "__main__":
    main()
