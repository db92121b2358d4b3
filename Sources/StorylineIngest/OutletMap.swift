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
        try CSVRows.table(path, what: "an outlet map", required: ["host", "outlet"]) { fields, line in
            let host = normalize(fields["host"]!), outlet = fields["outlet"]!
            guard !host.isEmpty, !outlet.isEmpty else { throw StorylineError(.badInput, "empty host or outlet", file: path, line: line) }
            map.names[host] = outlet
        }
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
