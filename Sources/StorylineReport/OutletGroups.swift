import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// Groups of outlets (left/center/right, country, ownership…) from an `outlets.csv`:
/// a header row with `outlet` and `group` columns (and optionally `country`).
public struct OutletGroups: Sendable {
    public var groupOf: [String: String]
    public var countryOf: [String: String]

    public init(groupOf: [String: String] = [:], countryOf: [String: String] = [:]) {
        self.groupOf = groupOf
        self.countryOf = countryOf
    }

    public static func load(_ path: String) throws -> OutletGroups {
        var groups = OutletGroups()
        var header: [String]? = nil
        var line = 0
        try LineReader(path: path).forEachLine { number, bytes in
            line = number
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw StorylineError(.badInput, "invalid UTF-8", file: path, line: number)
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty || text.hasPrefix("#") { return }
            let fields = Self.split(text)
            guard let names = header else {
                header = fields.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
                guard header!.contains("outlet"), header!.contains("group") else {
                    throw StorylineError(.badInput, "outlets file needs `outlet` and `group` columns", file: path, line: number)
                }
                return
            }
            guard fields.count == names.count else {
                throw StorylineError(.badInput, "\(fields.count) fields where the header has \(names.count)", file: path, line: number)
            }
            let row = Dictionary(zip(names, fields), uniquingKeysWith: { a, _ in a })
            let outlet = row["outlet"]!.trimmingCharacters(in: .whitespaces)
            groups.groupOf[outlet] = row["group"]!.trimmingCharacters(in: .whitespaces)
            if let c = row["country"], !c.isEmpty { groups.countryOf[outlet] = c }
        }
        if header == nil { throw StorylineError(.badInput, "empty outlets file", file: path, line: line) }
        return groups
    }

    /// Splits one CSV line (quoted fields allowed, no embedded newlines).
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(line)
        if chars.last == "\r" { chars.removeLast() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "," {
                fields.append(field); field = ""
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else {
                field.append(c)
            }
            i += 1
        }
        fields.append(field)
        return fields
    }
}
