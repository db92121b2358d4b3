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
        add(title: title, text: text, to: &out)
        return out
    }

    /// Adds the names of a title and a text to `counts` (a story's, summed over its articles).
    public static func add(title: String, text: String, to counts: inout [String: Int]) {
        for var s in [title, text] { s.withUTF8 { scan($0, into: &counts) } }
    }

    /// Byte classes: 1 a lowercase letter, 2 a capital, 4 an apostrophe or hyphen (inside a word),
    /// 8 white space, 16 a sentence end (`.`, `!`, `?`).
    static let byteClass: [UInt8] = (0..<256).map { c -> UInt8 in
        switch UInt8(c) {
        case 0x61...0x7A: return 1
        case 0x41...0x5A: return 2
        case 0x27, 0x2D: return 4
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: return 8
        case 0x2E, 0x21, 0x3F: return 16
        default: return 0
        }
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [String: Int]) {
        byteClass.withUnsafeBufferPointer { cls in
            let n = b.count
            var wordInSentence = 0
            var i = 0
            while i < n {
                let c = b[i], k = cls[Int(c)]
                if k & 3 == 0 {
                    // A line break, or a sentence end before white space, starts a sentence.
                    if c == 0x0A || (k == 16 && i + 1 < n && cls[Int(b[i + 1])] == 8) { wordInSentence = 0 }
                    i += 1
                    continue
                }
                let start = i
                var lower = k == 1
                i += 1
                while i < n {
                    let w = cls[Int(b[i])]
                    guard w & 7 != 0 else { break }
                    if w == 1 { lower = true }
                    i += 1
                }
                guard i - start >= 2 else { continue }
                defer { wordInSentence += 1 }
                // A name: capitalized (not its sentence's first word), not in capitals throughout.
                guard wordInSentence > 0, k == 2, lower else { continue }
                let word = UnsafeBufferPointer(rebasing: b[start..<i])
                let name = String(unsafeUninitializedCapacity: word.count) { out in
                    for (j, x) in word.enumerated() { out[j] = cls[Int(x)] == 2 ? x + 0x20 : x }
                    return word.count
                }
                if !ignored.contains(name) { out[name, default: 0] += 1 }
            }
        }
    }
}
