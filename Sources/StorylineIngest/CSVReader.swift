import Foundation
import StorylineCore

/// Reads CSV with a header row (RFC 4180): quoted fields may hold commas, doubled quotes and
/// newlines. Columns are matched to article fields by name (`title`/`headline`, `text`/`body`,
/// ...); other columns are kept in `extra`.
///
/// A `.tsv` (or `.tsv.gz`) file is tab-separated values as IANA defines them: fields are split
/// on tabs and taken as they are, quotes included (no quoting; a field cannot hold a tab or a
/// line break).
///
/// An unbalanced quote cannot swallow the rest of the file: a record whose quoted field runs over
/// several lines and then fails (never closed, or the wrong number of fields) is rejected at the
/// line where it starts, and reading resumes on the next line.
struct CSVReader: ArticleReader {
    /// Thrown inside a pass to read again from `line` on.
    private struct Resume: Error { var line: Int }

    package func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        let lower = path.lowercased()
        let tsv = lower.hasSuffix(".tsv") || lower.hasSuffix(".tsv.gz")
        var header: [String]? = nil
        var from = 1
        while true {
            do {
                try pass(path, tsv: tsv, from: from, header: &header, body)
                break
            } catch let resume as Resume {
                from = resume.line
            }
        }
        if header == nil {
            throw StorylineError(.badInput, "empty CSV file: no header", file: path)
        }
    }

    /// Reads records that start at line `from` or later.
    private func pass(_ path: String, tsv: Bool, from: Int, header: inout [String]?, _ body: (RecordEvent) throws -> Void) throws {
        try CSVRows(path: path, tsv: tsv).forEach(from: from) { row in
            var event = RecordEvent(file: path, line: row.line)
            event.problem = row.problem
            guard let names = header else {
                if let problem = event.problem {
                    throw StorylineError(.badInput, "unreadable header: \(problem)", file: path, line: row.line)
                }
                header = row.fields.map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 }
                if !header!.contains(where: { ["title", "text"].contains(FieldNames.canonical($0)) }) {
                    throw StorylineError(.badInput, "the header names no title or text column (got: \(header!.joined(separator: ", ")))", file: path, line: row.line)
                }
                return
            }
            // A record over several lines that fails (never closed, a stray quote where its quoted
            // field closed, or the wrong field count) was an unbalanced quote: it is rejected at
            // its first line, and reading resumes on the next.
            var resume = row.lastLine > row.line && (row.unclosedQuote || row.problem != nil)
            if event.problem == nil && row.fields.count != names.count {
                event.problem = "\(row.fields.count) fields where the header has \(names.count)"
                if row.lastLine > row.line {
                    event.problem! += " (a quoted field runs from line \(row.line) to \(row.lastLine): an unbalanced quote?)"
                    resume = true
                }
            }
            if event.problem == nil {
                var builder = ArticleBuilder()
                for (name, value) in zip(names, row.fields) { builder.set(name, value) }
                let (article, problem) = builder.build()
                event.article = article
                event.problem = problem
                event.warnings = builder.warnings
            }
            try body(event)
            if resume { throw Resume(line: row.line + 1) }
        }
    }
}

/// The rows of a CSV file (RFC 4180: quoted fields may hold commas, doubled quotes and line
/// breaks) or a TSV file (split on tabs, no quoting), as strings, each with the lines it spans.
/// What ``CSVReader`` and the outlet lists read.
package struct CSVRows {
    package struct Row {
        /// The line the row starts on, and the last one it spans.
        package var line: Int
        package var lastLine: Int
        package var fields: [String]
        /// Why the row cannot be read (invalid UTF-8, a stray or unclosed quote); fields then empty.
        package var problem: String?
        /// The file ended inside a quoted field that opened on `line`.
        package var unclosedQuote = false
    }

    let path: String
    let tsv: Bool

    package init(path: String, tsv: Bool = false) {
        self.path = path
        self.tsv = tsv
    }

    /// The rows of a small table with a header (an outlets file, an outlet map): each as a
    /// dictionary by lowercased, trimmed column name, with its line; `#` lines and blank lines are
    /// skipped. `what` names the file in errors ("outlets file needs `outlet` and `group` columns").
    /// - Throws: ``StorylineError/Code/badInput`` with the line of the first bad row.
    package static func table(_ path: String, what: String, required: [String], _ body: ([String: String], Int) throws -> Void) throws {
        var header: [String]? = nil
        var line = 1
        try CSVRows(path: path).forEach { row in
            line = row.line
            if let problem = row.problem { throw StorylineError(.badInput, problem, file: path, line: row.line) }
            if row.fields.first?.hasPrefix("#") == true || row.fields.allSatisfy({ $0.trimmed(.whitespaces).isEmpty }) { return }
            guard let names = header else {
                header = row.fields.map { $0.trimmed(.whitespaces).lowercased() }
                guard required.allSatisfy(header!.contains) else {
                    let list = required.map { "`\($0)`" }.joined(separator: " and ")
                    throw StorylineError(.badInput, "\(what) needs \(list) columns", file: path, line: row.line)
                }
                return
            }
            guard row.fields.count == names.count else {
                throw StorylineError(.badInput, "\(row.fields.count) fields where the header has \(names.count)", file: path, line: row.line)
            }
            try body(Dictionary(zip(names, row.fields.map { $0.trimmed(.whitespaces) }), uniquingKeysWith: { a, _ in a }), row.line)
        }
        if header == nil { throw StorylineError(.badInput, "empty \(what)", file: path, line: line) }
    }

    /// Calls `body` with each row that starts at line `from` or later; blank lines are skipped. A
    /// quoted field never closed ends the file with a row that says so.
    package func forEach(from: Int = 1, _ body: (Row) throws -> Void) throws {
        let separator: UInt8 = tsv ? 0x09 : 0x2C
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var inQuotes = false
        var recordLine = 0
        var lastLine = 0
        var quoteError = false

        func finishRecord() throws {
            fields.append(field)
            field.removeAll(keepingCapacity: true)
            defer { fields.removeAll(keepingCapacity: true); quoteError = false }
            if fields.count == 1 && fields[0].isEmpty { return }  // blank line
            var row = Row(line: recordLine, lastLine: lastLine, fields: [], problem: nil)
            for f in fields {
                guard let s = String(validating: f, as: UTF8.self) else {
                    row.problem = "invalid UTF-8"
                    break
                }
                row.fields.append(s)
            }
            if quoteError && row.problem == nil { row.problem = "stray quote in an unquoted field" }
            if row.problem != nil { row.fields = [] }
            try body(row)
        }

        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if lineNumber < from { return }
            if let length = LineReader.oversized(bytes) {
                // The record that holds a line over the limit is skipped whole (a quoted field it
                // was inside of included); reading resumes on the next line.
                let start = inQuotes ? recordLine : lineNumber
                inQuotes = false
                fields.removeAll()
                field.removeAll()
                quoteError = false
                lastLine = lineNumber
                try body(Row(line: start, lastLine: lineNumber, fields: [], problem: LineReader.oversizedProblem(length), unclosedQuote: false))
                return
            }
            lastLine = lineNumber
            if !inQuotes { recordLine = lineNumber } else { field.append(0x0A) }
            if tsv {
                for part in bytes.split(separator: 0x09, omittingEmptySubsequences: false) { fields.append(Array(part)) }
                field = fields.removeLast()
                try finishRecord()
                return
            }
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
            try body(Row(line: recordLine, lastLine: lastLine, fields: [], problem: "quoted field never closed (an unbalanced quote?)",
                         unclosedQuote: true))
        }
    }
}
