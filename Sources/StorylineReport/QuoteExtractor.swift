import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// Finds who an article quotes: `"…," said X`, `"…," X said`, `X said …`, `according to X`, where X
/// is a name (a run of capitalized words, with titles such as "Sen." or "Gov.") or an
/// organization. Pronouns ("he said") are not sources.
public struct QuoteExtractor: Sendable {
    public init() {}

    static let name = #"((?:(?:[A-Z][a-z]{0,3}\.|[A-Z][\p{L}'’-]+|[A-Z]{2,})\s){0,4}(?:[A-Z][\p{L}'’-]+|[A-Z]{2,}))"#
    static let verbs = #"(?:said|says|told|added|wrote|stated|explained|argued|noted|warned|tweeted|insisted)"#
    static let patterns: [NSRegularExpression] = [
        // "…," said Jane Doe / "…," Jane Doe said
        try! NSRegularExpression(pattern: #"[”"]\s*,?\s*\#(verbs)\s+\#(name)"#),
        try! NSRegularExpression(pattern: #"[,.!?]\s*[”"]\s*\#(name)\s+\#(verbs)"#),
        // Jane Doe said
        try! NSRegularExpression(pattern: #"(?:^|[.;:]\s+|\s)\#(name)\s+\#(verbs)\b"#),
        // according to Jane Doe
        try! NSRegularExpression(pattern: #"\b[Aa]ccording to (?:the\s)?\#(name)"#),
    ]
    static let notNames: Set<String> = ["He", "She", "They", "It", "We", "I", "You", "This", "That", "The", "But", "And",
                                        "A", "An", "In", "On", "Officials", "Police", "Authorities", "Critics", "Experts", "Others",
                                        // "…, Friday said" is a dateline's day, not a speaker.
                                        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Yesterday",
                                        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                                        "November", "December"]

    /// Who a speaker is, for telling whether two outlets quote the same person: the last word of
    /// the name ("Mr. Stone", "Roger Stone" and "Stone" are one speaker).
    static func person(_ speaker: String) -> Substring {
        speaker.split(separator: " ").last ?? Substring(speaker)
    }

    /// A cheap test before the regular expressions: could `text` quote anyone?
    static func mayQuote(_ text: String) -> Bool {
        var found = false
        var s = text
        s.withUTF8 { b in
            // " said", " says", " told", "ccording to", and the other verbs, by a scan for their stems.
            for needle in [" said", " says", " told", "ccording to", " added", " wrote", " stated", " explained", " argued",
                           " noted", " warned", " tweeted", " insisted"] {
                var n = needle
                let hit = n.withUTF8 { p in Self.contains(b, p) }
                if hit { found = true; return }
            }
        }
        return found
    }

    /// Whether `haystack` contains `needle` (memchr for the first byte, then memcmp).
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let h = haystack.baseAddress, let n = needle.baseAddress, needle.count > 0, haystack.count >= needle.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let hit = memchr(h + start, Int32(n[0]), last - start + 1) else { return false }
            let at = h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(h + at, n, needle.count) == 0 { return true }
            start = at + 1
        }
        return false
    }

    /// Speakers quoted in `text`, with how often each is quoted.
    public func speakers(in text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for q in quotes(in: text) { out[q.speaker, default: 0] += 1 }
        return out
    }

    /// Each quote's speaker, in the order of the text.
    public func quotes(in text: String) -> [(speaker: String, at: Int)] {
        var out: [(speaker: String, at: Int)] = []
        let range = NSRange(text.startIndex..., in: text)
        var claimed: [NSRange] = []
        for pattern in Self.patterns {
            for match in pattern.matches(in: text, range: range) {
                guard match.numberOfRanges > 1, let r = Range(match.range(at: 1), in: text) else { continue }
                if claimed.contains(where: { NSIntersectionRange($0, match.range(at: 1)).length > 0 }) { continue }
                var speaker = String(text[r]).trimmingCharacters(in: .whitespaces)
                // Drop a leading sentence word that is not part of the name ("Then Biden said").
                let words = speaker.split(separator: " ")
                if words.count > 1, Self.notNames.contains(String(words[0])) { speaker = words.dropFirst().joined(separator: " ") }
                guard !Self.notNames.contains(speaker), speaker.count > 1 else { continue }
                claimed.append(match.range(at: 1))
                out.append((speaker, match.range(at: 1).location))
            }
        }
        return out.sorted { ($0.at, $0.speaker) < ($1.at, $1.speaker) }
    }
}
