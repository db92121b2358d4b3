import StorylineCore

/// Finds a publication date where a record gives none: in its URL, then in the first lines of
/// its text (but a "Published" line in the text that disagrees with the URL wins). Never overrides a date the record gives. What it finds must be a plausible
/// publication date (``PublicationDate``); a date found is the day (00:00 UTC) unless the
/// source carries a time.
///
/// - URL (`DateSource.url`): `/2013/09/14/`, `/2013/sep/14/`, `2013-09-14`, `2013_09_14`,
///   `20130914` (eight digits standing alone). A path `/2013/09/` without a day is not a day:
///   the article stays undated. Not the time in a 24-hex-digit ObjectId (`_us_55bbf7bd...`): it
///   is when the entry was created, and on basil 4 of 41 were 17 to 183 days before publication.
/// - Text (`DateSource.text`): a date introduced by "Published", "Posted" or "Date" (else
///   "Updated", "Last updated") in the first 300 bytes, or a date that opens the text, after a
///   dateline's place ("WASHINGTON, March 3, 2024 —") — "March 3, 2024",
///   "3 March 2024", "Mar. 3, 2024", "2024-03-03", "09/14/2013" (month first, unless the first
///   number is over 12). Dates elsewhere in a text are the events it tells, not when it was written.
package enum DateFinder {
    /// Fills `article.published` (and its source) when it has no date and one is found.
    /// Where the URL's day and a "Published ..." line at the top of the text disagree (a page
    /// moved to a new address years later), the text's own statement wins.
    package static func fill(_ article: inout Article) {
        guard article.published == nil else { return }
        if let url = article.url, let t = fromURL(url) {
            if let stated = statedInText(article.text), abs(stated - t) >= 86_400 {
                article.published = stated
                article.dateSource = .text
                return
            }
            article.published = t
            article.dateSource = .url
        } else if let t = fromText(article.text) {
            article.published = t
            article.dateSource = .text
        }
    }

    // MARK: URL

    package static func fromURL(_ url: String) -> Double? {
        var b = Array(url.utf8)
        // The path: after "scheme://host", else the whole string.
        if let scheme = firstIndex(of: [0x3A, 0x2F, 0x2F], in: b) {
            let hostStart = scheme + 3
            let slash = b[hostStart...].firstIndex(of: 0x2F) ?? b.count
            b = Array(b[slash...])
        }
        b = lowercased(b)
        if let t = slashedOrDashedDay(b) ?? compactDay(b), PublicationDate.isPlausible(t) { return t }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in b: [UInt8]) -> Int? {
        guard b.count >= needle.count else { return nil }
        for i in 0...(b.count - needle.count) where b[i] == needle[0] && Array(b[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }

    /// The run of digits at `i` (value, end), at most `maxLength` long.
    private static func number(_ b: [UInt8], _ i: Int, maxLength: Int = 9) -> (Int, Int)? {
        var j = i, v = 0
        while j < b.count, isDigit(b[j]), j - i < maxLength { v = v * 10 + Int(b[j] - 0x30); j += 1 }
        guard j > i, j == b.count || !isDigit(b[j]) else { return nil }
        return (v, j)
    }

    private static func day(_ y: Int, _ m: Int, _ d: Int) -> Double? {
        guard (1990...2099).contains(y), ISODate.isValidDay(y, m, d) else { return nil }
        return Double(ISODate.daysFromCivil(y, m, d)) * 86400
    }

    /// `YYYY/MM/DD`, `YYYY-MM-DD`, `YYYY_MM_DD`, `YYYY.MM.DD` or `YYYY/mon/DD`, the year standing alone.
    private static func slashedOrDashedDay(_ b: [UInt8]) -> Double? {
        var i = 0
        while i + 8 <= b.count {
            guard isDigit(b[i]), i == 0 || !isAlnum(b[i - 1]), let (y, afterYear) = number(b, i), afterYear - i == 4,
                  afterYear < b.count, [0x2F, 0x2D, 0x5F, 0x2E].contains(b[afterYear]) else { i += 1; continue }
            let sep = b[afterYear]
            var month: Int?, afterMonth = afterYear + 1
            if let (m, end) = number(b, afterYear + 1), end - afterYear - 1 <= 2 {
                month = m; afterMonth = end
            } else if sep == 0x2F, let (m, end) = monthName(b, afterYear + 1) {
                month = m; afterMonth = end
            }
            if let m = month, afterMonth < b.count, b[afterMonth] == sep, let (d, end) = number(b, afterMonth + 1) {
                // A one-digit day must end its path segment: `/2021/04/5-things` is a month and a slug.
                let digits = end - afterMonth - 1
                if digits == 2 || (digits == 1 && (end == b.count || b[end] == 0x2F)), let t = day(y, m, d) { return t }
            }
            i = afterYear
        }
        return nil
    }

    /// Eight digits standing alone: `YYYYMMDD`.
    private static func compactDay(_ b: [UInt8]) -> Double? {
        var i = 0
        while i < b.count {
            guard isDigit(b[i]), i == 0 || !isAlnum(b[i - 1]) else { i += 1; continue }
            var j = i
            while j < b.count, isDigit(b[j]) { j += 1 }
            if j - i == 8, j == b.count || !isAlnum(b[j]) {
                func v(_ a: Int, _ n: Int) -> Int { (a..<(a + n)).reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
                if let t = day(v(i, 4), v(i + 4, 2), v(i + 6, 2)) { return t }
            }
            i = j
        }
        return nil
    }

    static let months: [(String, Int)] = [
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7),
        ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
        ("sept", 9), ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8),
        ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ]

    /// A month's name or its abbreviation (lowercase bytes) at `i`, not followed by a letter.
    private static func monthName(_ b: [UInt8], _ i: Int) -> (Int, Int)? {
        guard i < b.count, b[i] >= 0x61, b[i] <= 0x7A else { return nil }
        for (name, m) in months where starts(b, i, name) {
            let end = i + name.utf8.count
            if end < b.count, b[end] >= 0x61, b[end] <= 0x7A { continue }
            return (m, end)
        }
        return nil
    }

    // MARK: Text

    /// Words that introduce a publication date; an update's date only where none of them does.
    static let keywords = ["first published", "published", "posted", "date"]
    static let updateKeywords = ["last updated", "updated"]

    package static func fromText(_ text: String) -> Double? {
        let original = Array(text.utf8.prefix(300))
        let b = lowercased(original)
        if let t = opening(b, after: datelinePlace(original)), PublicationDate.isPlausible(t) { return t }
        return introduced(b)
    }

    /// A date a line of the text's first 300 bytes opens with, as the publication's ("Published:
    /// July 29, 2004", "Posted ...", "Date ..."; not "Updated", and not a keyword inside a sentence).
    package static func statedInText(_ text: String) -> Double? {
        introduced(lowercased(text.utf8.prefix(300)), by: keywords, lineStart: true)
    }

    /// Bytes with ASCII capitals made small: what every search here for words and month names reads.
    static func lowercased<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    /// The first date introduced by "Published", "Updated", "Posted", ... in a page's visible
    /// text (its first `limit` bytes), where the page's metadata gives none.
    package static func fromPageText(_ text: String, limit: Int = 30_000) -> Double? {
        introduced(lowercased(text.utf8.prefix(limit)))
    }

    /// Where a dateline's date starts: after a place in capitals and a comma ("WASHINGTON, ",
    /// "RIO DE JANEIRO, "), else 0.
    private static func datelinePlace(_ b: [UInt8]) -> Int {
        var i = 0
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        let start = i
        while i < b.count, i - start <= 30, (b[i] >= 0x41 && b[i] <= 0x5A) || b[i] == 0x20 || b[i] == 0x2E || b[i] == 0x2D || b[i] == 0x27 { i += 1 }
        guard i - start >= 2, i < b.count, b[i] == 0x2C, b[start] >= 0x41, b[start] <= 0x5A, b[start + 1] >= 0x41, b[start + 1] <= 0x5A else { return 0 }
        return i + 1
    }

    /// The first plausible date after a keyword in `b` (lowercase bytes).
    private static func introduced(_ b: [UInt8]) -> Double? {
        introduced(b, by: keywords) ?? introduced(b, by: updateKeywords)
    }

    /// - Parameter lineStart: only a keyword that opens a line (after spaces, or a byline's `|`):
    ///   "Published: July 29, 2004", not "a study published on March 3 in Nature".
    private static func introduced(_ b: [UInt8], by words: [String], lineStart: Bool = false) -> Double? {
        func opensLine(_ i: Int) -> Bool {
            var k = i - 1
            while k >= 0, b[k] == 0x20 || b[k] == 0x09 { k -= 1 }
            return k < 0 || b[k] == 0x0A || b[k] == 0x0D || b[k] == 0x7C
        }
        var i = 0
        while i < b.count {
            if i == 0 || !isAlnum(b[i - 1]), !lineStart || opensLine(i), let word = words.first(where: { starts(b, i, $0) }) {
                var j = i + word.utf8.count
                // "Published: on Monday, March 3, 2024", "Updated 09/14/2013 4:05 PM".
                func skip(_ chars: [UInt8]) { while j < b.count, chars.contains(b[j]) { j += 1 } }
                skip([0x20, 0x3A, 0x2D, 0x09, 0x0A])
                if starts(b, j, "on ") { j += 3 }
                for (name, _) in weekdays where starts(b, j, name) {
                    j += name.utf8.count
                    skip([0x2C, 0x2E, 0x20])
                    break
                }
                if let t = dateAt(b, j), PublicationDate.isPlausible(t) { return t }
            }
            i += 1
        }
        return nil
    }

    /// A date as a field or a page's metadata may write it other than in ISO 8601: RFC 2822 (RSS's
    /// `pubDate`: "Fri, 24 Jul 2015 05:36:09 GMT", "+0100", "EST"), to the second; else a day in
    /// words or numbers ("July 24, 2015", "Published Oct 20, 2025 at 5:00 PM"). Nil when none
    /// or not plausible.
    package static func written(_ raw: String) -> Double? {
        let b = lowercased(raw.utf8.prefix(80))
        guard let t = rfc2822(b) ?? opening(b) ?? introduced(b), PublicationDate.isPlausible(t) else { return nil }
        return t
    }

    /// Whether a date field names a time that cannot be, so that its day alone must not be taken
    /// as the date: an ISO 8601 day followed by `T` and no valid time ("2024-05-01T25:61:61Z",
    /// "2024-05-01Tgarbage", an offset of +99:00), or a time of day past 23:59:60
    /// ("Tue, 10 Jun 2003 99:00:00 GMT").
    package static func hasImpossibleTime(_ raw: String) -> Bool {
        let b = Array(raw.utf8)
        func digit(_ k: Int) -> Bool { k < b.count && b[k] >= 0x30 && b[k] <= 0x39 }
        func value(_ k: Int, _ n: Int) -> Int { (k..<(k + n)).reduce(0) { $0 * 10 + Int(b[$1] - 0x30) } }
        var s = 0
        while s < b.count, b[s] == 0x20 { s += 1 }
        // An ISO day with a time designator: the whole field was not a valid timestamp.
        if b.count >= s + 11, (0..<4).allSatisfy({ digit(s + $0) }), b[s + 4] == 0x2D, digit(s + 5), digit(s + 6), b[s + 7] == 0x2D,
           digit(s + 8), digit(s + 9), b[s + 10] == 0x54 || b[s + 10] == 0x74 { return true }
        // A time of day: h:mm or hh:mm, optionally :ss.
        var k = 0
        while k < b.count {
            if b[k] == 0x3A, k >= 1, digit(k - 1), digit(k + 1), digit(k + 2), !digit(k + 3) {
                let hourStart = k >= 2 && digit(k - 2) ? k - 2 : k - 1
                if hourStart > 0, digit(hourStart - 1) { k += 1; continue }
                let hh = value(hourStart, k - hourStart), mm = value(k + 1, 2)
                var ss = 0
                if k + 3 < b.count, b[k + 3] == 0x3A, digit(k + 4), digit(k + 5) { ss = value(k + 4, 2) }
                return hh > 23 || mm > 59 || ss > 60
            }
            k += 1
        }
        return false
    }

    static let zones: [(String, Int)] = [("gmt", 0), ("utc", 0), ("ut", 0), ("z", 0), ("est", -5), ("edt", -4), ("cst", -6),
                                         ("cdt", -5), ("mst", -7), ("mdt", -6), ("pst", -8), ("pdt", -7)]

    /// `[weekday,] day month year hh:mm[:ss] [zone]` (lowercase bytes): seconds since 1970, or nil.
    private static func rfc2822(_ b: [UInt8]) -> Double? {
        var j = 0
        func skip() { while j < b.count, b[j] == 0x20 || b[j] == 0x2C { j += 1 } }
        skip()
        for (name, _) in weekdays where starts(b, j, name) { j += name.utf8.count; break }
        skip()
        guard let (d, afterDay) = number(b, j, maxLength: 2) else { return nil }
        j = afterDay
        skip()
        guard let (m, afterMonth) = monthName(b, j) else { return nil }
        j = afterMonth
        skip()
        guard let (y, afterYear) = number(b, j, maxLength: 4), afterYear - j == 4, let midnight = day(y, m, d) else { return nil }
        j = afterYear
        skip()
        guard let (hh, afterHour) = number(b, j, maxLength: 2), afterHour < b.count, b[afterHour] == 0x3A,
              let (mm, afterMinute) = number(b, afterHour + 1, maxLength: 2), hh <= 23, mm <= 59 else { return nil }
        j = afterMinute
        var ss = 0
        if j < b.count, b[j] == 0x3A, let (sec, afterSecond) = number(b, j + 1, maxLength: 2), sec <= 60 { ss = sec; j = afterSecond }
        skip()
        var offset = 0
        if j < b.count, b[j] == 0x2B || b[j] == 0x2D, let (hhmm, end) = number(b, j + 1, maxLength: 4), end - j - 1 == 4 {
            offset = (b[j] == 0x2D ? -1 : 1) * ((hhmm / 100) * 3600 + (hhmm % 100) * 60)
        } else if let (_, hours) = zones.first(where: { starts(b, j, $0.0) }) {
            offset = hours * 3600
        }
        return midnight + Double(hh * 3600 + mm * 60 + ss - offset)
    }

    /// The date that opens `b` (lowercase bytes) at `start`, after spaces and a weekday.
    private static func opening(_ b: [UInt8], after start: Int = 0) -> Double? {
        var j = start
        while j < b.count, b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x0D || b[j] == 0x09 { j += 1 }
        for (name, _) in weekdays where starts(b, j, name) {
            j += name.utf8.count
            while j < b.count, b[j] == 0x2C || b[j] == 0x2E || b[j] == 0x20 { j += 1 }
            break
        }
        return dateAt(b, j)
    }

    static let weekdays: [(String, Int)] = [
        ("monday", 1), ("tuesday", 2), ("wednesday", 3), ("thursday", 4), ("friday", 5), ("saturday", 6), ("sunday", 7),
        ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6), ("sun", 7),
    ]

    /// Whether `s` is at `i`, and a word ending there ends there (no allocation: this runs at
    /// every byte of every undated article's opening).
    private static func starts(_ b: [UInt8], _ i: Int, _ s: String) -> Bool {
        var k = i, last: UInt8 = 0
        for c in s.utf8 {
            guard k < b.count, b[k] == c else { return false }
            k += 1
            last = c
        }
        return k == b.count || !isAlnum(b[k]) || !isAlnum(last)
    }

    /// A date with a year at `i`: "march 3, 2024", "mar. 3 2024", "3 march 2024", "2024-03-03",
    /// "09/14/2013" (month first unless the first number is over 12).
    private static func dateAt(_ b: [UInt8], _ i: Int) -> Double? {
        guard i < b.count else { return nil }
        func spaces(_ j: inout Int) { while j < b.count, b[j] == 0x20 || b[j] == 0x2E || b[j] == 0x2C { j += 1 } }
        if let (m, end) = monthName(b, i) {
            var j = end
            spaces(&j)
            guard let (d, afterDay) = number(b, j, maxLength: 2) else { return nil }
            j = afterDay
            if j + 1 < b.count, starts(b, j, "st") || starts(b, j, "nd") || starts(b, j, "rd") || starts(b, j, "th") { j += 2 }
            spaces(&j)
            guard let (y, yEnd) = number(b, j, maxLength: 4), yEnd - j == 4 else { return nil }
            return day(y, m, d)
        }
        guard isDigit(b[i]), let (first, afterFirst) = number(b, i, maxLength: 4) else { return nil }
        if afterFirst - i == 4, afterFirst < b.count, b[afterFirst] == 0x2D || b[afterFirst] == 0x2F,
           let (m, afterMonth) = number(b, afterFirst + 1, maxLength: 2), afterMonth < b.count, b[afterMonth] == b[afterFirst],
           let (d, _) = number(b, afterMonth + 1, maxLength: 2) {
            return day(first, m, d)
        }
        guard afterFirst - i <= 2 else { return nil }
        var j = afterFirst
        if j < b.count, b[j] == 0x2F || b[j] == 0x2D || b[j] == 0x2E, let (second, afterSecond) = number(b, j + 1, maxLength: 2),
           afterSecond < b.count, b[afterSecond] == b[j], let (y, yEnd) = number(b, afterSecond + 1, maxLength: 4) {
            let year = yEnd - afterSecond - 1 == 4 ? y : (yEnd - afterSecond - 1 == 2 ? 2000 + y : -1)
            return first > 12 ? day(year, second, first) : day(year, first, second)
        }
        spaces(&j)
        if let (m, end) = monthName(b, j) {
            j = end
            spaces(&j)
            guard let (y, yEnd) = number(b, j, maxLength: 4), yEnd - j == 4 else { return nil }
            return day(y, m, first)
        }
        return nil
    }
}
