import Foundation
import StorylineHTML

/// Reads articles from files: a file, or a folder searched recursively (in sorted order) for
/// `.txt`/`.md` files (the first line that is not boilerplate is the headline, the rest the text)
/// and `.html`/`.htm` pages (headline and article text extracted by ``HTMLExtractor``, script,
/// style and navigation dropped; the date from the page's metadata). In a folder, the outlet is
/// the name of the file's first subfolder (`dump/Reuters/a.txt` → Reuters), else the page's
/// `og:site_name`, else "unknown"; the id is the path inside the folder.
struct TextFolderReader: ArticleReader {
    static let extensions: Set<String> = ["txt", "md", "text", "html", "htm"]

    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
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
            try body(Self.article(file: (path as NSString).appendingPathComponent(member), relative: member, outlet: outlet))
        }
    }

    static func article(file: String, relative: String, outlet: String?) -> RecordEvent {
        var event = RecordEvent(file: file, line: 1)
        guard let data = FileManager.default.contents(atPath: file) else {
            event.problem = "cannot read file"
            return event
        }
        if ["html", "htm"].contains((file as NSString).pathExtension.lowercased()) {
            guard let page = HTMLExtractor.extract([UInt8](data)) else {
                event.problem = "not an HTML page"
                return event
            }
            var article = Article(id: relative, outlet: outlet ?? page.siteName ?? "unknown", title: page.title, text: page.text, url: page.url)
            if let raw = page.published {
                article.published = ISODate.parse(raw)
                if article.published == nil { event.warnings.append("unreadable date \"\(raw.prefix(40))\": kept undated") }
            }
            if let problem = article.normalize() { event.problem = problem } else { event.article = article }
            return event
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
        let prefixes = ["read also", "read more", "related stories", "related articles", "related:", "related coverage",
                        "advertisement", "share this", "share on", "follow us", "sign up for", "subscribe to",
                        "click here", "skip to", "you may also like", "recommended for you", "more from"]
        if prefixes.contains(where: { l.hasPrefix($0) }) { return true }
        return l == "related" || l == "ad" || l == "share" || l == "comments"
    }

    /// The headline (first line that is neither boilerplate nor a section label) and the text.
    static func splitHeadline(_ content: String) -> (String, String) {
        let lines = content.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        var headline: Substring? = nil
        var body: [Substring] = []
        var index = 0
        while index < lines.count, headline == nil {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            if line.isEmpty || isBoilerplate(Substring(line)) { continue }
            let label = line.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ":|>»·-"))
            // A section label, or a line repeated right below it, sits above the real headline.
            let next = lines[index...].first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if next != nil && (sectionNames.contains(label.trimmingCharacters(in: .whitespaces))) { continue }
            headline = Substring(line)
        }
        for line in lines[index...] where !isBoilerplate(Substring(line.trimmingCharacters(in: .whitespaces))) {
            body.append(line)
        }
        // A headline repeated as the first line of the text.
        if let h = headline, let first = body.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
           body[first].trimmingCharacters(in: .whitespaces) == h {
            body.remove(at: first)
        }
        return (String(headline ?? ""), body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
