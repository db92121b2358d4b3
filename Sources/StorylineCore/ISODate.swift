import Foundation

/// Parses the date forms news dumps use, without Foundation formatters:
/// `2021-04-23`, `2021-04-23T18:00:00Z`, `2021-04-23 18:00:00.123+02:00`, `20210423`,
/// `20210423180000` (compact date and time, UTC), and numbers of seconds (or milliseconds, when
/// larger than 1e11) since 1970. A day the month does not have (`2024-02-30`) is not a date.
public enum ISODate {
    /// Seconds since 1970-01-01 UTC, or nil when `text` is not a date.
    public static func parse(_ text: String) -> Double? {
        var s = text
        return s.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0, end = b.count
        while start < end, b[start] == 0x20 || b[start] == 0x09 { start += 1 }
        while end > start, b[end - 1] == 0x20 || b[end - 1] == 0x09 { end -= 1 }
        guard end > start else { return nil }
        var i = start
        func digits(_ n: Int) -> Int? {
            guard i + n <= end else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func accept(_ c: UInt8) -> Bool {
            if i < end, b[i] == c { i += 1; return true }
            return false
        }
        // All digits (possibly with a fraction) and not shaped like YYYYMMDD[hhmm[ss]]: epoch seconds.
        let allNumeric = (start..<end).allSatisfy { (b[$0] >= 0x30 && b[$0] <= 0x39) || b[$0] == 0x2E }
        let hasPoint = (start..<end).contains { b[$0] == 0x2E }
        if allNumeric && !hasPoint && [12, 14].contains(end - start) {
            // Compact date and time: YYYYMMDDhhmm or YYYYMMDDhhmmss (UTC).
            guard let year = digits(4), let month = digits(2), let day = digits(2), let hh = digits(2), let mm = digits(2),
                  isValidDay(year, month, day), hh <= 23, mm <= 59 else { return nil }
            let ss = i < end ? (digits(2) ?? 99) : 0
            guard ss <= 60 else { return nil }
            return Double(daysFromCivil(year, month, day)) * 86400 + Double(hh * 3600 + mm * 60 + ss)
        }
        if allNumeric && !(end - start == 8 && !hasPoint) {
            guard let v = Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)) else { return nil }
            return v > 1e11 ? v / 1000 : v
        }
        guard let year = digits(4) else { return nil }
        let dashed = accept(0x2D)
        guard let month = digits(2) else { return nil }
        if dashed { guard accept(0x2D) else { return nil } }
        guard let day = digits(2) else { return nil }
        guard isValidDay(year, month, day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86400
        if i == end { return seconds }
        guard accept(0x54) || accept(0x74) || accept(0x20) else { return nil }
        guard let hh = digits(2), accept(0x3A), let mm = digits(2) else { return nil }
        var ss = 0.0
        if accept(0x3A) {
            guard let whole = digits(2) else { return nil }
            ss = Double(whole)
            if accept(0x2E) || accept(0x2C) {
                var scale = 0.1
                while i < end, b[i] >= 0x30, b[i] <= 0x39 {
                    ss += Double(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        guard hh <= 24, mm <= 59, ss < 61 else { return nil }
        seconds += Double(hh * 3600 + mm * 60) + ss
        while i < end, b[i] == 0x20 { i += 1 }
        if i == end || accept(0x5A) || accept(0x7A) {
            return i == end ? seconds : nil
        }
        if i + 3 <= end, b[i] == 0x55, b[i + 1] == 0x54, b[i + 2] == 0x43 { // "UTC"
            i += 3
            return i == end ? seconds : nil
        }
        let sign: Double
        if accept(0x2B) { sign = 1 } else if accept(0x2D) { sign = -1 } else { return nil }
        guard let oh = digits(2) else { return nil }
        _ = accept(0x3A)
        let om = digits(2) ?? 0
        // Offsets on Earth run from -12:00 to +14:00.
        guard i == end, oh <= 14, om <= 59 else { return nil }
        return seconds - sign * Double(oh * 3600 + om * 60)
    }

    /// Whether `day` is a day of `month` in `year` (Gregorian leap years).
    package static func isValidDay(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    package static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Formats seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        var days = total / 86400
        var rem = total % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        // civil_from_days
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }
}

/// The publication-date policy of ingest: what a dump's date field becomes.
///
/// A date before 1990-01-01 or more than a day after the run's wall clock is not a publication
/// date of a news article in a dump (a typo, a placeholder such as 1900-01-01 or 2100-01-01, a
/// number in the wrong unit): the article is kept **undated**, with a warning, so that it can
/// never move the store's clock (which closes stories) or pull a story years away.
package enum PublicationDate {
    /// 1990-01-01T00:00:00Z.
    package static let earliest = Double(ISODate.daysFromCivil(1990, 1, 1)) * 86400
    /// The run's wall clock, read once.
    package static let runClock = Date().timeIntervalSince1970
    /// The latest plausible date: a day after the run's clock (time zones, embargoed feeds).
    package static var latest: Double { runClock + 86400 }

    /// The time `raw` gives, or nil with the warning to show.
    package static func read(_ raw: String) -> (seconds: Double?, warning: String?) {
        guard let t = ISODate.parse(raw) else {
            return (nil, "unreadable date \"\(raw.prefix(40))\": kept undated")
        }
        guard t >= earliest, t <= latest else {
            let when = t < earliest ? "before 1990" : "in the future"
            return (nil, "implausible date \"\(raw.prefix(40))\" (\(when)): kept undated")
        }
        return (t, nil)
    }
}

extension PublicationDate {
    /// Whether `t` is a plausible publication date (the range ``read(_:)`` accepts).
    package static func isPlausible(_ t: Double) -> Bool { t >= earliest && t <= latest }
}
