import Foundation
import StorylineCore

/// Reads JSON Lines: one JSON object per line. Blank lines are skipped; a line that is not a
/// JSON object, or not UTF-8, is a bad record. Fields we do not know are kept in `extra`.
///
/// Also a file that is one JSON document: a single object over many lines (a crawler's file per
/// article, as news-please writes them) is one record; an array of objects is one record per
/// element (named `FILE:1: element N: reason` when bad).
package struct JSONLReader: ArticleReader {
    /// The largest file read whole as one JSON document.
    static let documentLimit = 256 << 20

    package func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        switch try Self.shape(path) {
        case .lines: break
        case .object(let bytes):
            try bytes.withUnsafeBufferPointer { try body(Self.record($0, file: path, line: 1)) }
            return
        case .array(let bytes):
            try Self.readArray(bytes, file: path, body)
            return
        }
        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            if let length = LineReader.oversized(bytes) {
                var event = RecordEvent(file: path, line: lineNumber)
                event.problem = LineReader.oversizedProblem(length)
                try body(event)
                return
            }
            try body(Self.record(bytes, file: path, line: lineNumber))
        }
    }

    enum Shape { case lines, object([UInt8]), array([UInt8]) }

    /// Whether `path` is JSON Lines or one document: an array, or an object whose first line is
    /// not a whole object (and the whole file is).
    static func shape(_ path: String) throws -> Shape {
        let source = try ByteSource(path: path)
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let n = try head.withUnsafeMutableBufferPointer { try source.read($0.baseAddress!, $0.count) }
        head.removeSubrange(n...)
        guard let first = head.firstIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }),
              head[first] == 0x5B || head[first] == 0x7B else { return .lines }
        if head[first] == 0x7B {
            // JSON Lines unless the first line is not an object by itself.
            guard let newline = head[first...].firstIndex(of: 0x0A) else { return .lines }
            let firstLine = head.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[first..<newline]) }
            if (try? JSONObjectScanner.scan(firstLine, { _, _ in })) != nil { return .lines }
        }
        var whole = head
        if n == head.count {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let m = try chunk.withUnsafeMutableBufferPointer { try source.read($0.baseAddress!, $0.count) }
                if m == 0 { break }
                whole += chunk[0..<m]
                if whole.count > documentLimit {
                    throw StorylineError(.badInput, "one JSON document larger than \(documentLimit >> 20) MiB: write it as JSON Lines", file: path)
                }
            }
        }
        if let damage = source.damage { throw damage }
        if head[first] == 0x5B { return .array(whole) }
        let isObject = whole.withUnsafeBufferPointer { (try? JSONObjectScanner.scan($0, { _, _ in })) != nil }
        return isObject ? .object(whole) : .lines
    }

    /// One record per element of a JSON array of objects.
    static func readArray(_ bytes: [UInt8], file: String, _ body: (RecordEvent) throws -> Void) throws {
        guard let array = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [Any] else {
            throw StorylineError(.badInput, "malformed JSON: not an array of objects", file: file, line: 1)
        }
        for (k, element) in array.enumerated() {
            var event = RecordEvent(file: file, line: 1)
            guard let object = element as? [String: Any] else {
                event.problem = "element \(k + 1): not an object"
                try body(event)
                continue
            }
            var builder = ArticleBuilder()
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                switch value {
                case let s as String: builder.set(key, s)
                case is NSNull: builder.set(key, nil)
                case let number as NSNumber where FieldNames.field(key) != nil && FieldNames.field(key) != .title && FieldNames.field(key) != .text:
                    builder.set(key, number.stringValue)
                default:
                    if FieldNames.field(key) != nil {
                        event.problem = "element \(k + 1): field \"\(key)\" is not a string"
                    } else {
                        builder.extra[key] = value
                    }
                }
            }
            if event.problem == nil {
                let (article, problem) = builder.build()
                event.article = article
                event.problem = problem.map { "element \(k + 1): \($0)" }
                event.warnings = builder.warnings.map { "element \(k + 1): \($0)" }
            }
            try body(event)
        }
    }

    /// A date as MongoDB's extended JSON writes it: `{"$date": "2024-05-01T10:00:00Z"}`,
    /// `{"$date": 1714557600000}` (milliseconds) or `{"$date": {"$numberLong": "1714557600000"}}`;
    /// nil for anything else.
    static func extendedJSONDate(_ raw: String) -> String? {
        guard raw.first == "{", let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any],
              let date = object["$date"] else { return nil }
        if let s = date as? String { return s }
        if let n = date as? NSNumber { return "\(n.int64Value)" }   // (a boolean becomes 0 or 1: implausible, kept undated)
        if let long = (date as? [String: Any])?["$numberLong"] as? String, Int64(long) != nil { return long }
        return nil
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
                case .raw(let raw) where field == .published && raw.first.map({ $0 == "-" || $0.isNumber }) != true:
                    // MongoDB's exports write {"$date": ...}; anything else that is not a date keeps
                    // the article, undated, with a warning.
                    if let date = Self.extendedJSONDate(raw) {
                        builder.set(field, date)
                    } else {
                        builder.warnings.append("unreadable date \(raw.prefix(40)): kept undated")
                    }
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
