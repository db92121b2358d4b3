/// The names an article uses: words written with a capital letter inside a sentence (not its
/// first word), not in capitals throughout, and not a function word, weekday or month; lowercased,
/// with how often each appears. Twin events (two shootings, two coaching changes) share their
/// words but not the names that fill their roles: who was fired, which player, which town.
///
/// A word is a letter followed by letters, apostrophes or hyphens (two characters at least); a
/// sentence ends at a line break, or at `.`, `!` or `?` followed by white space. Latin capitals only
/// (ASCII): a name in another script is not seen, which leaves its article's stories as they are.
public enum NameExtractor {
    /// Capitalized words that are no names.
    static let ignored: Set<String> = [
        "the", "a", "an", "in", "on", "at", "for", "of", "and", "but", "or", "to", "by", "with", "from", "as", "it",
        "he", "she", "they", "we", "i", "you", "his", "her", "their", "this", "that", "these", "those", "after",
        "before", "when", "while", "if", "mr", "mrs", "ms", "dr", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "updated", "posted", "published",
    ]

    /// The names in a title and a text (as one: the title is a sentence of its own).
    public static func names(title: String, text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        scan(Array(title.utf8), into: &out)
        scan(Array(text.utf8), into: &out)
        return out
    }

    static func scan(_ b: [UInt8], into out: inout [String: Int]) {
        func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C }
        var wordInSentence = 0
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x0A {
                wordInSentence = 0
                i += 1
            } else if (c == 0x2E || c == 0x21 || c == 0x3F) && i + 1 < b.count && isSpace(b[i + 1]) {
                wordInSentence = 0
                i += 1
            } else if isLetter(c) {
                let start = i
                i += 1
                while i < b.count, isLetter(b[i]) || b[i] == 0x27 || b[i] == 0x2D { i += 1 }
                guard i - start >= 2 else { continue }
                defer { wordInSentence += 1 }
                let word = b[start..<i]
                guard wordInSentence > 0, c >= 0x41 && c <= 0x5A,
                      word.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { continue }
                let lower = String(decoding: word.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
                if !ignored.contains(lower) { out[lower, default: 0] += 1 }
            } else {
                i += 1
            }
        }
    }
}
