import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// The HTML report: self-contained pages (inline CSS and SVG; no scripts, fonts or images from
/// anywhere), every piece of article text escaped, readable on a phone.
enum HTMLPages {
    /// Escapes text for HTML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in DisplayText.clean(s).unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `2021-05-12T03:00:00Z` → `2021-05-12 03:00 UTC`.
    static func shortDate(_ iso: String) -> String {
        iso.count >= 16 ? iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC" : iso
    }

    static let palette = ["#2563eb", "#9333ea", "#dc2626", "#059669", "#d97706", "#0891b2", "#4b5563", "#db2777"]

    static let css = """
        :root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--chip:#eef2ff}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
        main{max-width:1100px;margin:0 auto;padding:16px}h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.15rem;margin:1.6em 0 .5em;border-bottom:1px solid var(--line)}
        a{color:#1d4ed8}.muted{color:var(--muted)}.scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}th{font-size:.85rem;color:var(--muted)}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}.card{border:1px solid var(--line);border-radius:8px;padding:12px}
        .card h3{margin:0 0 .3em;font-size:1rem}.chip{display:inline-block;background:var(--chip);border-radius:12px;padding:1px 8px;margin:2px;font-size:.85rem}
        .chip small{color:var(--muted)}svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#374151}
        """

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title><style>\(css)</style></head>
        <body><main>
        \(body)
        </main></body></html>

        """
    }

    static func index(_ report: FramingReport) -> String {
        var body = "<header><h1>How each outlet told each story</h1><p class=\"muted\">\(report.stories.count) stories, \(report.outlets.count) outlets. Generated \(escape(report.generated)) by Storyline.</p></header>\n"
        body += "<section id=\"stories\"><h2>Stories</h2><div class=\"scroll\"><table><thead><tr><th>Story</th><th>Articles</th><th>Outlets</th><th>First reported by</th>"
        body += report.groups.isEmpty ? "" : "<th>Coverage by group</th>"
        body += "</tr></thead><tbody>\n"
        for s in report.stories {
            body += "<tr><td><a href=\"stories/\(s.id).html\">\(escape(s.title))</a><br><span class=\"muted\">\(escape(String((s.first_published ?? "undated").prefix(10))))</span></td>"
            body += "<td>\(s.article_count)</td><td>\(s.outlets.count)</td><td>\(escape(s.first_reported_by ?? "—"))</td>"
            if !report.groups.isEmpty { body += "<td>\(coverageBar(s.coverage, groups: report.groups, width: 160, legend: false))</td>" }
            body += "</tr>\n"
        }
        body += "</tbody></table></div></section>\n"
        body += "<section id=\"outlets\"><h2>Outlets across stories</h2><div class=\"scroll\"><table><thead><tr><th>Outlet</th><th>Group</th><th>Stories</th><th>Articles</th><th>Reported first</th><th>Mean divergence from the story</th></tr></thead><tbody>\n"
        for o in report.outlets {
            body += "<tr><td>\(escape(o.outlet))</td><td>\(escape(o.group ?? ""))</td><td>\(o.stories)</td><td>\(o.articles)</td><td>\(o.first_reports)</td><td>\(o.mean_divergence.map { String(format: "%.2f", $0) } ?? "—")</td></tr>\n"
        }
        body += "</tbody></table></div></section>\n"
        body += "<section id=\"blindspots\"><h2>Blindspots</h2>"
        if report.groups.count < 2 {
            body += "<p class=\"muted\">No outlet groups given: pass <code>--outlets outlets.csv</code> (outlet, group) or <code>--group-field</code>.</p>"
        } else if report.blindspots.isEmpty {
            body += "<p class=\"muted\">No story is covered mostly by one group.</p>"
        } else {
            body += "<div class=\"scroll\"><table><thead><tr><th>Story</th><th>Covered by</th><th>Missing</th><th>Coverage</th></tr></thead><tbody>\n"
            for b in report.blindspots {
                body += "<tr><td><a href=\"stories/\(b.story).html\">\(escape(b.title))</a></td><td>\(escape(b.covered_by)) (\(Int(b.share * 100))%)</td><td>\(escape(b.missing.joined(separator: ", ")))</td><td>\(coverageBar(b.coverage, groups: report.groups, width: 160, legend: false))</td></tr>\n"
            }
            body += "</tbody></table></div>"
        }
        body += "</section>"
        return page(title: "Storyline report", body: body)
    }

    static func story(_ s: StoryFraming, report: FramingReport) -> String {
        var body = "<nav><a href=\"../index.html\">← All stories</a></nav>\n<header><h1>\(escape(s.title))</h1><p class=\"muted\">Story \(s.id): \(s.article_count) articles from \(s.outlets.count) outlets"
        if let first = s.first_reported_by { body += "; first reported by <strong>\(escape(first))</strong> at \(escape(s.first_published.map(shortDate) ?? ""))" }
        body += ".</p>"
        if !s.dates_found.isEmpty || s.undated_articles > 0 {
            body += "<p class=\"muted\">" + ReportWriter.datesNote(s, escape: escape) + "</p>"
        }
        body += "</header>\n"
        body += "<section id=\"headlines\"><h2>Headlines side by side</h2><div class=\"scroll\"><table><thead><tr><th>Outlet</th><th>First published</th><th>Headline</th><th>Articles</th></tr></thead><tbody>\n"
        for o in s.outlets {
            body += "<tr><td>\(escape(o.outlet))\(o.group.map { "<br><span class=\"muted\">\(escape($0))</span>" } ?? "")</td><td>\(escape(o.first_published.map(shortDate) ?? "undated"))</td><td>\(o.headlines.map(escape).joined(separator: "<br>"))</td><td>\(o.article_count)</td></tr>\n"
        }
        body += "</tbody></table></div></section>\n"
        body += "<section id=\"timeline\"><h2>Coverage timeline</h2>\(timeline(s))</section>\n"
        body += "<section id=\"coverage\"><h2>Coverage by group</h2>"
        body += report.groups.isEmpty ? "<p class=\"muted\">No outlet groups given.</p>" : coverageBar(s.coverage, groups: report.groups, width: 480, legend: true)
        body += "</section>\n<section id=\"framing\"><h2>What each outlet stressed</h2><p class=\"muted\">Words each outlet used more than the rest of the story (weighted log-odds, informative Dirichlet prior; z-score). Similarity: cosine of the outlet's articles with the rest of the story.</p><div class=\"cards\">\n"
        for o in s.outlets {
            body += "<div class=\"card\"><h3>\(escape(o.outlet))</h3>"
            body += "<p class=\"muted\">Similarity to the story: \(o.similarity_to_story.map { String(format: "%.2f", $0) } ?? "—")</p><p>"
            body += o.distinctive_terms.isEmpty ? "<span class=\"muted\">No distinctive words.</span>" : o.distinctive_terms.map { "<span class=\"chip\">\(escape($0.term)) <small>\(String(format: "%.1f", $0.z))</small></span>" }.joined()
            body += "</p>"
            if !o.quoted.isEmpty {
                body += "<p><strong>Quoted:</strong> " + o.quoted.map { "\(escape($0.speaker)) (\($0.count))" }.joined(separator: ", ") + "</p>"
            }
            body += "</div>\n"
        }
        body += "</div></section>"
        return page(title: s.title, body: body)
    }

    /// One row per outlet, a dot per article, between the story's first and last publication.
    static func timeline(_ s: StoryFraming) -> String {
        let times = s.outlets.flatMap(\.timeline).compactMap(ISODate.parse)
        guard let lo = times.min(), let hi = times.max() else { return "<p class=\"muted\">No article is dated.</p>" }
        let span = max(hi - lo, 3600)
        let left = 170.0, width = 640.0, row = 22.0
        let height = Double(s.outlets.count) * row + 36
        var svg = "<svg role=\"img\" aria-label=\"Coverage timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (k, o) in s.outlets.enumerated() {
            let y = Double(k) * row + 16
            svg += "<text x=\"0\" y=\"\(y + 4)\">\(escape(String(o.outlet.prefix(26))))</text><line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#e5e7eb\"/>"
            for t in o.timeline.compactMap(ISODate.parse) {
                let x = left + (t - lo) / span * (width - left - 20)
                svg += "<circle cx=\(String(format: "\"%.1f\"", x)) cy=\"\(y)\" r=\"5\" fill=\"\(palette[k % palette.count])\"><title>\(escape(o.outlet)) \(escape(ISODate.format(t)))</title></circle>"
            }
        }
        let axis = Double(s.outlets.count) * row + 28
        svg += "<text x=\"\(left)\" y=\"\(axis)\">\(escape(String(ISODate.format(lo).replacingOccurrences(of: "T", with: " ").dropLast(4))))</text>"
        svg += "<text x=\"\(width - 10)\" y=\"\(axis)\" text-anchor=\"end\">\(escape(String(ISODate.format(hi).replacingOccurrences(of: "T", with: " ").dropLast(4))))</text></svg>"
        return svg
    }

    /// A stacked bar of articles per group.
    static func coverageBar(_ coverage: [String: Int], groups: [String], width: Int, legend: Bool) -> String {
        let keys = groups + (coverage["ungrouped"] != nil ? ["ungrouped"] : [])
        let total = Double(max(coverage.values.reduce(0, +), 1))
        let height = legend ? 24 + 18 * keys.count : 14
        var svg = "<svg role=\"img\" aria-label=\"Coverage by group\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" xmlns=\"http://www.w3.org/2000/svg\">"
        var x = 0.0
        for (k, g) in keys.enumerated() {
            let n = coverage[g] ?? 0
            guard n > 0 else { continue }
            let w = Double(width) * Double(n) / total
            svg += "<rect x=\(String(format: "\"%.1f\"", x)) y=\"0\" width=\(String(format: "\"%.1f\"", w)) height=\"14\" fill=\"\(palette[k % palette.count])\"><title>\(escape(g)): \(n)</title></rect>"
            x += w
        }
        if legend {
            for (k, g) in keys.enumerated() {
                let y = 32 + 18 * k
                svg += "<rect x=\"0\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\"/><text x=\"16\" y=\"\(y)\">\(escape(g)): \(coverage[g] ?? 0)</text>"
            }
        }
        return svg + "</svg>"
    }
}
