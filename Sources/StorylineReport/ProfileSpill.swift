import Foundation
import StorylineCore

/// The outlet profiles' scratch files: what the framing pass learns of each story's units
/// (``OutletProfiles/Use``), written as it goes into buckets by unit, so that the profile pass can
/// read one bucket at a time and find every story of a unit together, without a second walk
/// over the texts and without holding every (outlet, unit) pair in memory.
///
/// A bucket's file is chunks in story order, a chunk per story with units in the bucket: as
/// variable-length integers (7 bits a byte), the story's index less the previous chunk's and the
/// chunk's length in bytes; then its records. A record: the unit's hash (8 bytes), the length of
/// the rest (to index a bucket without reading it all), the articles using the unit (m), its
/// flags (``OutletProfiles/Use/flags``), the count of outlets using it, and per such outlet its
/// place among the story's outlets, its articles using the unit and its occurrences; for a person
/// quoted, the name's length and bytes. A story's records are encoded by the worker that framed
/// it (``encode(_:)``); only the chunks are appended in story order. The files live in a
/// directory of their own under $TMPDIR, removed with the spill (a killed report's, by the next).
final class ProfileSpill {
    let buckets: Int
    private let directory: URL
    private var buffers: [[UInt8]]
    /// Bytes written per bucket (to check what is read back).
    private var written: [Int]
    private var lastStory: [Int32]
    private let flushAt: Int
    private(set) var bytes = 0

    /// Buckets for a corpus: a power of two, 256 or more, about 3,000 articles each at most (a
    /// bucket, read whole by one core, stays near 16 MB).
    static func buckets(articles: Int) -> Int {
        var b = 256
        while b < 1 << 16 && b * 3000 < articles { b <<= 1 }
        return b
    }

    /// `flushAt`: the bytes a bucket holds in memory before they go to its file (by default up to
    /// 128 KiB, 64 MiB for all buckets at most).
    init(buckets: Int, flushAt: Int? = nil) throws {
        precondition(buckets > 0 && buckets & (buckets - 1) == 0, "a power of two")
        self.buckets = buckets
        self.flushAt = flushAt ?? max(8 * 1024, min(128 * 1024, (64 << 20) / buckets))
        buffers = [[UInt8]](repeating: [], count: buckets)
        written = [Int](repeating: 0, count: buckets)
        lastStory = [Int32](repeating: 0, count: buckets)
        Self.removeAbandoned()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(Self.prefix)\(getpid())-\(UUID().uuidString)")
        guard mkdir(directory.path, 0o700) == 0 else {
            throw StorylineError(.io, "cannot create the outlet profiles' scratch directory ($TMPDIR chooses where)", file: directory.path,
                                 underlying: String(cString: strerror(errno)))
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The scratch directories' names begin with the host's name: a $TMPDIR shared by machines
    /// holds other hosts' reports, whose processes cannot be seen from here.
    static var prefix: String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "host"
        return "storyline-profiles-\(host.replacingOccurrences(of: "/", with: "_"))-"
    }

    /// Removes this host's scratch directories of reports that were killed (their process gone).
    static func removeAbandoned() {
        let tmp = FileManager.default.temporaryDirectory, prefix = Self.prefix
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(),
                  kill(pid, 0) != 0 && errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name))
        }
    }

    @inline(__always)
    static func bucket(of unit: UInt64, buckets: Int) -> Int { Int(truncatingIfNeeded: Hashing.mix(unit)) & (buckets - 1) }

    private func path(_ b: Int) -> String { directory.appendingPathComponent("\(b).bin").path }

    /// One story's records, by bucket.
    struct Encoded {
        var bytes: [UInt8] = []
        var chunks: [(bucket: Int, range: Range<Int>)] = []
    }

    /// A story's records (``OutletProfiles/Use``), by bucket; a unit's records in the order of
    /// the story's units.
    static func encode(_ use: OutletProfiles.Use, buckets: Int) -> Encoded {
        // The units by bucket, in their order within each (a counting sort).
        let bucketOf = use.units.map { bucket(of: $0, buckets: buckets) }
        var first = [Int](repeating: 0, count: buckets + 1)
        for b in bucketOf { first[b + 1] += 1 }
        for b in 0..<buckets { first[b + 1] += first[b] }
        var order = [Int](repeating: 0, count: bucketOf.count)
        for (j, b) in bucketOf.enumerated() { order[first[b]] = j; first[b] += 1 }
        var out = Encoded(), rest: [UInt8] = []
        var k = 0
        while k < order.count {
            let b = bucketOf[order[k]], start = out.bytes.count
            while k < order.count && bucketOf[order[k]] == b {
                let j = order[k]
                var unit = use.units[j].littleEndian
                withUnsafeBytes(of: &unit) { out.bytes.append(contentsOf: $0) }
                rest.removeAll(keepingCapacity: true)
                varint(UInt64(use.with[j]), into: &rest)
                rest.append(use.flags[j])
                let used = Int(use.usedStart[j])..<Int(use.usedStart[j + 1])
                varint(UInt64(used.count), into: &rest)
                for u in used {
                    varint(UInt64(use.usedOutlet[u]), into: &rest)
                    varint(UInt64(use.usedArticles[u]), into: &rest)
                    varint(UInt64(use.usedCount[u]), into: &rest)
                }
                if use.flags[j] & 4 != 0 {
                    let label = Array((use.labels[j] ?? "").utf8)
                    varint(UInt64(label.count), into: &rest)
                    rest.append(contentsOf: label)
                }
                varint(UInt64(rest.count), into: &out.bytes)
                out.bytes += rest
                k += 1
            }
            out.chunks.append((b, start..<out.bytes.count))
        }
        return out
    }

    /// Appends one story's records: `story` its index (stories in increasing order).
    func append(_ encoded: Encoded, story: Int32) throws {
        for (b, range) in encoded.chunks {
            Self.varint(UInt64(story - lastStory[b]), into: &buffers[b])
            Self.varint(UInt64(range.count), into: &buffers[b])
            buffers[b] += encoded.bytes[range]
            lastStory[b] = story
            if buffers[b].count >= flushAt { try flush(b) }
        }
    }

    @inline(__always)
    static func varint(_ x: UInt64, into out: inout [UInt8]) {
        var x = x
        while x >= 0x80 { out.append(UInt8(truncatingIfNeeded: x) | 0x80); x >>= 7 }
        out.append(UInt8(x))
    }

    private func flush(_ b: Int) throws {
        guard !buffers[b].isEmpty else { return }
        guard let f = fopen(path(b), written[b] > 0 ? "ab" : "wb") else {
            throw StorylineError(.io, "cannot write the outlet profiles' scratch file", file: path(b), underlying: String(cString: strerror(errno)))
        }
        let n = buffers[b].withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
        let closed = fclose(f)
        guard n == buffers[b].count && closed == 0 else {
            throw StorylineError(.io, "cannot write the outlet profiles' scratch file (is the disk full? $TMPDIR chooses where)",
                                 file: path(b), underlying: String(cString: strerror(errno)))
        }
        bytes += n
        written[b] += n
        buffers[b].removeAll(keepingCapacity: true)
    }

    /// Writes what is still in memory; call once, after the last story.
    func finish() throws {
        guard !buffers.isEmpty else { return }
        for b in 0..<buckets { try flush(b) }
        buffers = []
    }

    /// One bucket's bytes, as written.
    func read(_ b: Int) throws -> [UInt8] {
        guard written[b] > 0 else { return [] }
        guard let f = fopen(path(b), "rb") else {
            throw StorylineError(.io, "cannot read the outlet profiles' scratch file", file: path(b), underlying: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var data = [UInt8](repeating: 0, count: written[b] + 1)
        let n = data.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, f) }
        guard n == written[b] else {
            throw StorylineError(.io, "the outlet profiles' scratch file holds \(n) bytes where \(written[b]) were written (changed by another process?)",
                                 file: path(b))
        }
        data.removeLast()
        return data
    }

    /// A bucket's records, in the order written: each unit's hash, story, and where the rest of
    /// the record starts (``Record``).
    static func index(_ bytes: UnsafeBufferPointer<UInt8>) -> [(unit: UInt64, story: Int32, start: Int)] {
        var out: [(unit: UInt64, story: Int32, start: Int)] = []
        var at = 0, story: Int32 = 0
        while at < bytes.count {
            story += Int32(truncatingIfNeeded: varint(bytes, &at))
            let end = Int(varint(bytes, &at)) + at
            while at < end {
                var unit: UInt64 = 0
                for i in 0..<8 { unit |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
                at += 8
                let length = Int(varint(bytes, &at))
                out.append((unit, story, at))
                at += length
            }
        }
        return out
    }

    @inline(__always)
    static func varint(_ bytes: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> UInt64 {
        var x: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = bytes[at]
            at += 1
            x |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return x }
            shift += 7
        }
    }

    /// A record's rest, from its articles using the unit on.
    struct Record {
        struct Use {
            var outlet: Int32, articles: Int32, count: Int32
        }
        let with: Int32
        let flags: UInt8
        /// Where its quoted person's name starts, and its length.
        private let labelAt: Int, labelLength: Int

        /// Reads the record at `start`; its uses (per outlet using the unit: its place among the
        /// story's outlets, articles, occurrences) are appended to `uses`.
        init(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, uses: inout [Use]) {
            var at = start
            with = Int32(truncatingIfNeeded: varint(bytes, &at))
            flags = bytes[at]
            at += 1
            let used = Int(varint(bytes, &at))
            for _ in 0..<used {
                let o = Int32(truncatingIfNeeded: varint(bytes, &at)), a = Int32(truncatingIfNeeded: varint(bytes, &at))
                uses.append(Use(outlet: o, articles: a, count: Int32(truncatingIfNeeded: varint(bytes, &at))))
            }
            labelLength = flags & 4 != 0 ? Int(varint(bytes, &at)) : 0
            labelAt = at
        }

        func label(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
            labelLength > 0 ? String(decoding: UnsafeBufferPointer(rebasing: bytes[labelAt..<labelAt + labelLength]), as: UTF8.self) : nil
        }
    }
}
