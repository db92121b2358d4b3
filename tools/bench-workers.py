#!/usr/bin/env python3
"""A clustering pass split across worker processes, against one PostgreSQL server.

    tools/bench-workers.py DUMP.jsonl postgresql://postgres@/postgres?host=/tmp/pg&port=5499 \
        [--workers 1,2,4] [--pieces 16] [--binary .build/release/storyline]

The URL names a database to connect to for administration (the script creates its own
databases beside it, and drops them). Steps:

1. the SQLite path, timed: `storyline run` of DUMP into a new SQLite store (the reference
   stories), then the same `run` into a new PostgreSQL database (ingest + cluster, one process);
2. a PostgreSQL database with DUMP ingested and vectorized, used as a template;
3. for each worker count W: a fresh copy of the template, `storyline cluster --pieces P` and W-1
   `storyline work` processes started beside it; the clustering pass timed (wall), the pieces each
   process searched, and the time the coordinator spent waiting on the database;
4. every run's stories are compared with the SQLite path's: a benchmark first checks its result.

Prints one line per run; 2 cores bound the speed-up on this machine.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def psql(url, sql):
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def timed(cmd, env=None):
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return time.time() - start, out.stderr


def stories(binary, db):
    out = subprocess.run([binary, "stories", "--json", "--db", db], capture_output=True, text=True, check=True).stdout
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("url")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--pieces", type=int, default=16)
    ap.add_argument("--pin", action="store_true",
                    help="run each process on one core of its own (taskset), as workers on separate machines would have theirs: "
                         "W processes on W cores against one process on one core")
    ap.add_argument("--skip-single", action="store_true", help="skip step 1's PostgreSQL run (the reference SQLite run still happens)")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "storyline"))
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    tag = f"bench_{os.getpid()}"
    sqlite = f"/tmp/{tag}.sqlite"

    seconds, log = timed([binary, "run", "--db", sqlite, args.dump])
    reference = stories(binary, sqlite)
    print(f"sqlite run (ingest + cluster, one process): {seconds:.2f} s")

    single = f"{tag}_single"
    if args.skip_single:
        single = None
    else:
        psql(args.url, f"CREATE DATABASE {single}")
    if single:
        seconds_pg, log = timed([binary, "run", "--db", with_database(args.url, single), args.dump])
        same = stories(binary, with_database(args.url, single)) == reference
        print(f"postgresql run (ingest + cluster, one process): {seconds_pg:.2f} s = {seconds_pg / seconds:.2f}x the SQLite path; "
              f"stories {'identical' if same else 'DIFFER'}")
        for line in log.splitlines():
            if re.search(r"ingest .*records|vectorize:|similarity:|cluster:", line):
                print("   ", line.replace("storyline: ", ""))
        psql(args.url, f"DROP DATABASE {single}")
    cores = os.cpu_count() or 1

    def pinned(k, cmd):
        return (["taskset", "-c", str(k % cores)] + cmd) if args.pin else cmd

    template = f"{tag}_template"
    psql(args.url, f"CREATE DATABASE {template}")
    timed([binary, "ingest", "-q", "--db", with_database(args.url, template), args.dump])
    timed([binary, "vectorize", "-q", "--db", with_database(args.url, template)])
    for workers in [int(w) for w in args.workers.split(",")]:
        for pieces in ([1] if workers == 1 else []) + [args.pieces]:
            name = f"{tag}_w{workers}_p{pieces}"
            psql(args.url, f"CREATE DATABASE {name} TEMPLATE {template}")
            db = with_database(args.url, name)
            peak = ["/usr/bin/time", "-f", "peak %M KB"]
            # The workers join once the coordinator has opened its pass (it first reads the pass's
            # input: a minute for a million articles), as workers that run all day would.
            start = time.time()
            coordinator = subprocess.Popen(pinned(0, peak + [binary, "cluster", "--db", db, "--pieces", str(pieces)]),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            while workers > 1 and coordinator.poll() is None:
                opened = subprocess.run(["psql", db, "-X", "-At", "-c", "SELECT count(*) FROM cluster_passes WHERE kind = 'search'"],
                                        capture_output=True, text=True).stdout.strip()
                if opened not in ("", "0"):
                    break
                time.sleep(0.5)
            helpers = [subprocess.Popen(pinned(k + 1, peak + [binary, "work", "--db", db, "--idle", "5"]), stderr=subprocess.PIPE, text=True)
                       for k in range(workers - 1)]
            log = coordinator.communicate()[1]
            seconds_c = time.time() - start
            if coordinator.returncode != 0:
                sys.exit(f"the coordinator failed:\n{log}")
            helper_logs = [h.communicate()[1] for h in helpers]
            peaks = [re.findall(r"peak (\d+) KB", text)[-1:] for text in [log] + helper_logs]
            peaks = [f"{int(p[0]) / 1024:.0f}" if p else "?" for p in peaks]
            same = stories(binary, db) == reference
            similarity = re.search(r"similarity: .* in ([0-9.]+) s", log)
            gathered = re.search(r"pieces: (\d+) \((\d+) here\), searching ([0-9.]+) s in all, gathering (\d+) edges ([0-9.]+) s; "
                                 r"here: store calls ([0-9.]+) s, waiting for others ([0-9.]+) s", log)
            extra = ""
            if gathered:
                n, here, searching, edges, gathering, store, waiting = gathered.groups()
                extra = (f"; pieces {n} ({here} by the coordinator), search {float(searching):.2f} s summed over pieces, "
                         f"gathering {edges} edges {float(gathering):.2f} s, coordinator's store calls {float(store):.2f} s, waiting {float(waiting):.2f} s")
            print(f"workers {workers}{' (one core each)' if args.pin else ''} pieces {pieces}: cluster {seconds_c:.2f} s wall, similarity stage "
                  f"{float(similarity.group(1)) if similarity else float('nan'):.2f} s{extra}; peak RSS MiB coordinator {peaks[0]}, workers {', '.join(peaks[1:]) or '-'}; stories {'identical' if same else 'DIFFER'}")
            psql(args.url, f"DROP DATABASE {name}")
    psql(args.url, f"DROP DATABASE {template}")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(sqlite + suffix):
            os.remove(sqlite + suffix)


if __name__ == "__main__":
    main()
