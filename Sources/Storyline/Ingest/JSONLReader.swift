import Foundation

/// Reads JSON Lines: one JSON object per line. Blank lines are skipped; a line that is not a
/// JSON object, or not UTF-8, is a bad record. Fields we do not know are kept in `extra`.
struct JSONLReader: ArticleReader {
    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            try body(Self.record(bytes, file: path, line: lineNumber))
        }
    }

    static func record(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int) -> RecordEvent {
        var event = RecordEvent(file: file, line: line)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            event.problem = "invalid UTF-8"
            return event
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [])
        } catch {
            event.problem = "malformed JSON"
            return event
        }
        guard let dict = object as? [String: Any] else {
            event.problem = "not a JSON object"
            return event
        }
        var builder = ArticleBuilder()
        for key in dict.keys.sorted() {
            let value = dict[key]!
            if FieldNames.canonical(key) == nil {
                builder.extra[key] = value
                continue
            }
            switch value {
            case let s as String: builder.set(key, s)
            case is NSNull: builder.set(key, nil)
            case let n as NSNumber where !(FieldNames.canonical(key) == "title" || FieldNames.canonical(key) == "text"):
                builder.set(key, n.stringValue)
            default:
                event.problem = "field \"\(key)\" is not a string"
                return event
            }
        }
        let (article, problem) = builder.build()
        event.article = article
        event.problem = problem
        event.warnings = builder.warnings
        return event
    }
}
