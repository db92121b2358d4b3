import StorylineCore

/// A result row of either backend, read by column (SQLite's statement, PostgreSQL's result at
/// a row): what lets each record type be decoded from its columns in one place.
protocol StoreRow {
    func text(_ column: Int32) -> String?
    func int(_ column: Int32) -> Int64
    func double(_ column: Int32) -> Double?
    func isNull(_ column: Int32) -> Bool
}

extension StoreRow {
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
}

extension Article {
    /// The article's columns, in the order ``init(row:from:)`` reads them (`a`: the articles table).
    static let columns = "a.id, a.outlet, a.published, a.title, a.text, a.url, a.lang, a.gold_story, a.extra, a.date_source"

    /// The article in columns `c ..< c + 10` of a row selecting ``columns``.
    init(row r: some StoreRow, from c: Int32) {
        self.init(id: r.text(c) ?? "", outlet: r.text(c + 1) ?? "", published: r.double(c + 2), title: r.text(c + 3) ?? "",
                  text: r.text(c + 4) ?? "", url: r.text(c + 5), lang: r.text(c + 6), story: r.text(c + 7),
                  extra: r.text(c + 8), dateSource: r.text(c + 9).flatMap(DateSource.init(rawValue:)))
    }
}

extension RunRecord {
    /// A run's columns, in the order ``init(row:status:)`` reads them; the status column is the
    /// backend's to write (PostgreSQL works out which runs died).
    static func columns(status: String = "status") -> String { "id, command, started, finished, \(status), summary" }

    init(row r: some StoreRow) {
        self.init(id: r.int(0), command: r.text(1) ?? "", started: r.text(2) ?? "", finished: r.text(3),
                  status: RunStatus(rawValue: r.text(4) ?? ""), summary: r.text(5))
    }
}
