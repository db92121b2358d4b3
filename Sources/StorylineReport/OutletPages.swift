import Foundation
import StorylineCore

/// The outlet profiles in HTML: `outlets.html` (every outlet, what stands out, and the matrix of
/// who resembles whom as a heatmap) and `outlets/K.html`, one page per outlet (K: its place in
/// `outlet_profiles`, from 1). Markdown and CSV beside them are in ``ReportWriter``.
extension HTMLPages {
    static func outletPage(_ k: Int) -> String { "outlets/\(k + 1).html" }

    static func outlets(_ report: FramingReport) -> String {
        let m = report.profile_method
        var body = "<header><p><a href=\"index.html\">← all stories</a></p><h1>Outlet profiles</h1><p class=\"muted\">Each outlet against the other outlets of the same stories, pooled over every story it shares with them: \(m.tested) units tested for \(m.outlets_compared) outlets, \(m.shown) shown (q &lt; \(m.max_q), used in \(m.min_stories) stories or more); \(m.outlets_with_wording) outlets with wording that stands out.</p><details><summary class=\"muted\">How</summary><p class=\"muted\">\(escape(m.method)).</p></details></header>\n"
        body += "<h2>Outlets</h2><div class=\"scroll\"><table><thead><tr><th>Outlet</th><th>Group</th><th>Stories (shared)</th><th>Uses more than the others of its stories</th><th>Quotes</th><th>Of its group's stories</th><th>First / median lag</th><th>Most alike</th></tr></thead><tbody>\n"
        for (k, p) in report.outlet_profiles.enumerated() {
            let words = p.wording.prefix(5).map { "<span class=\"chip\">\(escape($0.unit)) <small>×\(String(format: "%.1f", $0.ratio))</small></span>" }.joined()
            let quotes = p.quotes.prefix(3).map { "<span class=\"chip\">\(escape($0.speaker)) <small>\($0.direction)</small></span>" }.joined()
            let c = p.coverage
            let share = c.share_of_group.map { String(format: "%.0f%%", $0 * 100) } ?? ""
            let first = c.first_share.map { String(format: "%.0f%%", $0 * 100) } ?? ""
            let lag = c.median_lag_hours.map { String(format: " / %.1f h", $0) } ?? ""
            body += "<tr><td><a href=\"\(outletPage(k))\">\(escape(p.outlet))</a></td><td>\(escape(p.group ?? ""))</td><td>\(p.stories) (\(p.shared_stories))</td><td>\(words.isEmpty ? "<span class=\"muted\">nothing stands out of \(p.units_tested) tested</span>" : words)</td><td>\(quotes)</td><td>\(share)</td><td>\(first)\(lag)</td><td>\(escape(p.resembles.first?.outlet ?? ""))</td></tr>\n"
        }
        body += "</tbody></table></div>\n<h2>Who resembles whom</h2><p class=\"muted\">The mean cosine of two outlets' texts in the stories they share, from \(String(format: "%.2f", report.outlet_matrix.similarity.flatMap { $0.compactMap { $0 } }.min() ?? 0)) (lightest) to \(String(format: "%.2f", report.outlet_matrix.similarity.flatMap { $0.compactMap { $0 } }.max() ?? 0)) (darkest); blank: no story shared. Alike outlets side by side; hover a cell for its figures.</p><div class=\"scroll\">\(heatmap(report))</div>\n"
        return page(title: "Outlet profiles", body: body)
    }

    /// The outlet matrix as an inline SVG: a cell per pair, shaded by mean similarity.
    static func heatmap(_ report: FramingReport) -> String {
        let names = report.outlet_matrix.outlets
        guard names.count >= 2 else { return "<p class=\"muted\">Fewer than two outlets share a story.</p>" }
        let cell = max(14, min(36, 640 / names.count)), label = 170
        let size = label + cell * names.count
        let pageOf = Dictionary(report.outlet_profiles.enumerated().map { ($1.outlet, $0) }, uniquingKeysWith: min)
        // Shades span the matrix's own range: outlets of one kind of text differ by hundredths.
        let values = report.outlet_matrix.similarity.flatMap { $0.compactMap { $0 } }
        let lo = values.min() ?? 0, hi = max(values.max() ?? 1, lo + 1e-6)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"outlet similarity matrix\" width=\"\(size + label)\" height=\"\(size + 10)\" viewBox=\"0 0 \(size + label) \(size + 10)\">"
        for (i, name) in names.enumerated() {
            let short = escape(String(name.prefix(26)))
            let link = pageOf[name].map { outletPage($0) } ?? "#"
            svg += "<a href=\"\(link)\"><text x=\"\(label - 4)\" y=\"\(label + i * cell + cell / 2 + 4)\" text-anchor=\"end\">\(short)</text></a>"
            svg += "<text transform=\"translate(\(label + i * cell + cell / 2 + 3),\(label - 4)) rotate(-60)\">\(short)</text>"
        }
        for (i, row) in report.outlet_matrix.similarity.enumerated() {
            for (j, value) in row.enumerated() {
                guard let v = value else { continue }
                let shade = Int((1 - (v - lo) / (hi - lo)) * 200) + 30
                svg += "<rect x=\"\(label + j * cell)\" y=\"\(label + i * cell)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(escape(names[i])) / \(escape(names[j])): \(String(format: "%.3f", v)), \(report.outlet_matrix.shared[i][j]) stories</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// One outlet's page.
    static func outlet(_ p: OutletProfile, report: FramingReport) -> String {
        let reported = Set(report.stories.map(\.id))
        func storyLink(_ id: Int64, _ title: String) -> String {
            reported.contains(id) ? "<a href=\"../stories/\(id).html\">\(escape(title))</a>" : escape(title)
        }
        var body = "<header><p><a href=\"../outlets.html\">← all outlets</a> · <a href=\"../index.html\">all stories</a></p><h1>\(escape(p.outlet))</h1><p class=\"muted\">\(p.group.map { "Group \(escape($0)). " } ?? "")\(p.stories) stories, \(p.shared_stories) of them shared with other outlets: against those outlets in those stories.</p></header>\n"
        body += "<h2>Uses more than the other outlets of the same stories</h2>"
        if p.wording.isEmpty {
            body += "<p class=\"muted\">Nothing stands out: none of \(p.units_tested) units tested reaches q &lt; \(report.profile_method.max_q).</p>"
        } else {
            body += "<div class=\"scroll\"><table><thead><tr><th>Unit</th><th>Kind</th><th>Its stories / others'</th><th>Articles, × expected</th><th>q</th><th>Examples</th></tr></thead><tbody>\n"
            for u in p.wording {
                let examples = u.examples.map { e in "\(storyLink(e.story, e.headline))\(e.sentence.map { "<br><small class=\"muted\">“\(escape($0))”</small>" } ?? "")" }.joined(separator: "<br>")
                body += "<tr><td><b>\(escape(u.unit))</b></td><td>\(u.kind)</td><td>\(u.stories) / \(u.others_stories)</td><td>\(String(format: "%.1f", u.ratio))</td><td>\(String(format: "%.2g", u.q))</td><td>\(examples)</td></tr>\n"
            }
            body += "</tbody></table></div>"
        }
        body += "<h2>Whom it quotes</h2>"
        body += p.quotes.isEmpty ? "<p class=\"muted\">No one more or less than the other outlets of its stories (q &lt; \(report.profile_method.max_q)).</p>"
            : "<ul>" + p.quotes.map { "<li>\(escape($0.speaker)): \($0.direction) (\($0.stories) of its stories, \($0.others_stories) of the others'; ×\(String(format: "%.1f", $0.ratio)), q \(String(format: "%.2g", $0.q)))</li>" }.joined() + "</ul>"
        let c = p.coverage
        body += "<h2>What it covers</h2><ul>"
        if let g = c.group, let n = c.group_stories, let k = c.covered_of_group {
            body += "<li>\(k) of the \(n) stories its group (\(escape(g))) covered (\(String(format: "%.0f%%", (c.share_of_group ?? 0) * 100))); \(c.missed_count) without it\(c.missed.isEmpty ? "" : ", the largest: " + c.missed.map { storyLink($0.story, $0.title) + " (\($0.article_count))" }.joined(separator: "; "))</li>"
        }
        body += "<li>First to report \(c.first_reports) of \(c.dated_stories) dated stories\(c.median_lag_hours.map { String(format: "; median %.1f hours behind the first report", $0) } ?? "")</li>"
        body += "<li>In \(c.storylines) storylines; in \(c.storylines_continued) of them steps came after its first, and it followed \(c.followed_up) past its first step\(c.followed_up_share.map { String(format: " (%.0f%%)", $0 * 100) } ?? "")</li></ul>"
        body += "<h2>Most alike</h2>"
        body += p.resembles.isEmpty ? "<p class=\"muted\">No outlet shares three stories with it.</p>"
            : "<ul>" + p.resembles.map { "<li>\(escape($0.outlet)): \(String(format: "%.3f", $0.similarity)) over \($0.shared_stories) shared stories</li>" }.joined() + "</ul>"
        return page(title: p.outlet, body: body)
    }
}
