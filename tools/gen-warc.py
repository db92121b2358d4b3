#!/usr/bin/env python3
"""Writes a WARC.gz of news pages, for the WARC ingest benchmark: each article of a JSON Lines
dump (tools/gen-news.py's, for one) becomes an HTTP response of an HTML page laid out as news
sites lay theirs out: inline scripts and styles, a navigation bar, the headline and byline, the
article's paragraphs with a share bar and a newsletter box among them, related-story teasers,
a comment section and a footer. A request record precedes each response, and one in twenty
responses is an image, as in a crawl. Records are gzip members, as Common Crawl writes them.

    .build/test-python/bin/pip install warcio        # once (tools/test does it)
    tools/gen-warc.py news100k.jsonl --out news.warc.gz [--limit N]

The article's text is the ground truth tools/peer-warc.py scores the extraction against.
"""
import argparse
import io
import json
import random
import sys
from urllib.parse import urlparse

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SCRIPT = "<script>" + ";".join("window.dataLayer%d=window.dataLayer%d||[];function gtag%d(){dataLayer%d.push(arguments)}" % (i, i, i, i) for i in range(120)) + "</script>"
STYLE = "<style>" + "".join(".c%d{margin:%dpx;padding:%dpx;color:#%06x}" % (i, i % 17, i % 11, i * 2654435761 % 0xFFFFFF) for i in range(400)) + "</style>"


def escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page(article, others, rng):
    host = urlparse(article["url"]).netloc
    paragraphs = [p for p in article.get("text", "").split("\n") if p.strip()]
    if len(paragraphs) < 3:
        words = article.get("text", "").split(" ")
        paragraphs = [" ".join(words[i:i + 60]) for i in range(0, len(words), 60)]
    body = []
    for i, p in enumerate(paragraphs):
        body.append("<p>%s</p>" % escape(p))
        if i == 1:
            body.append('<div class="share-bar"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>')
        if i == 3:
            body.append('<div class="newsletter-signup"><h4>Get the morning briefing</h4><p>Sign up for our newsletter.</p><form><input type="email"><button>Sign up</button></form></div>')
    nav = "".join('<li><a href="https://%s/section/%d">Section %d</a></li>' % (host, i, i) for i in range(40))
    teasers = "".join('<li><a href="%s"><h3>%s</h3></a><p>%s</p></li>' % (o["url"], escape(o["title"]), escape(o.get("text", "")[:140])) for o in others)
    ld = ""
    if article.get("published"):
        ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":%s,"datePublished":"%s"}</script>' % (json.dumps(article["title"]), article["published"])
    comments = "".join('<div class="comment"><p>Reader %d: %s</p></div>' % (i, escape(o.get("title", ""))) for i, o in enumerate(others[:3]))
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s | %s</title>'
            '<meta property="og:title" content="%s"><meta property="og:site_name" content="%s">%s%s%s</head><body>'
            '<header class="site-header"><div class="logo">%s</div><nav><ul>%s</ul></nav></header>'
            '<main><article><h1>%s</h1><div class="byline">By Staff Writer</div><div class="article-body">%s</div></article>'
            '<aside class="related"><h2>More stories</h2><ul>%s</ul></aside>'
            '<section id="comments" class="comments">%s</section></main>'
            '<footer><ul>%s</ul><p>&copy; %s</p></footer>%s</body></html>') % (
        escape(article["title"]), escape(article["outlet"]), escape(article["title"]).replace('"', "&quot;"), escape(article["outlet"]),
        STYLE, SCRIPT, ld, escape(article["outlet"]), nav, escape(article["title"]), "".join(body), teasers, comments, nav, escape(article["outlet"]), SCRIPT)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    recent = []
    n = 0
    with open(args.dump, encoding="utf-8") as src, open(args.out, "wb") as out:
        w = WARCWriter(out, gzip=True)
        w.write_record(w.create_warcinfo_record(args.out, {"software": "storyline tools/gen-warc.py"}))
        for line in src:
            a = json.loads(line)
            if not a.get("url"):
                a["url"] = "https://%s.example/%s" % ("".join(c for c in a["outlet"].lower() if c.isalnum()), a["id"])
            others = recent[-6:]
            html = page(a, others, rng).encode("utf-8")
            w.write_record(w.create_warc_record(a["url"], "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = w.create_warc_record(a["url"], "response", payload=io.BytesIO(html), http_headers=http)
            if a.get("published"):
                rec.rec_headers.replace_header("WARC-Date", a["published"])
            w.write_record(rec)
            if n % 20 == 0:
                img = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(a["url"] + ".jpg", "response", payload=io.BytesIO(bytes(rng.getrandbits(8) for _ in range(20000))), http_headers=img))
            recent.append({"url": a["url"], "title": a["title"], "text": a.get("text", "")})
            recent = recent[-6:]
            n += 1
            if args.limit and n >= args.limit:
                break
    print("%d pages -> %s" % (n, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
