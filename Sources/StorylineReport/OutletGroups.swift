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

    /// Reads an outlets file: CSV (RFC 4180) with a header naming `outlet` and `group` columns
    /// (and optionally `country`); blank lines and lines starting with `#` are skipped.
    /// - Throws: ``StorylineError/Code/badInput`` with the line of the first bad row.
    public static func load(_ path: String) throws -> OutletGroups {
        var groups = OutletGroups()
        var header: [String]? = nil
        var line = 0
        try CSVRows(path: path).forEach { row in
            line = row.line
            if let problem = row.problem { throw StorylineError(.badInput, problem, file: path, line: row.line) }
            if row.fields.first?.hasPrefix("#") == true || row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { return }
            guard let names = header else {
                header = row.fields.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
                guard header!.contains("outlet"), header!.contains("group") else {
                    throw StorylineError(.badInput, "outlets file needs `outlet` and `group` columns", file: path, line: row.line)
                }
                return
            }
            guard row.fields.count == names.count else {
                throw StorylineError(.badInput, "\(row.fields.count) fields where the header has \(names.count)", file: path, line: row.line)
            }
            let fields = Dictionary(zip(names, row.fields), uniquingKeysWith: { a, _ in a })
            let outlet = fields["outlet"]!.trimmingCharacters(in: .whitespaces)
            groups.groupOf[outlet] = fields["group"]!.trimmingCharacters(in: .whitespaces)
            if let c = fields["country"], !c.isEmpty { groups.countryOf[outlet] = c }
        }
        if header == nil { throw StorylineError(.badInput, "empty outlets file", file: path, line: line) }
        return groups
    }
}
