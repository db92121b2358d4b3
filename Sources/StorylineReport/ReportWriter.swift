import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// Output formats of the framing report.
public enum ReportFormat: String, CaseIterable, Sendable {
    case html, md, json, csv
}

/// Writes a ``FramingReport`` into a folder: `report.json`; `index.html` and `stories/ID.html`;
/// `report.md`; `stories.csv` and `story_outlets.csv`.
package struct ReportWriter {
    let report: FramingReport
    let directory: URL

    package init(report: FramingReport, directory: URL) {
        self.report = report
        self.directory = directory
    }

    /// The names a report writes at the top of its folder.
    static let reportEntries: Set<String> = ["report.json", "index.html", "stories.js", "pages", "stories", "report.md",
                                             "stories.csv", "story_outlets.csv", "storylines.html", "storyline_outlets.csv",
                                             "outlets.html", "outlets", "outlet_profiles.csv"]

    /// Throws unless `directory` can take a report: absent, empty, or a report's folder (only the
    /// names a report writes, and only pages in its `stories/` and `pages/`). A report replaces its
    /// folder whole, so nothing else may be in it.
    package static func checkFolder(_ directory: URL) throws {
        let fm = FileManager.default
        let directory = directory.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw StorylineError(.usage, "is a file, not a folder: --out names the report's folder", file: directory.path)
        }
        guard directory.standardizedFileURL.path != URL(fileURLWithPath: fm.currentDirectoryPath).resolvingSymlinksInPath().standardizedFileURL.path else {
            throw StorylineError(.usage, "is the current folder: a report replaces its folder whole; name it from outside (--out ../NAME)", file: directory.path)
        }
        var others = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !reportEntries.contains($0) }
        for pages in ["stories", "pages", "outlets"] {
            others += ((try? fm.contentsOfDirectory(atPath: directory.appendingPathComponent(pages).path)) ?? [])
                .filter { !$0.hasSuffix(".html") }.map { "\(pages)/\($0)" }
        }
        others.sort()
        guard others.isEmpty else {
            throw StorylineError(.usage, "holds files that are not a report's (\(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", ..." : "")): "
                                 + "a report replaces its folder whole; name a new or empty folder", file: directory.path)
        }
    }

    /// Writes the report into a new folder beside `directory`, then puts it in place: a run killed
    /// at any point leaves the previous report whole (or, between two renames, no folder), never
    /// a mix of old and new files. Where no folder can be made beside it (a parent the user may
    /// not write, a mount point), the report is written in place instead, its old files removed
    /// first.
    package func write(_ formats: Set<ReportFormat>) throws -> [String] {
        let fm = FileManager.default
        let target = directory.resolvingSymlinksInPath().standardizedFileURL
        try Self.checkFolder(target)
        let parent = target.deletingLastPathComponent(), name = target.lastPathComponent
        Self.removeLeftovers(of: name, in: parent)
        let tag = "\(Self.host)-\(getpid())"
        let staging = parent.appendingPathComponent(".\(name).new-\(tag)")
        let previous = parent.appendingPathComponent(".\(name).old-\(tag)")
        try? fm.removeItem(at: staging)
        guard (try? fm.createDirectory(at: staging, withIntermediateDirectories: true)) != nil else {
            return try writeInPlace(target, formats)
        }
        let written: [String]
        do {
            written = try ReportWriter(report: report, directory: staging).writeFiles(formats)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        let existed = fm.fileExists(atPath: target.path)
        if existed {
            guard rename(target.path, previous.path) == 0 else {
                // A mount point or a folder that cannot move: in place after all.
                try? fm.removeItem(at: staging)
                return try writeInPlace(target, formats)
            }
        }
        guard rename(staging.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if existed { _ = rename(previous.path, target.path) }   // the old report back where it was
            try? fm.removeItem(at: staging)
            throw StorylineError(.io, "cannot put the report in place: \(reason)", file: target.path)
        }
        try? fm.removeItem(at: previous)
        return written
    }

    /// The report written straight into `target` (its old report files removed first).
    private func writeInPlace(_ target: URL, _ formats: Set<ReportFormat>) throws -> [String] {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw StorylineError(.io, "cannot create the report folder", file: target.path, underlying: "\(error)")
        }
        for entry in Self.reportEntries { try? fm.removeItem(at: target.appendingPathComponent(entry)) }
        return try ReportWriter(report: report, directory: target).writeFiles(formats)
    }

    /// This machine's name, in the names of the folders a report is written in: a folder shared
    /// with other machines holds theirs too, and only this machine's dead processes' are removed.
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let name = String(cString: buffer).filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
        return name.isEmpty ? "host" : name
    }()

    /// Removes the folders a killed report run of this machine into `name` left beside it.
    static func removeLeftovers(of name: String, in parent: URL) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            for kind in [".new-", ".old-"] where entry.hasPrefix(".\(name)\(kind)\(host)-") {
                guard let pid = Int32(entry.dropFirst(name.count + 1 + kind.count + host.count + 1)), kill(pid, 0) != 0, errno == ESRCH else { continue }
                try? fm.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    /// Writes the report's files into `directory`, which exists.
    func writeFiles(_ formats: Set<ReportFormat>) throws -> [String] {
        let fm = FileManager.default
        var written: [String] = []
        func save(_ name: String, _ text: String) throws {
            // checkFolder lets a report replace a folder holding only these names: keep them one list.
            assert(Self.reportEntries.contains(String(name.prefix { $0 != "/" })), "\(name) is not in reportEntries")
            let url = directory.appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw StorylineError(.io, "cannot write", file: url.path, underlying: "\(error)")
            }
            written.append(name)
        }
        if formats.contains(.json) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try save("report.json", String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        }
        if formats.contains(.html) {
            try fm.createDirectory(at: directory.appendingPathComponent("stories"), withIntermediateDirectories: true)
            try save("index.html", HTMLPages.index(report))
            try save("stories.js", HTMLPages.indexData(report))
            try save("storylines.html", HTMLPages.storylines(report))
            try fm.createDirectory(at: directory.appendingPathComponent("outlets"), withIntermediateDirectories: true)
            try save("outlets.html", HTMLPages.outlets(report))
            for (k, p) in report.outlet_profiles.enumerated() { try save(HTMLPages.outletPage(k), HTMLPages.outlet(p, report: report)) }
            let pages = (report.stories.count + HTMLPages.storiesPerPage - 1) / HTMLPages.storiesPerPage
            if pages > 1 {
                try fm.createDirectory(at: directory.appendingPathComponent("pages"), withIntermediateDirectories: true)
                for k in 2...pages { try save("pages/\(k).html", HTMLPages.index(report, page: k)) }
            }
            // Story pages are independent: render and write them on all cores.
            let stories = report.stories, report = self.report, dir = directory
            let workers = Parallel.cores
            var failures = [StorylineError?](repeating: nil, count: workers)
            failures.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.strided(stories.count, workers: workers) { w, k in
                    guard base[w] == nil else { return }   // this worker failed: stop writing
                    let url = dir.appendingPathComponent("stories/\(stories[k].id).html")
                    do {
                        try Data(HTMLPages.story(stories[k], report: report).utf8).write(to: url, options: .atomic)
                    } catch {
                        base[w] = StorylineError(.io, "cannot write", file: url.path, underlying: "\(error)")
                    }
                }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
            written += stories.map { "stories/\($0.id).html" }
        }
        if formats.contains(.md) { try save("report.md", markdown()) }
        if formats.contains(.csv) {
            try save("stories.csv", storiesCSV())
            try save("story_outlets.csv", outletsCSV())
            try save("storyline_outlets.csv", storylinesCSV())
            try save("outlet_profiles.csv", profilesCSV())
        }
        return written
    }

    // MARK: Markdown

    /// `s` as inert Markdown inline text: every character that could open a link or an image
    /// (`[`, `]`, `!`), an HTML tag, emphasis or code is escaped, and line breaks become spaces (a
    /// table cell is one line).
    static func md(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in DisplayText.clean(s).unicodeScalars {
            switch u {
            case "\\", "|", "[", "]", "!", "`", "*", "_", "~", "#": out += "\\"; out.unicodeScalars.append(u)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// One sentence on the story's dates that the dump did not give.
    static func datesNote(_ s: StoryFraming, escape: (String) -> String) -> String {
        var parts: [String] = []
        if !s.dates_found.isEmpty {
            let listed = s.dates_found.prefix(8).map { "\(escape($0.outlet)) \(String($0.published.prefix(10))) (\($0.source))" }
            parts.append("Dates found by ingest, not given by the dump: " + listed.joined(separator: ", ")
                         + (s.dates_found.count > 8 ? " and \(s.dates_found.count - 8) more" : ""))
        }
        if s.undated_articles > 0 { parts.append("\(s.undated_articles) undated article\(s.undated_articles == 1 ? "" : "s")") }
        return parts.joined(separator: "; ") + "."
    }

    /// How the stressed words were chosen, in a sentence or two (Markdown and HTML).
    static func methodNote(_ f: FramingMethod, escape: (String) -> String) -> String {
        var note = "Stressed: words, phrases and names an outlet used more than the rest of the story, by the weighted log-odds "
            + "with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008; prior weight \(Int(f.prior_weight))), shown only at "
            + "z ≥ \(String(format: "%.2f", f.min_z)): \(f.shown) of \(f.tested) units tested, in \(f.pairs_with_terms) of \(f.outlet_pairs) story-outlet pairs."
        if let stable = f.stable_share {
            note += " Stability: \(String(format: "%.0f", stable * 100))% of the shown units keep z ≥ \(String(format: "%.2f", f.min_z)) in at least 80% of \(f.bootstrap) resamples of each outlet's sentences."
        }
        if let rate = f.null_rate {
            note += " By chance: with each story's sentences dealt at random among its outlets (\(f.null_rounds) times), \(String(format: "%.2f", rate * 100))% of the units tested reach z ≥ \(String(format: "%.2f", f.min_z)); in the \(f.bar_raised) stories where more than 2.5% did, the bar was raised to the z that 2.5% reach (each story's bar is in report.json)."
        } else {
            note += " Chance was not measured (--permutations 0): the bar is z ≥ \(String(format: "%.2f", f.min_z)) in every story."
        }
        return escape(note)
    }

    func markdown() -> String {
        var out = "# Storyline: how each outlet told each story\n\n\(report.stories.count) stories. Generated \(report.generated).\n\n"
            + Self.methodNote(report.framing, escape: Self.md) + "\n"
        for s in report.stories {
            out += "\n## \(Self.md(s.title)) (story \(s.id))\n\n"
            out += "\(s.article_count) articles from \(s.outlets.count) outlets"
            if let first = s.first_reported_by { out += "; first reported by **\(Self.md(first))** at \(s.first_published ?? "?")" }
            if !report.groups.isEmpty {
                out += "; coverage: " + s.coverage.sorted { $0.key < $1.key }.map { "\(Self.md($0.key)) \($0.value)" }.joined(separator: ", ")
            }
            out += "."
            if !s.dates_found.isEmpty || s.undated_articles > 0 { out += " " + Self.datesNote(s, escape: Self.md) }
            out += "\n\n| Outlet | Group | First published | Headline | Stressed (z) | Left out (outlets carrying it) | Loaded language (q < 0.05) | Quoted first; most | Similarity |\n|---|---|---|---|---|---|---|---|---|\n"
            for o in s.outlets {
                let terms = o.distinctive_terms.isEmpty ? "none of \(o.candidates_tested) tested"
                    : o.distinctive_terms.map { "\($0.term) (\(String(format: "%.1f", $0.z)))" }.joined(separator: ", ")
                let omitted = o.omitted.map { "\($0.term) (\($0.carried_by)/\($0.of))" }.joined(separator: ", ")
                let quoted = (o.first_quoted.map { $0 + "; " } ?? "") + o.quoted.prefix(3).map { "\($0.speaker) (\($0.count))" }.joined(separator: ", ")
                let loaded = o.loaded_language.flatMap { l in
                    l.q < 0.05 ? String(format: "%.1f%% vs %.1f%% (q %.3f)", l.share * 100, l.rest_share * 100, l.q) + (l.words.isEmpty ? "" : ": " + l.words.joined(separator: ", ")) : nil
                } ?? ""
                out += "| \(Self.md(o.outlet)) | \(Self.md(o.group ?? "")) | \(o.first_published ?? "") | \(Self.md(o.headline)) | \(Self.md(terms)) | \(Self.md(omitted)) | \(Self.md(loaded)) | \(Self.md(quoted)) | \(o.similarity_to_story.map { String(format: "%.2f", $0) } ?? "") |\n"
            }
        }
        if !report.blindspots.isEmpty {
            out += "\n## Blindspots\n\n| Story | Covered by | Share | Missing |\n|---|---|---|---|\n"
            for b in report.blindspots {
                out += "| \(Self.md(b.title)) (\(b.story)) | \(Self.md(b.covered_by)) | \(Int(b.share * 100))% | \(Self.md(b.missing.joined(separator: ", "))) |\n"
            }
        }
        if !report.storylines.isEmpty {
            out += "\n## Storylines\n\nStories of one matter, in time order; for each outlet the steps it covered and where it dropped the matter.\n"
            for line in report.storylines {
                out += "\n### \(Self.md(line.title)) (storyline \(line.id))\n\n"
                for (k, step) in line.steps.enumerated() {
                    out += "\(k + 1). \(step.first_published.map { String($0.prefix(10)) } ?? "undated"): \(Self.md(step.title)) (story \(step.story), \(step.article_count) articles)\n"
                }
                out += "\n| Outlet | Steps covered | Dropped after |\n|---|---|---|\n"
                for o in line.outlets {
                    out += "| \(Self.md(o.outlet)) | \(o.steps.map(String.init).joined(separator: ", ")) | \(o.dropped_after.map { "step \($0)" } ?? "—") |\n"
                }
            }
        }
        out += profilesMarkdown()
        return out
    }

    /// Each outlet's profile: what it uses more than the others of its stories, whom it quotes
    /// more or less, its coverage, whom it resembles.
    func profilesMarkdown() -> String {
        let m = report.profile_method
        var out = "\n## Outlet profiles\n\nEach outlet against the other outlets of the same stories, pooled over the stories it shares: \(m.tested) units tested, \(m.shown) shown (q < \(m.max_q), used in \(m.min_stories)+ stories); \(m.outlets_with_wording) of \(m.outlets_compared) outlets with wording that stands out.\n\n"
        out += "| Outlet | Group | Stories (shared) | Uses more (articles × expected; its stories) | Quotes | Of its group's stories | First reports | Median lag (h) | Followed storylines up | Most alike |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for p in report.outlet_profiles {
            let words = p.wording.isEmpty ? "nothing of \(p.units_tested) tested" : p.wording.map { "\($0.unit) (×\(String(format: "%.1f", $0.ratio)); \($0.stories))" }.joined(separator: ", ")
            let quotes = p.quotes.map { "\($0.speaker) (\($0.direction))" }.joined(separator: ", ")
            let c = p.coverage
            let group = c.share_of_group.map { String(format: "%.0f%% of %d", $0 * 100, c.group_stories ?? 0) } ?? ""
            let lines = c.storylines_continued > 0 ? "\(c.followed_up) of \(c.storylines_continued)" : ""
            out += "| \(Self.md(p.outlet)) | \(Self.md(p.group ?? "")) | \(p.stories) (\(p.shared_stories)) | \(Self.md(words)) | \(Self.md(quotes)) | \(group) | \(c.first_reports) of \(c.dated_stories) | \(c.median_lag_hours.map { String(format: "%.1f", $0) } ?? "") | \(lines) | \(Self.md(p.resembles.first.map { "\($0.outlet) (\(String(format: "%.2f", $0.similarity)))" } ?? "")) |\n"
        }
        return out
    }

    // MARK: CSV

    /// One CSV row (RFC 4180, CRLF): a field holding a comma, a quote or a line break is quoted,
    /// quotes doubled. A field that a spreadsheet would run as a formula (starting with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return) gets a leading `'` (OWASP, CSV injection).
    static func csv(_ fields: [String]) -> String {
        fields.map { raw in
            var f = DisplayText.clean(raw)
            if let first = f.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { f = "'" + f }
            let quote = f.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            return quote ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",") + "\r\n"
    }

    func storiesCSV() -> String {
        var out = Self.csv(["story_id", "title", "articles", "outlets", "first_reported_by", "first_published", "last_published", "coverage"])
        for s in report.stories {
            out += Self.csv(["\(s.id)", s.title, "\(s.article_count)", "\(s.outlets.count)", s.first_reported_by ?? "", s.first_published ?? "",
                             s.last_published ?? "", s.coverage.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")])
        }
        return out
    }

    func outletsCSV() -> String {
        var out = Self.csv(["story_id", "outlet", "group", "articles", "first_published", "headline", "similarity_to_story", "distinctive_terms", "quoted",
                            "candidates_tested", "omitted", "first_quoted", "others_quote", "loaded_share", "loaded_rest_share", "loaded_p", "loaded_q"])
        for s in report.stories {
            for o in s.outlets {
                out += Self.csv(["\(s.id)", o.outlet, o.group ?? "", "\(o.article_count)", o.first_published ?? "", o.headline,
                                 o.similarity_to_story.map { String(format: "%.3f", $0) } ?? "",
                                 o.distinctive_terms.map { "\($0.term) (\(String(format: "%.1f", $0.z)))" }.joined(separator: "; "),
                                 o.quoted.map { "\($0.speaker) (\($0.count))" }.joined(separator: "; "),
                                 "\(o.candidates_tested)", o.omitted.map { "\($0.term) (\($0.carried_by)/\($0.of))" }.joined(separator: "; "),
                                 o.first_quoted ?? "", o.others_quote.map { "\($0.speaker) (\($0.outlets))" }.joined(separator: "; "),
                                 o.loaded_language.map { String(format: "%.5f", $0.share) } ?? "", o.loaded_language.map { String(format: "%.5f", $0.rest_share) } ?? "",
                                 o.loaded_language.map { String(format: "%.3f", $0.p) } ?? "", o.loaded_language.map { String(format: "%.3f", $0.q) } ?? ""])
            }
        }
        return out
    }

    /// One row per outlet and unit shown (wording, and people quoted more or less).
    func profilesCSV() -> String {
        var out = Self.csv(["outlet", "group", "part", "unit", "kind", "direction", "stories", "others_stories", "ratio", "z", "p", "q", "example_stories"])
        for p in report.outlet_profiles {
            for u in p.wording {
                out += Self.csv([p.outlet, p.group ?? "", "wording", u.unit, u.kind, "more", "\(u.stories)", "\(u.others_stories)", "\(u.ratio)", "\(u.z)",
                                 "\(u.p)", "\(u.q)", u.examples.map { "\($0.story)" }.joined(separator: ";")])
            }
            for q in p.quotes {
                out += Self.csv([p.outlet, p.group ?? "", "quotes", q.speaker, "person", q.direction, "\(q.stories)", "\(q.others_stories)", "\(q.ratio)", "",
                                 "\(q.p)", "\(q.q)", ""])
            }
        }
        return out
    }

    /// One row per storyline and outlet: the steps it covered, where it dropped the matter.
    func storylinesCSV() -> String {
        var out = Self.csv(["storyline_id", "title", "steps", "stories", "outlet", "group", "steps_covered", "dropped_after", "followed_up"])
        for line in report.storylines {
            for o in line.outlets {
                out += Self.csv(["\(line.id)", line.title, "\(line.steps.count)", line.steps.map { "\($0.story)" }.joined(separator: ";"), o.outlet, o.group ?? "",
                                 o.steps.map(String.init).joined(separator: ";"), o.dropped_after.map(String.init) ?? "", o.followed_up ? "true" : "false"])
            }
        }
        return out
    }
}
