import Foundation
import StorylineCore

/// Names for hosts: what `--outlet-map FILE` gives. A WARC record's outlet is its host, and
/// crawlers write domains (news-please's `source_domain`); the map turns `nytimes.com` into "New
/// York Times". The file is CSV with a header naming `host` and `outlet` columns (other columns
/// are ignored, so the report's outlets.csv with a `host` column serves both); `#` lines and
/// blank lines are skipped. A host matches itself and its subdomains (`edition.cnn.com` matches
/// `cnn.com`); `www.` is ignored.
///
/// Only an outlet that is a host (no spaces, a dot) or unknown is renamed: a dump's own outlet
/// names are kept. An unknown outlet is named by the host of the article's URL.
public struct OutletMap: Sendable {
    var names: [String: String] = [:]

    public init(_ names: [String: String] = [:]) {
        for (host, outlet) in names { self.names[Self.normalize(host)] = outlet }
    }

    public var count: Int { names.count }

    /// - Throws: ``StorylineError/Code/badInput`` with the line of the first bad row.
    public static func load(_ path: String) throws -> OutletMap {
        guard FileManager.default.fileExists(atPath: path) else { throw StorylineError(.io, "no such file", file: path) }
        var map = OutletMap()
        var header: [String]? = nil
        try CSVRows(path: path).forEach { row in
            if let problem = row.problem { throw StorylineError(.badInput, problem, file: path, line: row.line) }
            if row.fields.first?.hasPrefix("#") == true || row.fields.allSatisfy({ $0.trimmed().isEmpty }) { return }
            guard let names = header else {
                header = row.fields.map { $0.trimmed().lowercased() }
                guard header!.contains("host"), header!.contains("outlet") else {
                    throw StorylineError(.badInput, "an outlet map needs `host` and `outlet` columns", file: path, line: row.line)
                }
                return
            }
            guard row.fields.count == names.count else {
                throw StorylineError(.badInput, "\(row.fields.count) fields where the header has \(names.count)", file: path, line: row.line)
            }
            let fields = Dictionary(zip(names, row.fields), uniquingKeysWith: { a, _ in a })
            let host = normalize(fields["host"]!), outlet = fields["outlet"]!.trimmed()
            guard !host.isEmpty, !outlet.isEmpty else { throw StorylineError(.badInput, "empty host or outlet", file: path, line: row.line) }
            map.names[host] = outlet
        }
        if header == nil { throw StorylineError(.badInput, "empty outlet map", file: path, line: 1) }
        return map
    }

    static func normalize(_ host: String) -> String {
        var h = host.trimmed().lowercased()
        if h.hasPrefix("www.") { h.removeFirst(4) }
        return h
    }

    /// The mapped name of `host` or of the nearest domain above it.
    func name(ofHost host: String) -> String? {
        var h = Self.normalize(host)
        while true {
            if let n = names[h] { return n }
            guard let dot = h.firstIndex(of: ".") else { return nil }
            h = String(h[h.index(after: dot)...])
            if !h.contains(".") { return nil }
        }
    }

    /// Renames `article`'s outlet when it is a host (or unknown, by its URL's host) the map names.
    func apply(to article: inout Article) {
        if article.outlet == "unknown" {
            if let url = article.url, let host = URLComponents(string: url)?.host, let n = name(ofHost: host) { article.outlet = n }
        } else if !article.outlet.contains(" "), article.outlet.contains("."), let n = name(ofHost: article.outlet) {
            article.outlet = n
        }
    }
}
