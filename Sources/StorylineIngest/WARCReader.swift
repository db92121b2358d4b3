import Foundation
import StorylineCore
import StorylineHTML

/// Reads WARC files (WARC/1.0 and 1.1; `.warc`, `.warc.gz` with a gzip member per record or one
/// for all, `.warc.zst`), as web archives and Common Crawl's CC-News ship them.
///
/// A `response` record of an HTML page (HTTP 200, `text/html` or `application/xhtml+xml`) is one
/// article: its HTTP headers parsed, chunked transfer and gzip/deflate content encoding undone,
/// the page read in the charset its headers or its `<meta>` declare, its headline and text
/// extracted as for HTML files. The record's `WARC-Target-URI` is the article's id and url; its
/// outlet is the host (without `www.`); its date the page's own (JSON-LD, meta tags), else the
/// record's `WARC-Date`. A `resource` record of an HTML page is read the same way, without HTTP.
///
/// Other records (requests, metadata, revisits, images, redirects, errors) are not articles:
/// they are skipped, and counted in one warning at the end of the file. A record is read whole
/// only when it is a page of at most ``maxContent`` bytes, so memory stays bounded whatever the
/// file's size; pages are extracted in batches on every core, their articles handed on in file
/// order. A bad record is named by its ordinal (the `LINE` of `FILE:LINE`) and its byte
/// offset in the uncompressed stream; a truncated last record is named and what came before kept.
struct WARCReader: ArticleReader {
    /// The largest record read (a page larger than this is skipped and counted).
    static let maxContent = 32 << 20

    /// Pages are extracted in batches of up to this many records (or ``batchBytes``), on every core.
    static let batchRecords = 64
    static let batchBytes = 16 << 20

    /// A record to turn into an article (on any thread).
    struct Job {
        let ordinal: Int, offset: Int
        let headers: [String: String]
        let content: [UInt8]
        let isResponse: Bool
    }

    enum Outcome {
        case event(RecordEvent)
        case skipped(String)
    }

    func read(_ path: String, _ body: (RecordEvent) throws -> Void) throws {
        let stream = try ByteStream { try ByteSource(path: path) }
        var ordinal = 0
        var skipped: [String: Int] = [:]
        var jobs: [Job] = []
        var jobBytes = 0
        // Extracts the pending pages in parallel and hands their events on in file order.
        func flush() throws {
            guard !jobs.isEmpty else { return }
            let outcomes = Self.process(jobs, path: path)
            jobs.removeAll(keepingCapacity: true)
            jobBytes = 0
            for outcome in outcomes {
                switch outcome {
                case .event(let event): try body(event)
                case .skipped(let why): skipped[why, default: 0] += 1
                }
            }
        }
        // A damaged gzip or zstd stream ends early: that is the error to name, after the pages before it.
        func stopIfDamaged() throws {
            guard let damage = stream.damage else { return }
            try flush()
            throw damage
        }
        func emit(_ event: RecordEvent) throws {
            try flush()
            try stopIfDamaged()
            try body(event)
        }
        // Names a damaged record and finds where the next one starts: in `content` (the bytes
        // read for it, when they were) or after; reading goes on from there.
        func resync(_ event: RecordEvent, _ problem: String, content: [UInt8]? = nil) throws {
            var event = event
            let resumed = try stream.resync(within: content)
            event.problem = problem + (resumed.map { ": skipped; the next record starts at byte \($0)" } ?? ": skipped; no record follows it")
            try emit(event)
        }
        while true {
            guard let first = try stream.line() else { break }
            if first.isEmpty { continue }
            let offset = stream.lineOffset
            ordinal += 1
            let event = RecordEvent(file: path, line: ordinal)
            guard ByteStream.isVersionLine(first) else {
                try resync(event, "not a WARC record at byte \(offset) (a record starts with a WARC/1.0 or WARC/1.1 line)")
                continue
            }
            let (headers, ended) = try Self.headers(stream)
            // How a bad record is named: built only when one is.
            var name: String { "WARC record at byte \(offset) (\(Self.uri(headers["warc-target-uri"] ?? "")))" }
            guard ended else {
                var event = event   // (emit names the stream's damage instead, when there is one)
                event.problem = "WARC record at byte \(offset): truncated in its headers"
                try emit(event)
                break
            }
            let declared = headers["content-length"]
            guard let length = declared.flatMap({ Int($0) }), length >= 0 else {
                try resync(event, declared.map { "\(name): Content-Length \"\(DisplayText.clean(String($0.prefix(40))))\" is not a length" } ?? "\(name): no Content-Length")
                continue
            }
            let contentStart = stream.offset
            var lied: String { "\(name): its Content-Length (\(length)) does not end where a record ends" }
            let type = headers["warc-type"]?.lowercased() ?? "unknown"
            let contentType = headers["content-type"]?.lowercased() ?? ""
            let isResponse = type == "response" && contentType.hasPrefix("application/http")
            let isResource = type == "resource" && Self.isHTML(contentType)
            guard (isResponse || isResource) && length <= Self.maxContent else {
                // Not read: skipped whole, unless its length turns out false.
                let why = isResponse || isResource ? "larger than \(Self.maxContent >> 20) MiB" : type
                if try stream.skip(length) == length, try stream.blockEnd() != .continues {
                    skipped[why, default: 0] += 1
                } else {
                    try stopIfDamaged()
                    // The record's own bytes are read again for the next record start when the
                    // stream can go back there (a file, a few times a file); else onward from here.
                    let back = try stream.rewind(to: contentStart)
                    try resync(event, back ? lied : lied + " (the records inside its false length are not read)")
                }
                continue
            }
            let content = try stream.read(length)
            // A block that ends in the blank lines that close a record is whole, even when what
            // follows them is no record (that is named next, on its own).
            guard content.count == length, try stream.blockEnd() != .continues else {
                try stopIfDamaged()
                if content.count < length, ByteStream.recordStart(in: content) == nil {
                    var event = event
                    event.problem = "\(name): truncated: \(content.count) of its \(length) bytes"
                    try emit(event)
                    break
                }
                try resync(event, lied, content: content)
                continue
            }
            jobs.append(Job(ordinal: ordinal, offset: offset, headers: headers, content: content, isResponse: isResponse))
            jobBytes += content.count
            if jobs.count >= Self.batchRecords || jobBytes >= Self.batchBytes { try flush() }
        }
        try flush()
        try stopIfDamaged()
        if !skipped.isEmpty { try body(Self.skippedNote(skipped, file: path)) }
    }

    /// A record's header lines (names lowercased, the first of each name kept), and whether the
    /// blank line that ends them came.
    static func headers(_ stream: ByteStream) throws -> ([String: String], ended: Bool) {
        var headers: [String: String] = [:]
        while let line = try stream.line() {
            if line.isEmpty { return (headers, true) }
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmed()
            if headers[name] == nil { headers[name] = value }
        }
        return (headers, false)
    }

    /// The one warning that counts a file's records that are not pages, by kind.
    static func skippedNote(_ skipped: [String: Int], file: String) -> RecordEvent {
        let total = skipped.values.reduce(0, +)
        let parts = skipped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        var note = RecordEvent(file: file, line: 0)
        note.isRecord = false
        note.warnings = ["\(total) WARC records are not HTML pages and were skipped: \(parts.joined(separator: ", "))"]
        return note
    }

    /// Each job's outcome, in order, worked out on every core.
    static func process(_ jobs: [Job], path: String) -> [Outcome] {
        var outcomes = [Outcome](repeating: .skipped(""), count: jobs.count)
        outcomes.withUnsafeMutableBufferPointer { results in
            Parallel.strided(jobs.count, workers: Parallel.cores) { _, k in results[k] = process(jobs[k], path: path) }
        }
        return outcomes
    }

    /// A page record's article, or why it is none.
    static func process(_ job: Job, path: String) -> Outcome {
        var event = RecordEvent(file: path, line: job.ordinal)
        let uri = uri(job.headers["warc-target-uri"] ?? "")
        var page = job.content[...]
        var charset = charset(job.headers["content-type"] ?? "")
        if job.isResponse {
            switch http(job.content) {
            case .failure(let reason):
                event.problem = "WARC record at byte \(job.offset) (\(uri)): \(reason.reason)"
                return .event(event)
            case .success(let response):
                guard response.status == 200 else { return .skipped("HTTP \(response.status)") }
                guard isHTML(response.contentType) else { return .skipped("not HTML") }
                page = response.body[...]
                charset = Self.charset(response.contentType) ?? charset
            }
        }
        guard let extracted = HTMLExtractor.extract(Array(page), charset: charset, url: uri) else {
            event.problem = "WARC record at byte \(job.offset) (\(uri)): not an HTML page"
            return .event(event)
        }
        return .event(TextFolderReader.pageEvent(extracted, file: path, line: job.ordinal,
                                                 id: uri.isEmpty ? (job.headers["warc-record-id"] ?? "") : uri,
                                                 outlet: host(uri) ?? extracted.siteName, url: uri.isEmpty ? nil : uri,
                                                 fallbackDate: job.headers["warc-date"]))
    }

    static func isHTML(_ contentType: String) -> Bool {
        let t = contentType.lowercased()
        return t.hasPrefix("text/html") || t.hasPrefix("application/xhtml+xml")
    }

    /// The `charset=` of a Content-Type, if any.
    static func charset(_ contentType: String) -> String? {
        guard let r = contentType.lowercased().range(of: "charset=") else { return nil }
        let value = contentType[r.upperBound...].prefix { $0 != ";" && $0 != " " }.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return value.isEmpty ? nil : value
    }

    /// WARC/1.0 writes the URI in angle brackets; 1.1 does not.
    static func uri(_ raw: String) -> String {
        raw.hasPrefix("<") && raw.hasSuffix(">") ? String(raw.dropFirst().dropLast()) : raw
    }

    /// The host of a URL, lowercased, without `www.`.
    static func host(_ url: String) -> String? {
        guard let host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return nil }
        return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
    }

    struct Response {
        var status: Int
        var contentType: String
        var body: [UInt8]
    }

    /// An HTTP response's status, Content-Type and decoded body.
    static func http(_ content: [UInt8]) -> Result<Response, Failure> {
        var lines: [[UInt8]] = []
        var i = 0
        var headerEnd: Int? = nil
        while i < content.count {
            guard let nl = content[i...].firstIndex(of: 0x0A) else { break }
            var line = Array(content[i..<nl])
            if line.last == 0x0D { line.removeLast() }
            i = nl + 1
            if line.isEmpty { headerEnd = i; break }
            lines.append(line)
        }
        guard let bodyStart = headerEnd, let statusLine = lines.first else { return .failure(Failure("the HTTP headers do not end")) }
        let parts = String(decoding: statusLine, as: UTF8.self).split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            return .failure(Failure("not an HTTP response: \(String(decoding: statusLine.prefix(60), as: UTF8.self))"))
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmed()
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        var body = Array(content[bodyStart...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let joined = dechunk(body) else { return .failure(Failure("broken chunked transfer encoding")) }
            body = joined
        }
        if let encoding = headers["content-encoding"]?.lowercased(), !encoding.isEmpty, encoding != "identity" {
            guard encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate" else {
                return .failure(Failure("content encoding \(encoding) is not supported (gzip and deflate are)"))
            }
            guard let inflated = Inflater.inflate(body, limit: maxContent * 4) else {
                return .failure(Failure("the \(encoding) content does not decompress"))
            }
            body = inflated
        }
        return .success(Response(status: status, contentType: headers["content-type"] ?? "", body: body))
    }

    /// The body of a chunked transfer, or nil when it is broken (a last chunk cut off is kept).
    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let nl = bytes[i...].firstIndex(of: 0x0A) else { return nil }
            let sizeText = String(String(decoding: bytes[i..<nl], as: UTF8.self).split(separator: ";").first ?? "").trimmed()
            guard let size = Int(sizeText, radix: 16) else { return nil }
            i = nl + 1
            if size == 0 { break }
            let end = min(bytes.count, i + size)
            out += bytes[i..<end]
            i = end
            while i < bytes.count, bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1; if bytes[i - 1] == 0x0A { break } }
        }
        return out
    }

    struct Failure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// Bytes of a ``ByteSource`` a line or a count at a time, with their offset in the stream; it can
/// go back (to re-read a record whose length lied) and find the next record start.
final class ByteStream {
    private let open: () throws -> ByteSource
    private var source: ByteSource
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0, end = 0
    private var atEnd = false
    /// Stream offset of `buffer[0]`.
    private var base = 0
    /// Where the last line read began.
    private(set) var lineOffset = 0

    /// A stream over what `open` gives, which it calls again to go back further than its buffer.
    init(open: @escaping () throws -> ByteSource) throws {
        self.open = open
        source = try open()
    }

    var damage: StorylineError? { source.damage }

    /// The stream offset of the next byte.
    var offset: Int { base + start }

    /// Reads more into the buffer (moving what is left to its front); false at the end.
    private func fill() throws -> Bool {
        if atEnd { return false }
        if start > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
            }
            base += start
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let n = try buffer.withUnsafeMutableBufferPointer { try source.read($0.baseAddress! + end, $0.count - end) }
        if n == 0 { atEnd = true; return false }
        end += n
        return true
    }

    /// The next line without its `\r\n` or `\n` (at most 64 KiB are looked at), or nil at the end.
    func line() throws -> [UInt8]? {
        while true {
            if let nl = buffer[start..<end].firstIndex(of: 0x0A) {
                lineOffset = base + start
                var line = Array(buffer[start..<nl])
                if line.last == 0x0D { line.removeLast() }
                start = nl + 1
                return line
            }
            if end - start > 1 << 16 {
                // No newline where a header line should end: hand it out as it is.
                lineOffset = base + start
                let line = Array(buffer[start..<end])
                start = end
                return line
            }
            if try !fill() {
                guard start < end else { return nil }
                lineOffset = base + start
                let line = Array(buffer[start..<end])
                start = end
                return line
            }
        }
    }

    /// Puts the line just read back (it is still in the buffer: nothing was read since).
    func unreadLine() { start = lineOffset - base }

    /// Up to `count` bytes (fewer only at the end of the stream).
    func read(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(count, 1 << 24))
        while out.count < count {
            if start == end, try !fill() { break }
            let n = min(count - out.count, end - start)
            out += buffer[start..<(start + n)]
            start += n
        }
        return out
    }

    /// Skips up to `count` bytes; returns how many there were.
    func skip(_ count: Int) throws -> Int {
        var skipped = 0
        while skipped < count {
            if start == end, try !fill() { break }
            let n = min(count - skipped, end - start)
            start += n
            skipped += n
        }
        return skipped
    }

    /// Goes back (or on) to a stream offset: within the buffer when it still holds it, else by
    /// reading the source again from its start, when it is a regular file and has been read again
    /// fewer than ``maxReopens`` times (a file of many lying records must not be read a quadratic
    /// number of times; a pipe cannot be). False when it could not go back: the stream is where it was.
    func rewind(to target: Int) throws -> Bool {
        if target >= base && target <= base + end {
            start = target - base
            return true
        }
        guard reopens < Self.maxReopens, isRegularFile else { return false }
        reopens += 1
        source = try open()
        base = 0; start = 0; end = 0; atEnd = false
        _ = try skip(target)
        return true
    }

    static let maxReopens = 16
    private var reopens = 0
    private lazy var isRegularFile: Bool = {
        var info = stat()
        return stat(source.path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }()

    /// Puts bytes back in front of the stream, as if not yet read.
    private func unread(_ bytes: ArraySlice<UInt8>) {
        buffer = Array(bytes) + buffer[start..<end] + [UInt8](repeating: 0, count: 1 << 16)
        base = base + start - bytes.count
        end = end - start + bytes.count
        start = 0
    }

    /// What follows a block: looked at, not read.
    enum BlockEnd {
        /// A record, or the end of the stream (after any blank lines).
        case record
        /// The blank line that closes a record, then something that is no record.
        case closed
        /// The block's bytes go on: its length was short.
        case continues
    }

    func blockEnd() throws -> BlockEnd {
        while end - start < 64, try fill() {}
        var i = start, newlines = 0
        while i < end, buffer[i] == 0x0D || buffer[i] == 0x0A {
            if buffer[i] == 0x0A { newlines += 1 }
            i += 1
        }
        if i == end { return atEnd ? .record : (newlines >= 2 ? .closed : .continues) }
        let k = Self.lineEnd(buffer, from: i, before: end)
        if (k < end || atEnd) && Self.isVersionLine(buffer[i..<k]) { return .record }
        return newlines >= 2 ? .closed : .continues
    }

    /// Finds the next record start (a version line after a blank line): first in `content`, the
    /// block just read (whose declared length ran past it), then onward in the stream. The stream
    /// is left at it; its offset, or nil when none follows.
    func resync(within content: [UInt8]?) throws -> Int? {
        if let content {
            if let p = Self.recordStart(in: content) {
                let at = offset - content.count + p
                unread(content[p...])
                return at
            }
            // A record start may begin in the block's last bytes and end after it.
            unread(content.suffix(16))
        }
        // Onward, outside any block that is known: any version line.
        while let line = try line() {
            if Self.isVersionLine(line) {
                unreadLine()
                return lineOffset
            }
        }
        return nil
    }

    /// Where the line that starts at `i` ends (its CR or LF), looking at most 17 bytes and not
    /// past `end`: enough to tell a version line.
    static func lineEnd(_ bytes: [UInt8], from i: Int, before end: Int) -> Int {
        var k = i
        while k < end, k - i < 17, bytes[k] != 0x0A, bytes[k] != 0x0D { k += 1 }
        return k
    }

    /// A version line: `WARC/` and a version, digits, a dot and digits (`WARC/1.0`, `WARC/1.1`,
    /// old Heritrix's `WARC/0.17`).
    static func isVersionLine<C: Collection>(_ line: C) -> Bool where C.Element == UInt8 {
        let bytes = Array(line.prefix(17))
        guard bytes.count <= 16, bytes.count >= 8, bytes[0..<5].elementsEqual("WARC/".utf8),
              let dot = bytes[5...].firstIndex(of: 0x2E), dot > 5, dot < bytes.count - 1 else { return false }
        return bytes[5..<dot].allSatisfy { (0x30...0x39).contains($0) } && bytes[(dot + 1)...].allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The first place in `bytes` (after its first byte) where a record starts: a version line
    /// after a blank line.
    static func recordStart(in bytes: [UInt8]) -> Int? {
        var i = 2
        while i + 8 <= bytes.count {
            guard let w = bytes[i...].firstIndex(of: 0x57) else { return nil }
            i = w
            if i + 8 > bytes.count { return nil }
            let k = lineEnd(bytes, from: i, before: bytes.count)
            if bytes[i - 1] == 0x0A && (bytes[i - 2] == 0x0A || (bytes[i - 2] == 0x0D && i >= 3 && bytes[i - 3] == 0x0A))
                && isVersionLine(bytes[i..<k]) {
                return i
            }
            i += 1
        }
        return nil
    }
}
