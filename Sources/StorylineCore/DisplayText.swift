/// Text from a dump made safe to show to a person: in a terminal, a page, a spreadsheet.
///
/// Unicode bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069) are removed: inside a headline they can make a page show text in another
/// order than it is stored ("Trojan Source", CVE-2021-42574). Other control characters
/// (C0 but tab and line feed, DEL and C1: terminal escape sequences among them) become a space.
public enum DisplayText {
    /// `s` without bidirectional controls, its other control characters as spaces.
    public static func clean(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsCleaning) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isBidiControl(u) { continue }
            out.append(needsCleaning(u) ? " " : u)
        }
        return String(out)
    }

    /// `s` as one field of a tab-separated line: ``clean(_:)``, and its tabs, line feeds and
    /// carriage returns as spaces, so it cannot split the line or shift the columns after it.
    public static func field(_ s: String) -> String {
        let c = clean(s)
        guard c.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return c }
        return String(String.UnicodeScalarView(c.unicodeScalars.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }

    @inline(__always) static func isBidiControl(_ u: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
    }

    @inline(__always) static func needsCleaning(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 { return v != 0x09 && v != 0x0A }
        if v < 0x7F { return false }
        return v <= 0x9F || isBidiControl(u)
    }
}
