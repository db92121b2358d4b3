import StorylineCore

/// Reads JSON Lines: one JSON object per line. Blank lines are skipped; a line that is not a
/// JSON object, or not UTF-8, is a bad record. Fields we do not know are kept in `extra`.
package struct JSONLReader: ArticleReader {
    package func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            try body(Self.record(bytes, file: path, line: lineNumber))
        }
    }

    /// The record on one line. `keepExtra: false` skips fields we do not know (a reader that
    /// only analyzes the text does not need them as JSON).
    package static func record(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int, keepExtra: Bool = true) -> RecordEvent {
        var event = RecordEvent(file: file, line: line)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            event.problem = "invalid UTF-8"
            return event
        }
        var builder = ArticleBuilder()
        var extra: [(String, String)] = []
        var keys: [String] = []
        var duplicates: [String] = []
        do {
            try JSONObjectScanner.scan(bytes) { key, value in
                if keys.contains(key) { if !duplicates.contains(key) { duplicates.append(key) } } else { keys.append(key) }
                guard let field = FieldNames.field(key) else {
                    guard keepExtra else { return }
                    switch value {
                    case .string(let s): extra.append((key, JSONText.quote(s)))
                    case .null: extra.append((key, "null"))
                    case .raw(let raw): extra.append((key, raw))
                    }
                    return
                }
                switch value {
                case .string(let s): builder.set(field, s)
                case .null: builder.set(field, nil)
                case .raw(let raw):
                    // Numbers are fine for ids and dates; nothing else is.
                    guard field != .title, field != .text, raw.first.map({ $0 == "-" || $0.isNumber }) == true else {
                        throw JSONObjectScanner.Failure(reason: "field \"\(key)\" is not a string")
                    }
                    builder.set(field, raw)
                }
            }
        } catch let failure as JSONObjectScanner.Failure {
            event.problem = failure.reason
            return event
        } catch {
            event.problem = "malformed JSON"
            return event
        }
        if !extra.isEmpty {
            // The first occurrence of a key wins, as for the article's fields; keys sorted.
            var byKey: [String: String] = [:]
            for (k, v) in extra where byKey[k] == nil { byKey[k] = v }
            builder.extraJSON = "{" + byKey.keys.sorted().map { JSONText.quote($0) + ":" + byKey[$0]! }.joined(separator: ",") + "}"
        }
        let (article, problem) = builder.build()
        event.article = article
        event.problem = problem
        event.warnings = duplicates.map { "duplicate key \"\($0.prefix(40))\": its first value is kept" } + builder.warnings
        return event
    }
}

/// Writing JSON text by hand where a serializer would be overkill.
enum JSONText {
    /// `s` as a JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
