import Foundation
import StorylineHTML
import StorylineCore

/// Reads articles from files: a file, or a folder searched recursively (in sorted order) for
/// `.txt`/`.md` files (the first line that is not boilerplate is the headline, the rest the text)
/// and `.html`/`.htm` pages (headline and article text extracted by ``HTMLExtractor``, script,
/// style and navigation dropped; the date from the page's metadata). In a folder, the outlet is
/// the name of the file's first subfolder (`dump/Reuters/a.txt` → Reuters), else the page's
/// `og:site_name`, else "unknown"; the id is the path inside the folder. `.json`/`.jsonl` files in
/// a folder are read as ``JSONLReader`` reads them (a crawler's file per article, as news-please
/// writes them: `maintext`, `date_publish`, `source_domain` are known names).
struct TextFolderReader: ArticleReader {
    static let extensions: Set<String> = ["txt", "md", "text", "html", "htm", "xhtml", "xht", "json", "jsonl"]

    package func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StorylineError(.io, "no such file or folder", file: path)
        }
        if !isDirectory.boolValue {
            try body(Self.article(file: path, relative: (path as NSString).lastPathComponent, outlet: nil))
            return
        }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw StorylineError(.io, "cannot list folder", file: path)
        }
        var members: [String] = []
        while let member = walker.nextObject() as? String {
            if Self.extensions.contains((member as NSString).pathExtension.lowercased()) { members.append(member) }
        }
        for member in members.sorted() {
            let components = member.split(separator: "/")
            let outlet = components.count > 1 ? String(components[0]) : nil
            let file = (path as NSString).appendingPathComponent(member)
            if ["json", "jsonl"].contains((member as NSString).pathExtension.lowercased()) {
                // A crawler's file per article (news-please), or a dump: its records, the folder naming
                // the outlet of those that do not.
                try JSONLReader().read(file) { event in
                    var event = event
                    if let outlet, event.article?.outlet == "unknown" { event.article?.outlet = outlet }
                    try body(event)
                }
                continue
            }
            try body(Self.article(file: file, relative: member, outlet: outlet))
        }
    }

    static func article(file: String, relative: String, outlet: String?) -> RecordEvent {
        var event = RecordEvent(file: file, line: 1)
        guard let data = FileManager.default.contents(atPath: file) else {
            event.problem = "cannot read file"
            return event
        }
        if ["html", "htm", "xhtml", "xht"].contains((file as NSString).pathExtension.lowercased()) {
            guard let page = HTMLExtractor.extract([UInt8](data)) else {
                event.problem = "not an HTML page"
                return event
            }
            return pageEvent(page, file: file, line: 1, id: relative, outlet: outlet ?? page.siteName, url: page.url, fallbackDate: nil)
        }
        guard let content = String(validating: data, as: UTF8.self) else {
            event.problem = "invalid UTF-8"
            return event
        }
        let (title, text) = splitHeadline(content)
        var article = Article(id: relative, outlet: outlet ?? "unknown", title: title, text: text)
        if let problem = article.normalize() {
            event.problem = problem
        } else {
            event.article = article
        }
        return event
    }

    /// The article of an extracted page: its date from the page's metadata, else `fallbackDate` (a
    /// WARC record's capture date, as given), else from its visible text ("Published ...").
    static func pageEvent(_ page: HTMLArticle, file: String, line: Int, id: String, outlet: String?, url: String?,
                          fallbackDate: String?) -> RecordEvent {
        var event = RecordEvent(file: file, line: line)
        var article = Article(id: id, outlet: outlet ?? "unknown", title: page.title, text: page.text, url: url)
        // The byline and publisher go with the article's other fields (the report's --group-field reads them).
        var extra: [String: String] = [:]
        if let author = page.author { extra["author"] = author }
        if let publisher = page.publisher { extra["publisher"] = publisher }
        if !extra.isEmpty, let data = try? JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys]) {
            article.extra = String(decoding: data, as: UTF8.self)
        }
        if let raw = page.published {
            // ISO 8601 as a rule; "Fri, 24 Jul 2015 05:36:09 GMT" or "July 24, 2015" give their day.
            var (seconds, warning) = PublicationDate.read(raw)
            if seconds == nil, let t = DateFinder.written(raw) { (seconds, warning) = (t, nil) }
            article.published = seconds
            article.dateSource = seconds == nil ? nil : page.publishedSource == "json-ld" ? .jsonLD : .meta
            if let warning { event.warnings.append(warning) }
        }
        if article.published == nil, let fallbackDate {
            let (seconds, warning) = PublicationDate.read(fallbackDate)
            article.published = seconds
            article.dateSource = seconds == nil ? nil : .given
            if let warning { event.warnings.append(warning) }
        }
        if article.published == nil, let visible = page.visibleText, let day = DateFinder.fromPageText(visible) {
            article.published = day
            article.dateSource = .text
        }
        if let problem = article.normalize() { event.problem = problem } else { event.article = article }
        return event
    }

    /// Section labels that scraped pages print above the headline.
    static let sectionNames: Set<String> = [
        "news", "breaking news", "world", "world news", "u.s.", "us", "u.s. news", "politics", "business",
        "markets", "economy", "opinion", "sports", "sport", "tech", "technology", "science", "health",
        "entertainment", "culture", "local", "national", "international", "home", "latest", "top stories",
        "analysis", "europe", "asia", "africa", "americas", "middle east", "climate", "environment",
    ]

    /// True for lines that are navigation or promotion, not article text.
    static func isBoilerplate(_ line: Substring) -> Bool {
        let l = line.lowercased()
        let prefixes = ["read also", "also read", "read more", "related stories", "related articles", "related:", "related coverage",
                        "advertisement", "share this", "share on", "follow us", "sign up for", "subscribe to",
                        "click here", "skip to", "you may also like", "recommended for you", "more from"]
        if prefixes.contains(where: { l.hasPrefix($0) }) { return true }
        return l == "related" || l == "ad" || l == "share" || l == "comments"
    }

    /// A heading under which a page lists other articles' headlines ("Related Stories").
    static func isRelatedHeading(_ line: String) -> Bool {
        let l = line.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " :|>»-"))
        return ["related", "related stories", "related articles", "related coverage", "related news", "more stories",
                "more from", "you may also like", "recommended", "recommended for you", "also read", "read more",
                "more on this story", "trending", "most read", "top stories"].contains(l)
    }

    /// A line that reads like a listed headline rather than article text: short, no closing punctuation.
    static func looksLikeHeadline(_ line: String) -> Bool {
        let words = line.split(whereSeparator: \.isWhitespace).count
        guard words > 0, words <= 20, let last = line.last else { return false }
        return !".!?\"”'’:".contains(last)
    }

    /// A section label glued to the headline's first word ("World NewsUkraine ..."): the label's
    /// length, when `line` starts with a known label directly followed by a capital letter.
    static func gluedLabelLength(_ line: String) -> Int? {
        let lower = line.lowercased()
        for name in sectionNames.sorted(by: { $0.count > $1.count }) where lower.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            if let c = rest.first, c.isUppercase, rest.count > 1 { return name.count }
        }
        return nil
    }

    /// `line` without a trailing ellipsis ("..." or "…"), or nil when it has none.
    static func withoutEllipsis(_ line: String) -> String? {
        for mark in ["...", "…"] where line.hasSuffix(mark) {
            return String(line.dropLast(mark.count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// The headline and the text of a scraped text page.
    ///
    /// The headline is the first line that is neither boilerplate nor a section label. Scraped
    /// pages often print a section label above the headline, or glued to it ("World NewsUkraine
    /// Will Not..."), and a shortened headline ending in "..." above the full one: the label is
    /// removed and the full headline taken. A headline repeated as the first line of the text is
    /// removed from the text; promotion lines ("Read Also | ...") and a closing list of other
    /// articles' headlines under a heading such as "Related Stories" are dropped.
    static func splitHeadline(_ content: String) -> (String, String) {
        let lines = content.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var headline: String? = nil
        var index = 0
        func nextNonEmpty(_ from: Int) -> Int? { lines[from...].firstIndex { !$0.isEmpty } }
        while index < lines.count, headline == nil {
            var line = lines[index]
            index += 1
            if line.isEmpty || isBoilerplate(Substring(line)) { continue }
            let label = line.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":|>»·- "))
            let next = nextNonEmpty(index)
            // A section label on its own line sits above the real headline.
            if next != nil && sectionNames.contains(label) { continue }
            if let n = gluedLabelLength(line) { line = String(line.dropFirst(n)) }
            // A shortened headline above the full one: take the full one.
            if let next, let short = withoutEllipsis(line), isShortened(short, of: lines[next]) {
                line = lines[next]
                index = next + 1
            }
            headline = line
        }
        var body: [String] = []
        var k = index
        while k < lines.count {
            let line = lines[k]
            k += 1
            if isRelatedHeading(line) {
                // Skip the listed headlines that follow (and blank lines between them).
                while k < lines.count, lines[k].isEmpty || looksLikeHeadline(lines[k]) { k += 1 }
                continue
            }
            if isBoilerplate(Substring(line)) { continue }
            body.append(line)
        }
        // A headline repeated as the first line of the text.
        if let h = headline, let first = body.firstIndex(where: { !$0.isEmpty }), fold(body[first]) == fold(h) {
            body.remove(at: first)
        }
        // Blank lines from removed lines collapse into one paragraph break.
        var text: [String] = []
        for line in body where !(line.isEmpty && (text.last?.isEmpty ?? true)) { text.append(line) }
        return (headline ?? "", text.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `short` is a shortened (and loosely retyped) form of `full`, which is longer: at
    /// least 80% of its words, and at least three, appear in `full`; or, after a short prefix
    /// (a section label glued on, whatever its words: "Harbour WatchHarbour bridge reopens..."),
    /// it is the start of `full`, letters and digits compared.
    static func isShortened(_ short: String, of full: String) -> Bool {
        let words = short.split(whereSeparator: \.isWhitespace).map { fold(String($0)) }.filter { !$0.isEmpty }
        let fullWords = Set(full.split(whereSeparator: \.isWhitespace).map { fold(String($0)) })
        if full.count > short.count, words.count >= 3, Double(words.filter(fullWords.contains).count) >= 0.8 * Double(words.count) { return true }
        let shortFolded = fold(short), fullFolded = fold(full)
        for cut in 0...min(Self.maxLabelLength, shortFolded.count) {
            let rest = shortFolded.dropFirst(cut)
            if rest.count >= 15 && rest.count < fullFolded.count && fullFolded.hasPrefix(rest) { return true }
        }
        return false
    }

    /// The longest label (letters and digits) a shortened headline may carry glued in front.
    static let maxLabelLength = 30

    /// Letters and digits only, lowercased: "Join to NATO, Says" and "join to NATO say" compare alike.
    static func fold(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }
}
