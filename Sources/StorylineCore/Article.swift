/// Where an article's publication date came from.
public enum DateSource: String, Sendable, Equatable, CaseIterable {
    /// The record's own date field.
    case given
    /// Found in the article's URL (`/2013/09/14/`, `2013-09-14`, `20130914`, an ObjectId's time).
    case url
    /// Found in the text's first lines ("Updated 09/14/2013", "Published March 3, 2024").
    case text
    /// An HTML page's metadata (`article:published_time`, `itemprop=datePublished`, `<time>`).
    case meta
    /// An HTML page's JSON-LD `datePublished`.
    case jsonLD = "json-ld"
}

/// One news article, as read from a dump.
public struct Article: Sendable, Equatable {
    /// The publisher's or the dump's id; unique in a store.
    public var id: String
    public var outlet: String
    /// Publication time in seconds since 1970-01-01 UTC, when known.
    public var published: Double?
    public var title: String
    public var text: String
    public var url: String?
    /// ISO 639-1 language code, when the dump gives one.
    public var lang: String?
    /// The gold story id, in labeled data used for evaluation.
    public var story: String?
    /// Fields the reader does not know, kept as a JSON object (sorted keys), or nil.
    public var extra: String?
    /// Where `published` came from: nil when undated; `.given` unless ingest inferred it.
    public var dateSource: DateSource?

    public init(id: String, outlet: String, published: Double? = nil, title: String, text: String,
                url: String? = nil, lang: String? = nil, story: String? = nil, extra: String? = nil,
                dateSource: DateSource? = nil) {
        self.id = id
        self.outlet = outlet
        self.published = published
        self.title = title
        self.text = text
        self.url = url
        self.lang = lang
        self.story = story
        self.extra = extra
        self.dateSource = published == nil ? nil : dateSource ?? .given
    }

    /// Fingerprint of what the article says, for deduplication: the same outlet publishing the
    /// same title and text under another id is a duplicate; another outlet carrying a wire copy is not.
    public var contentHash: String {
        Hashing.fingerprint([outlet, title, text])
    }
}

/// An article as the similarity, clustering and planning steps see it besides its term counts:
/// its store sequence number, time, and story (nil for an article not yet in one).
public struct ArticleRef: Sendable, Equatable {
    public var seq: Int64
    public var published: Double?
    public var storyID: Int64?

    public init(seq: Int64, published: Double?, storyID: Int64?) {
        self.seq = seq
        self.published = published
        self.storyID = storyID
    }
}

extension Article {
    /// Cleans fields read from a dump: NUL bytes removed, title trimmed; fills a missing id
    /// and outlet. Returns a reason when the record cannot be an article.
    static func hasNUL(_ s: inout String) -> Bool {
        s.withUTF8 { $0.count > 0 && memchr($0.baseAddress!, 0, $0.count) != nil }
    }

    package mutating func normalize() -> String? {
        // Byte checks: Foundation's string search is slow on long texts.
        if Self.hasNUL(&title) { title = String(title.unicodeScalars.filter { $0 != "\u{0}" }) }
        if Self.hasNUL(&text) { text = String(text.unicodeScalars.filter { $0 != "\u{0}" }) }
        title = title.trimmed()
        if title.isEmpty && text.allSatisfy({ $0.isWhitespace }) {
            return "no text and no title"
        }
        outlet = outlet.trimmed()
        if outlet.isEmpty { outlet = "unknown" }
        id = id.trimmed()
        if id.isEmpty { id = "h:" + contentHash.prefix(20) }
        if let given = lang {
            let l = given.trimmed(.whitespaces)
            lang = l.isEmpty ? nil : (l.utf8.allSatisfy { $0 < 0x80 && $0 &- 0x41 >= 26 } ? l : l.lowercased())
        }
        if let u = url, u.isEmpty { url = nil }
        return nil
    }
}

import Foundation

extension String {
    /// `trimmingCharacters(in: set)`, without calling Foundation (slow, per call) when both ends
    /// are ASCII bytes that are not whitespace: then there is nothing to trim.
    package func trimmed(_ set: CharacterSet = .whitespacesAndNewlines) -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        func plain(_ b: UInt8) -> Bool { b < 0x80 && b > 0x20 }
        if plain(first) && plain(last) { return self }
        return trimmingCharacters(in: set)
    }
}
