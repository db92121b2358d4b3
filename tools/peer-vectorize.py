#!/usr/bin/env python3
"""Storyline's vectorizer against scikit-learn's TfidfVectorizer on the same JSONL file, in one run.

    tools/peer-vectorize.py /path/to/dump.jsonl        (e.g. tools/gen-corpus.py --articles 100000)

scikit-learn: TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5),
fit_transform on title + text; its time is fit_transform alone (the JSON is read first, untimed),
and separately with the JSON read. Storyline: `storyline-bench vectorize` (read, parse, analyze,
TF-IDF; release build of Benchmarks/). Prints both and the ratio. Needs scikit-learn
(pip install scikit-learn).
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = os.path.abspath(sys.argv[1])
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        sys.exit("peer-vectorize: scikit-learn is not installed: pip install scikit-learn")
    bench = os.path.join(ROOT, "Benchmarks", ".build", "release", "storyline-bench")
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "storyline-bench"], cwd=os.path.join(ROOT, "Benchmarks"),
                          stdout=subprocess.DEVNULL)
    size = os.path.getsize(path)

    t0 = time.perf_counter()
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                docs.append((r.get("title") or "") + "\n" + (r.get("text") or ""))
    t_read = time.perf_counter() - t0
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5)
    t1 = time.perf_counter()
    X = vectorizer.fit_transform(docs)
    t_fit = time.perf_counter() - t1
    ours = json.loads(subprocess.check_output([bench, "vectorize", path]))
    # fit_transform has no threads: Storyline on one thread too, for the like-for-like ratio.
    one = json.loads(subprocess.check_output([bench, "vectorize", path], env=dict(os.environ, STORYLINE_THREADS="1")))
    if (one["features"], one["nnz"], one["articles"]) != (ours["features"], ours["nnz"], ours["articles"]):
        sys.exit("peer-vectorize: one thread and all threads give different vectors")

    print("file: %s (%d articles, %.1f MB)" % (path, len(docs), size / 1e6))
    print("scikit-learn fit_transform: %.2f s (%.0f docs/s, %.1f MB/s); with JSON read: %.2f s; %d features, nnz %d" % (
        t_fit, len(docs) / t_fit, size / 1e6 / t_fit, t_fit + t_read, X.shape[1], X.nnz))
    print("storyline (read+parse+vectorize): %.2f s (%.0f docs/s, %.1f MB/s); %d features, nnz %d, peak RSS %.0f MiB" % (
        ours["seconds"], ours["articles"] / ours["seconds"], ours["mb_per_s"], ours["features"], ours["nnz"], ours["peak_rss_mb"]))
    print("storyline on one thread: %.2f s" % one["seconds"])
    print("ratio: storyline on %d cores is %.1fx faster than fit_transform alone (one core), %.1fx than read + fit_transform; "
          "on one thread %.1fx and %.1fx" % (os.cpu_count() or 1, t_fit / ours["seconds"], (t_fit + t_read) / ours["seconds"],
                                            t_fit / one["seconds"], (t_fit + t_read) / one["seconds"]))


if __name__ == "__main__":
    main()
