#!/usr/bin/env python3
"""Storyline's similarity core against ING's sparse_dot_topn and scipy's sparse X·Xᵀ on the same
JSONL file, in one run, like for like: the same vectors, the same rule, the same edges.

    tools/peer-similarity.py /path/to/dump.jsonl [--window 3] [--threshold 0.15] [--block 2048] [--no-scipy]

Undated articles have no time window: the comparison runs on the dump's dated articles only (a
copy). Storyline runs `storyline-bench similarity` (sketch + int8 dense stage + exact
verification; it checks exactness and recall first) under a comparison profile that makes its
rule the peers': raw cosine >= --threshold within --window days (no decay inside the window, no
short-text boost, no neighbour bound), blocks of --block. It writes its TF-IDF rows, and the
peers search exactly those rows: articles sorted by time, each block's sparse product with every
article up to --window days later, pairs at or above the threshold kept: sparse_dot_topn's
multithreaded product (threads = cores; the strongest peer) and scipy's product (the all-pairs
step a user would write). The edge sets are then reconciled (every Storyline edge is a peer edge
with its weight; Storyline finds >= 99.5% of the peer's) before the times are compared. Needs
scipy and sparse_dot_topn (pip install sparse_dot_topn).
"""
import argparse
import bisect
import json
import os
import subprocess
import sys
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
    from sparse_dot_topn import sp_matmul_topn
    import numpy as np
    import scipy.sparse as sp
    import tempfile

    bench = os.path.join(ROOT, "Benchmarks", ".build", "release", "storyline-bench")
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline-bench"],
                          cwd=os.path.join(ROOT, "Benchmarks"), stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp()
    dated = os.path.join(work, "dated.jsonl")
    with open(args.dump, encoding="utf-8") as f, open(dated, "w", encoding="utf-8") as out:
        for line in f:
            if json.loads(line).get("published"):
                out.write(line)
    # The comparison profile: the peers' rule.
    with open(os.path.join(ROOT, "Models", "profile.json"), encoding="utf-8") as f:
        profile = json.load(f)
    profile["similarity"]["threshold"] = args.threshold
    profile["similarity"]["blockSize"] = args.block
    for key in ("shortTextTerms", "shortTextThreshold", "maxNeighbors"):
        profile["similarity"].pop(key, None)
    profile["time"]["windowDays"] = args.window
    profile["time"]["graceDays"] = args.window
    with open(os.path.join(work, "profile.json"), "w", encoding="utf-8") as f:
        json.dump(profile, f)
    env = dict(os.environ, STORYLINE_PROFILE=os.path.join(work, "profile.json"), STORYLINE_BENCH_DUMP=work)
    ours = json.loads(subprocess.check_output([bench, "similarity", dated], env=env))

    def load(name, dtype):
        return np.fromfile(os.path.join(work, name), dtype=dtype)
    indptr, indices, values, days = load("indptr.i64", np.int64), load("indices.i32", np.int32), load("values.f32", np.float32), load("days.f64", np.float64)
    n = len(indptr) - 1
    X = sp.csr_matrix((values, indices, indptr), shape=(n, int(indices.max()) + 1 if len(indices) else 1))
    order = np.argsort(days, kind="stable")
    X = X[order].tocsr()
    t = days[order]
    reach = [bisect.bisect_right(t, t[min(n, lo + args.block) - 1] + args.window) for lo in range(0, n, args.block)]
    pairs_in_window = sum(bisect.bisect_right(t, t[a] + args.window) - a - 1 for a in range(n))

    def run(product):
        """Seconds and the in-window edges at the threshold (as {(a, b): weight} in file order)."""
        start, found = time.perf_counter(), []
        for b, lo in enumerate(range(0, n, args.block)):
            hi = min(n, lo + args.block)
            S = product(X[lo:hi], X[lo:reach[b]]).tocoo()
            i, j, v = S.row + lo, S.col + lo, S.data
            keep = (j > i) & (t[j] - t[i] <= args.window) & (v >= args.threshold)
            found.append((order[i[keep]], order[j[keep]], v[keep]))
        seconds = time.perf_counter() - start
        edges = {}
        for a, b, w in found:
            for x, y, z in zip(a.tolist(), b.tolist(), w.tolist()):
                edges[(min(x, y), max(x, y))] = z
        return seconds, edges

    cores = os.cpu_count() or 1
    topn_seconds, topn_edges = run(lambda a, b: sp_matmul_topn(a, b.T.tocsr(), top_n=b.shape[0], threshold=args.threshold, n_threads=cores))
    scipy_seconds, scipy_edges = (None, None) if args.no_scipy else run(lambda a, b: a @ b.T)
    # Reconciled: each Storyline edge is a peer edge with its weight; Storyline finds nearly all of the peer's.
    ea, eb, ew = load("edges-a.i32", np.int32), load("edges-b.i32", np.int32), load("edges-w.f32", np.float32)
    near = 1e-5   # float sums in another order may put a pair at the threshold on either side
    missing_here = [k for k, w in topn_edges.items() if w >= args.threshold + near]
    ours_set = {(int(a), int(b)): float(w) for a, b, w in zip(ea, eb, ew)}
    wrong = [(k, w) for k, w in ours_set.items() if k not in topn_edges and w >= args.threshold + near
             or k in topn_edges and abs(topn_edges[k] - w) > 1e-4]
    recall = sum(1 for k in missing_here if k in ours_set) / max(1, len(missing_here))
    print("edges: sparse_dot_topn %d, storyline %d; storyline edges not the peer's or of another weight: %d; recall of the peer's %.5f" % (
        len(topn_edges), len(ours_set), len(wrong), recall))
    if wrong or recall < 0.995:
        sys.exit("peer-similarity: the two do not find the same edges: %s" % wrong[:5])
    topn_edges, scipy_edges = len(topn_edges), None if scipy_edges is None else len(scipy_edges)

    print("file: %s (%d dated articles), %g-day window, cosine >= %g, the same vectors (storyline's)" % (args.dump, n, args.window, args.threshold))
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
