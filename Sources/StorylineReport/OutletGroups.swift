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
        try CSVRows.table(path, what: "outlets file", required: ["outlet", "group"]) { fields, _ in
            let outlet = fields["outlet"]!
            groups.groupOf[outlet] = fields["group"]!
            if let c = fields["country"], !c.isEmpty { groups.countryOf[outlet] = c }
        }
        return groups
    }
}
