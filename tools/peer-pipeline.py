#!/usr/bin/env python3
"""File to stories, Storyline against the peer pipeline a user would assemble, in one run.

    tools/peer-pipeline.py /path/to/labeled.jsonl [--window 3] [--threshold 0.3] [--block 2048]

Peer: read the JSON Lines; scikit-learn TfidfVectorizer (sublinear_tf, english stop words, L2);
ING's sparse_dot_topn (threads = cores) over time-sorted blocks against every article up to
--window days later, keeping cosine >= --threshold (undated articles against all articles);
scipy's connected components of that graph as the stories. Storyline: `storyline eval --json`
(ingest into a fresh store, vectorize, similarity, average linkage). Both are timed from the file,
both scored against the dump's `story` field (B-cubed), and the ratio of the times is printed.
The peer's threshold is its own knob (single linkage needs a higher one than Storyline's 0.15);
pass the best for the data. Needs scikit-learn, scipy and sparse_dot_topn.
"""
import argparse
import bisect
import json
import os
import subprocess
import time
from collections import Counter, defaultdict
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def b_cubed(gold, found):
    """B-cubed precision, recall and F1 of `found` labels against `gold` (lists, one per item)."""
    pairs = Counter(zip(gold, found))
    g, f = Counter(gold), Counter(found)
    n = len(gold)
    precision = sum(c * c / f[k[1]] for k, c in pairs.items()) / n
    recall = sum(c * c / g[k[0]] for k, c in pairs.items()) / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--block", type=int, default=2048)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "storyline"))
    args = ap.parse_args()
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn

    if not os.path.exists(args.binary):
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline"], cwd=ROOT)
    cores = os.cpu_count() or 1

    start = time.perf_counter()
    docs, days, gold = [], [], []
    with open(args.dump, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append((r.get("title") or "") + "\n" + (r.get("text") or ""))
            p = r.get("published")
            days.append(datetime.fromisoformat(p.replace("Z", "+00:00")).timestamp() / 86400 if p else None)
            gold.append(r.get("story"))
    read = time.perf_counter() - start
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32).fit_transform(docs).tocsr()
    vectorized = time.perf_counter() - start
    dated = sorted((d, i) for i, d in enumerate(days) if d is not None)
    order = np.array([i for _, i in dated], dtype=np.int64)
    undated = np.array([i for i, d in enumerate(days) if d is None], dtype=np.int64)
    t = [d for d, _ in dated]
    Xd = X[order]
    rows, cols = [], []
    n = len(order)
    for lo in range(0, n, args.block):
        hi = min(n, lo + args.block)
        reach = bisect.bisect_right(t, t[hi - 1] + args.window)
        S = sp_matmul_topn(Xd[lo:hi], Xd[lo:reach].T.tocsr(), top_n=reach - lo, threshold=args.threshold, n_threads=cores).tocoo()
        i, j = S.row + lo, S.col + lo
        keep = (j > i) & (np.asarray(t)[j] - np.asarray(t)[i] <= args.window)
        rows.append(order[i[keep]])
        cols.append(order[j[keep]])
    XT = X.T.tocsr() if len(undated) else None   # once, not per undated block (the same matrix for each)
    for lo in range(0, len(undated), args.block):
        block = undated[lo:lo + args.block]
        S = sp_matmul_topn(X[block], XT, top_n=X.shape[0], threshold=args.threshold, n_threads=cores).tocoo()
        keep = block[S.row] != S.col
        rows.append(block[S.row[keep]])
        cols.append(S.col[keep])
    r = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    c = np.concatenate(cols) if cols else np.array([], dtype=np.int64)
    graph = sp.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(len(docs), len(docs)))
    _, labels = connected_components(graph, directed=False)
    peer_seconds = time.perf_counter() - start
    scored = [k for k, g in enumerate(gold) if g is not None]
    peer = b_cubed([gold[k] for k in scored], [labels[k] for k in scored])

    ours = json.loads(subprocess.check_output([args.binary, "eval", args.dump, "--json"]))
    print("file: %s (%d articles, %d undated)" % (args.dump, len(docs), len(undated)))
    print("peer (scikit-learn + sparse_dot_topn %d threads + connected components, threshold %.2f): %.2f s "
          "(read %.2f, vectorize %.2f, similarity and components %.2f), %d edges, B-cubed P/R/F1 %.3f/%.3f/%.3f" % (
              cores, args.threshold, peer_seconds, read, vectorized - read, peer_seconds - vectorized, len(r), *peer))
    tm = ours["timings"]
    print("storyline eval: %.2f s (ingest %.2f, vectorize %.2f, similarity %.2f, cluster %.2f), peak RSS %.0f MiB, "
          "B-cubed P/R/F1 %.3f/%.3f/%.3f" % (tm["total"], tm["ingest"], tm["vectorize"], tm["similarity"], tm["cluster"],
                                             ours["peak_rss_mb"], ours["b3_precision"], ours["b3_recall"], ours["b3_f1"]))
    print("ratio: storyline is %.1fx faster, file to stories" % (peer_seconds / tm["total"]))


if __name__ == "__main__":
    main()
