import Foundation
import StorylineCore

/// Dump formats Storyline reads.
public enum DumpFormat: String, CaseIterable, Sendable {
    case auto, jsonl, csv, text, warc

    /// The format of `path` under `.auto`: folders and .txt/.md/.html files are text (files);
    /// .csv/.tsv is CSV; .warc is WARC; everything else is read as JSON Lines. A `.gz` or `.zst` ending is looked through.
    package static func detect(_ path: String) -> DumpFormat {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return .text
        }
        var name = path as NSString
        // `dump.csv.gz` is a CSV (compression is recognized by the reader, by its bytes).
        if ["gz", "gzip", "zst", "zstd"].contains(name.pathExtension.lowercased()) { name = name.deletingPathExtension as NSString }
        switch name.pathExtension.lowercased() {
        case "csv", "tsv": return .csv
        case "warc", "arc": return .warc
        case "txt", "md", "text", "html", "htm": return .text
        default: return .jsonl
        }
    }
}

/// One record of a dump, as a reader saw it.
package struct RecordEvent {
    /// The file the record came from (a folder's member for text folders).
    package var file: String
    /// 1-based line where the record starts (1 for whole-file records).
    package var line: Int
    package var article: Article?
    /// Why the record is not an article, when it is not.
    package var problem: String?
    /// Things worth saying that do not reject the record (an unreadable date).
    package var warnings: [String] = []
    /// False for a note about the file (its warnings) that is not a record of it.
    package var isRecord = true
}

/// A reader turns a dump into ``RecordEvent``s, streaming, in file order.
package protocol ArticleReader {
    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws
}

extension DumpFormat {
    /// The format's reader; an article without a date gets one from its URL or text where
    /// ``DateFinder`` finds one; hosts are named by `outlets`.
    package func reader(outlets: OutletMap? = nil) -> ArticleReader {
        let inner: ArticleReader
        switch self {
        case .auto, .jsonl: inner = JSONLReader()
        case .csv: inner = CSVReader()
        case .text: inner = TextFolderReader()
        case .warc: inner = WARCReader()
        }
        return FinishingReader(inner: inner, outlets: outlets)
    }
}

/// Passes another reader's records on, dating the undated ones (``DateFinder``) and naming
/// outlets that are hosts (``OutletMap``).
struct FinishingReader: ArticleReader {
    var inner: ArticleReader
    var outlets: OutletMap?

    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        try inner.read(path) { event in
            var event = event
            if var article = event.article, article.published == nil || outlets != nil {
                if article.published == nil { DateFinder.fill(&article) }
                outlets?.apply(to: &article)
                event.article = article
            }
            try body(event)
        }
    }
}

/// The fields of an article a dump can give.
enum Field: String, CaseIterable {
    case id, outlet, published, title, text, url, lang, story
}

/// Maps the many names dumps give the same field to ours.
enum FieldNames {
    static let aliases: [String: Field] = [
        "id": .id, "article_id": .id, "guid": .id,
        "outlet": .outlet, "source": .outlet, "publisher": .outlet, "site": .outlet,
        "source_domain": .outlet, "sitename": .outlet, "site_name": .outlet, "source_name": .outlet, "domain": .outlet,
        "published": .published, "date": .published, "published_at": .published,
        "publish_date": .published, "pubdate": .published, "timestamp": .published,
        "date_publish": .published, "date_published": .published, "datepublished": .published, "publication_date": .published,
        "title": .title, "headline": .title,
        "text": .text, "body": .text, "content": .text, "article": .text,
        "maintext": .text, "full_text": .text, "articlebody": .text, "article_text": .text, "body_text": .text,
        "url": .url, "link": .url,
        "lang": .lang, "language": .lang,
        "story": .story, "story_id": .story,
    ]

    static func field(_ name: String) -> Field? {
        // Most dumps spell the names exactly: compare before hashing, trimming and lowercasing.
        switch name {
        case "title": return .title
        case "text": return .text
        case "id": return .id
        case "outlet": return .outlet
        case "published": return .published
        case "lang": return .lang
        case "url": return .url
        case "story": return .story
        default: break
        }
        if let field = aliases[name] { return field }
        return aliases[name.trimmed(.whitespaces).lowercased()]
    }

    static func canonical(_ name: String) -> String? { field(name)?.rawValue }
}

/// Builds an ``Article`` from named string fields, whatever the dump's format.
struct ArticleBuilder {
    /// By ``Field``; the first value given for a field wins.
    private var fields: (String?, String?, String?, String?, String?, String?, String?, String?)
    var extra: [String: Any] = [:]
    /// Unknown fields already as a JSON object text (wins over `extra`).
    var extraJSON: String? = nil
    var warnings: [String] = []

    subscript(_ field: Field) -> String? {
        get {
            switch field {
            case .id: fields.0
            case .outlet: fields.1
            case .published: fields.2
            case .title: fields.3
            case .text: fields.4
            case .url: fields.5
            case .lang: fields.6
            case .story: fields.7
            }
        }
        set {
            switch field {
            case .id: fields.0 = newValue
            case .outlet: fields.1 = newValue
            case .published: fields.2 = newValue
            case .title: fields.3 = newValue
            case .text: fields.4 = newValue
            case .url: fields.5 = newValue
            case .lang: fields.6 = newValue
            case .story: fields.7 = newValue
            }
        }
    }

    mutating func set(_ name: String, _ value: String?) {
        if let field = FieldNames.field(name) {
            set(field, value)
        } else {
            extra[name] = value ?? NSNull()
        }
    }

    mutating func set(_ field: Field, _ value: String?) {
        if let value, self[field] == nil { self[field] = value }
    }

    mutating func build() -> (Article?, String?) {
        var published: Double? = nil
        if let raw = self[.published], !raw.trimmed(.whitespaces).isEmpty {
            var (seconds, warning) = PublicationDate.read(raw)
            // Not ISO 8601, compact or epoch: RSS's RFC 2822 ("Fri, 24 Jul 2015 05:36:09 GMT") or a
            // date in words ("July 24, 2015").
            if seconds == nil, warning?.hasPrefix("unreadable") == true, !DateFinder.hasImpossibleTime(raw), let t = DateFinder.written(raw) {
                (seconds, warning) = (t, nil)
            }
            published = seconds
            if let warning { warnings.append(warning) }
        }
        var extraJSON: String? = self.extraJSON
        if extraJSON == nil, !extra.isEmpty, JSONSerialization.isValidJSONObject(extra),
           let data = try? JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys]) {
            extraJSON = String(decoding: data, as: UTF8.self)
        }
        var article = Article(
            id: self[.id] ?? "", outlet: self[.outlet] ?? "", published: published,
            title: self[.title] ?? "", text: self[.text] ?? "", url: self[.url],
            lang: self[.lang], story: self[.story], extra: extraJSON)
        if let problem = article.normalize() { return (nil, problem) }
        return (article, nil)
    }
}
