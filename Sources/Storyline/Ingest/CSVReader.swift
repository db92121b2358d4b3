import Foundation

/// Reads CSV with a header row (RFC 4180): quoted fields may hold commas, doubled quotes and
/// newlines. Columns are matched to article fields by name (`title`/`headline`, `text`/`body`,
/// ...); other columns are kept in `extra`. A `.tsv` file is split on tabs.
struct CSVReader: ArticleReader {
    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        let separator: UInt8 = path.lowercased().hasSuffix(".tsv") ? 0x09 : 0x2C
        var header: [String]? = nil
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var inQuotes = false
        var recordLine = 0
        var quoteError = false

        func finishRecord() throws {
            fields.append(field)
            field.removeAll(keepingCapacity: true)
            defer { fields.removeAll(keepingCapacity: true); quoteError = false }
            if fields.count == 1 && fields[0].isEmpty { return }  // blank line
            var event = RecordEvent(file: path, line: recordLine)
            var strings: [String] = []
            for f in fields {
                guard let s = String(validating: f, as: UTF8.self) else {
                    event.problem = "invalid UTF-8"
                    break
                }
                strings.append(s)
            }
            if quoteError && event.problem == nil { event.problem = "stray quote in an unquoted field" }
            guard let names = header else {
                if let problem = event.problem {
                    throw StorylineError(.badInput, "unreadable header: \(problem)", file: path, line: recordLine)
                }
                header = strings.map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 }
                if !header!.contains(where: { ["title", "text"].contains(FieldNames.canonical($0)) }) {
                    throw StorylineError(.badInput, "the header names no title or text column (got: \(header!.joined(separator: ", ")))", file: path, line: recordLine)
                }
                return
            }
            if event.problem == nil && strings.count != names.count {
                event.problem = "\(strings.count) fields where the header has \(names.count)"
            }
            if event.problem == nil {
                var builder = ArticleBuilder()
                for (name, value) in zip(names, strings) { builder.set(name, value) }
                let (article, problem) = builder.build()
                event.article = article
                event.problem = problem
                event.warnings = builder.warnings
            }
            try body(event)
        }

        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if !inQuotes { recordLine = lineNumber } else { field.append(0x0A) }
            var i = 0
            let n = bytes.count
            while i < n {
                let c = bytes[i]
                if inQuotes {
                    if c == 0x22 {
                        if i + 1 < n, bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                        inQuotes = false
                    } else {
                        field.append(c)
                    }
                } else if c == separator {
                    fields.append(field)
                    field.removeAll(keepingCapacity: true)
                } else if c == 0x22 {
                    if field.isEmpty { inQuotes = true } else { quoteError = true; field.append(c) }
                } else {
                    field.append(c)
                }
                i += 1
            }
            if !inQuotes { try finishRecord() }
        }
        if inQuotes {
            var event = RecordEvent(file: path, line: recordLine)
            event.problem = "quoted field never closed"
            try body(event)
        }
        if header == nil {
            throw StorylineError(.badInput, "empty CSV file: no header", file: path)
        }
    }
}
