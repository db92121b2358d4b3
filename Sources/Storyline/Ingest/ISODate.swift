/// Parses the date forms news dumps use, without Foundation formatters:
/// `2021-04-23`, `2021-04-23T18:00:00Z`, `2021-04-23 18:00:00.123+02:00`, `20210423`, and
/// numbers of seconds (or milliseconds, when larger than 1e11) since 1970.
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
        // All digits (possibly with a fraction) and not shaped like YYYYMMDD: epoch seconds.
        let allNumeric = (start..<end).allSatisfy { (b[$0] >= 0x30 && b[$0] <= 0x39) || b[$0] == 0x2E }
        if allNumeric && !(end - start == 8 && !(start..<end).contains { b[$0] == 0x2E }) {
            guard let v = Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)) else { return nil }
            return v > 1e11 ? v / 1000 : v
        }
        guard let year = digits(4) else { return nil }
        let dashed = accept(0x2D)
        guard let month = digits(2) else { return nil }
        if dashed { guard accept(0x2D) else { return nil } }
        guard let day = digits(2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
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
        guard i == end else { return nil }
        return seconds - sign * Double(oh * 3600 + om * 60)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
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
