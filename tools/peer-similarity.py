#!/usr/bin/env python3
"""Storyline's similarity core against ING's sparse_dot_topn and scipy's sparse X·Xᵀ on the same
JSONL file, in one run.

    tools/peer-similarity.py /path/to/dump.jsonl [--window 3] [--threshold 0.15] [--block 2048] [--no-scipy]

Undated articles have no time window: the comparison runs on the dump's dated articles only (a
copy, which Storyline reads too). Peers: scikit-learn TF-IDF (sublinear_tf, english stop words,
L2 norm; untimed), articles sorted by time, then for each block the sparse product with every
article up to --window days later, keeping pairs at or above --threshold: sparse_dot_topn's
multithreaded product with a threshold (threads = cores; the strongest peer), and scipy's
product (the all-pairs step a user would write). Storyline:
`storyline-bench similarity` (sketch + sgemm + exact verification, its profile's threshold,
time decay and window; it checks exactness and recall on a sample first). Prints time, ns per
in-window pair, and the ratios. Needs scikit-learn, scipy and sparse_dot_topn (pip install
scikit-learn sparse_dot_topn).
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
    ap.add_argument("--no-scipy", action="store_true", help="skip scipy's product (the slowest)")
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn
    import numpy as np
    import tempfile

    bench = os.path.join(ROOT, "Benchmarks", ".build", "release", "storyline-bench")
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline-bench"],
                          cwd=os.path.join(ROOT, "Benchmarks"), stdout=subprocess.DEVNULL)
    docs, days = [], []
    dated = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    with open(args.dump, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if not r.get("published"):
                continue
            dated.write(line)
            docs.append((r.get("title") or "") + "\n" + (r.get("text") or ""))
            days.append(datetime.fromisoformat(r["published"].replace("Z", "+00:00")).timestamp() / 86400)
    dated.close()
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(docs).astype(np.float32)
    order = np.argsort(days, kind="stable")
    X = X[order].tocsr()
    t = np.asarray(days)[order]

    n = X.shape[0]
    reach = [bisect.bisect_right(t, t[min(n, lo + args.block) - 1] + args.window) for lo in range(0, n, args.block)]
    pairs_in_window = sum(bisect.bisect_right(t, t[a] + args.window) - a - 1 for a in range(n))

    def run(product):
        """Seconds and in-window edges at the threshold, over every block and its window."""
        start, edges = time.perf_counter(), 0
        for b, lo in enumerate(range(0, n, args.block)):
            hi = min(n, lo + args.block)
            S = product(X[lo:hi], X[lo:reach[b]]).tocoo()
            i, j, v = S.row + lo, S.col + lo, S.data
            keep = (j > i) & (t[j] - t[i] <= args.window) & (v >= args.threshold)
            edges += int(keep.sum())
        return time.perf_counter() - start, edges

    cores = os.cpu_count() or 1
    topn_seconds, topn_edges = run(lambda a, b: sp_matmul_topn(a, b.T.tocsr(), top_n=b.shape[0], threshold=args.threshold, n_threads=cores))
    scipy_seconds, scipy_edges = (None, None) if args.no_scipy else run(lambda a, b: a @ b.T)
    ours = json.loads(subprocess.check_output([bench, "similarity", dated.name]))
    os.unlink(dated.name)

    print("file: %s (%d dated articles), %g-day window" % (args.dump, n, args.window))
    print("sparse_dot_topn (%d threads): %.2f s, %.1f ns per in-window pair (%d pairs, %d at cosine >= %.2f)" % (
        cores, topn_seconds, topn_seconds * 1e9 / pairs_in_window, pairs_in_window, topn_edges, args.threshold))
    if scipy_seconds is not None:
        print("scipy X·Xᵀ: %.2f s, %.1f ns per in-window pair (%d at cosine >= %.2f)" % (
            scipy_seconds, scipy_seconds * 1e9 / pairs_in_window, scipy_edges, args.threshold))
    print("storyline (%s): %.2f s, %.1f ns per in-window pair (%d pairs, %d candidates, %d edges), dense %.0f GFLOP/s, "
          "recall check on a sample %.4f, peak RSS %.0f MiB" % (
              ours["dense_kernel"], ours["seconds"], ours["ns_per_pair"], ours["pairs_in_window"], ours["candidates"], ours["edges"],
              ours["dense_gflops"], ours["recall_check"], ours["peak_rss_mb"]))
    print("ratio: storyline is %.1fx faster than sparse_dot_topn" % (topn_seconds / ours["seconds"])
          + ("" if scipy_seconds is None else ", %.1fx than scipy" % (scipy_seconds / ours["seconds"])))


if __name__ == "__main__":
    main()
