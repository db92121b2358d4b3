internal import CZlib
internal import CZstd
import Foundation
import StorylineCore

/// Reads a file in large chunks and hands out its lines as bytes, without reading the whole
/// file into memory: memory is bounded by the chunk size and the longest line, and a line is
/// never longer than ``maxRecordBytes``: a longer one is read past (its bytes counted, not kept)
/// and handed out as an ``oversized(_:)`` marker line in its place, so that the reader names it
/// and every other line is still read. Memory: two buffers of at most the limit (plus one byte).
///
/// A gzip- or zstd-compressed file (recognized by its magic bytes, whatever its name) is
/// decompressed as it streams (``ByteSource``); a file compressed otherwise (bzip2, xz, zip) is
/// refused with a message that says so. A UTF-8 byte-order mark at the start of the file is dropped.
package struct LineReader {
    package let path: String
    /// Bytes read at a time (a block handed out is about this long, or one longer line).
    package var chunk = 1 << 22

    /// The longest line (record) read: 64 MiB, or `STORYLINE_MAX_RECORD_BYTES`.
    package var maxLine = LineReader.maxRecordBytes

    package init(path: String, chunk: Int = 1 << 22) {
        self.path = path
        self.chunk = chunk
    }

    /// The longest record ingest reads: 64 MiB (a news article is well under 1 MiB), or
    /// `STORYLINE_MAX_RECORD_BYTES`.
    package static let maxRecordBytes: Int = {
        if let given = ProcessInfo.processInfo.environment["STORYLINE_MAX_RECORD_BYTES"].flatMap(Int.init), given >= 1024 { return given }
        return 64 << 20
    }()

    /// The line handed out in place of one longer than the limit: a NUL byte (no text record
    /// starts with one), a word, and the line's length in bytes.
    static let marker = Array("\u{0}oversized-line ".utf8)

    /// The length of the line this marker stands for, or nil when `line` is a line of the file.
    package static func oversized(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard line.count > marker.count, line.first == 0, line.starts(with: marker) else { return nil }
        return Int(String(decoding: UnsafeBufferPointer(rebasing: line[marker.count...]), as: UTF8.self))
    }

    /// What a reader says of an oversized line.
    package static func oversizedProblem(_ bytes: Int) -> String {
        "record of \(bytes) bytes is over the limit of \(maxRecordBytes) (STORYLINE_MAX_RECORD_BYTES): skipped"
    }

    /// Calls `body(lineNumber, bytes)` for each line (1-based; `\n` or `\r\n` removed).
    /// A final line without a newline is delivered too.
    package func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var lineNumber = 0
        try forEachBlock { block in
            try Self.forEachLine(in: block) { line in
                lineNumber += 1
                try body(lineNumber, line)
            }
        }
    }

    /// Calls `body` with blocks of whole lines, in file order: every block but the last ends
    /// with `\n` (the last may not, when the file does not). Lines are never split between blocks.
    /// The next chunk is read on another thread while `body` runs.
    package func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let fd = try ByteSource(path: path)
        // Two buffers: `body` sees one while the next chunk is read into the other.
        var capacity = max(min(chunk, maxLine + 1), 1)
        var current = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var next = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { current.deallocate(); next.deallocate() }
        var filled = try fd.read(current, capacity)
        var eof = filled < capacity
        // A byte-order mark is not part of the first line.
        if filled >= 3, current[0] == 0xEF, current[1] == 0xBB, current[2] == 0xBF {
            (current + 0).update(from: current + 3, count: filled - 3)
            filled -= 3
            if !eof { filled += try fd.read(current + filled, capacity - filled) }
            eof = filled < capacity
        }
        while true {
            // Everything up to the last newline (everything, at the end of the file).
            var end = filled
            if !eof {
                while end > 0 && current[end - 1] != 0x0A { end -= 1 }
                if end == 0 && filled > maxLine {
                    // A line over the limit: read past its end, keeping nothing of it, and hand out
                    // the marker in its place; the bytes after its newline stay first in the buffer.
                    var length = filled
                    var rest = 0
                    while true {
                        let n = try fd.read(current, capacity)
                        if let nl = memchr(current, 0x0A, n) {
                            let at = current.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                            length += at
                            rest = n - at - 1
                            (current + 0).update(from: current + at + 1, count: rest)
                            eof = n < capacity
                            break
                        }
                        length += n
                        if n < capacity { eof = true; break }
                    }
                    var line = Self.marker + Array("\(length)\n".utf8)
                    try line.withUnsafeMutableBufferPointer { try body(UnsafeBufferPointer($0)) }
                    filled = rest
                    if !eof {
                        let n = try fd.read(current + filled, capacity - filled)
                        filled += n
                        eof = filled < capacity
                    }
                    if filled == 0 && eof {
                        if let damage = fd.damage { throw damage }
                        return
                    }
                    continue
                }
                if end == 0 {
                    // A line longer than the buffer: double both (up to the limit) and read on.
                    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: min(2 * capacity, maxLine + 1))
                    grown.update(from: current, count: filled)
                    current.deallocate(); next.deallocate()
                    current = grown
                    capacity = min(2 * capacity, maxLine + 1)
                    next = .allocate(capacity: capacity)
                    let n = try fd.read(current + filled, capacity - filled)
                    filled += n
                    eof = filled < capacity
                    continue
                }
            }
            // The unfinished line goes first in the other buffer; the rest of it is read behind,
            // on another thread, while `body` runs.
            let carried = filled - end
            next.update(from: current + end, count: carried)
            let pending = PendingRead()
            if !eof {
                nonisolated(unsafe) let target = next + carried
                let room = capacity - carried, source = fd
                DispatchQueue.global().async {
                    do { pending.count = try source.read(target, room) } catch { pending.error = error }
                    pending.done.signal()
                }
            } else {
                pending.done.signal()
            }
            do {
                if end > 0 { try body(UnsafeBufferPointer(start: current, count: end)) }
            } catch {
                pending.done.wait()   // the reader thread must be done with the buffer first
                throw error
            }
            pending.done.wait()
            if let error = pending.error { throw error }
            if eof {
                if let damage = fd.damage { throw damage }
                return
            }
            swap(&current, &next)
            filled = carried + pending.count
            eof = filled < capacity
        }
    }

    /// A read running on another thread.
    private final class PendingRead: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var count = 0
        var error: Error?
    }

    /// Calls `body` with each line of a block (`\n` or `\r\n` removed; a last line without a
    /// newline included).
    @inline(__always)
    package static func forEachLine(in block: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard let base = block.baseAddress else { return }
        var start = 0
        while start < block.count {
            let end: Int
            if let nl = memchr(base + start, 0x0A, block.count - start) {
                end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            } else {
                end = block.count
            }
            var lineEnd = end
            if lineEnd > start, block[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            try body(UnsafeBufferPointer(rebasing: block[start..<lineEnd]))
            start = end + 1
        }
    }
}

/// The bytes of a file: read as they are, or decompressed as they stream when the file is gzip
/// (zlib's gzread, which also reads concatenated gzip members) or zstd (libzstd's streaming
/// decoder, concatenated frames too), whatever its name. One reader at a time.
final class ByteSource: @unchecked Sendable {
    let path: String
    private enum Backend { case gzip(gzFile), zstd(ZstdStream) }
    private let backend: Backend

    /// Compressions recognized by their first bytes that are not read: the message to give.
    private static let unsupported: [([UInt8], String)] = [
        ([0x42, 0x5A, 0x68], "bzip2-compressed (decompress it first: bunzip2)"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz-compressed (decompress it first: unxz)"),
        ([0x50, 0x4B, 0x03, 0x04], "a zip archive (unzip it first)"),
    ]
    static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StorylineError(.io, "is a folder, not a file (use --format text for folders of pages)", file: path)
        }
        guard let f = fopen(path, "rb") else {
            throw StorylineError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        var magic = [UInt8](repeating: 0, count: 6)
        let n = fread(&magic, 1, 6, f)
        for (prefix, what) in Self.unsupported where n >= prefix.count && Array(magic[0..<prefix.count]) == prefix {
            fclose(f)
            throw StorylineError(.badInput, "the file is \(what)", file: path)
        }
        if n >= 4, Array(magic[0..<4]) == Self.zstdMagic {
            rewind(f)
            backend = .zstd(ZstdStream(file: f))
            return
        }
        fclose(f)
        guard let gz = gzopen(path, "rb") else {
            throw StorylineError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        gzbuffer(gz, 1 << 17)
        backend = .gzip(gz)
    }

    deinit {
        if case .gzip(let gz) = backend { gzclose(gz) }
    }

    /// Set at the end of a damaged compressed file; thrown after its last good bytes are handed out.
    private(set) var damage: StorylineError?

    /// Reads up to `count` bytes into `buffer`; fewer only at the end of the file.
    func read(_ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) throws -> Int {
        switch backend {
        case .gzip(let gz): return try readGzip(gz, buffer, count)
        case .zstd(let z):
            let (n, problem) = z.read(buffer, count)
            if let problem, damage == nil {
                damage = StorylineError(.io, problem, file: path)
            }
            return n
        }
    }

    private func readGzip(_ gz: gzFile, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) throws -> Int {
        var total = 0
        while total < count {
            let n = gzread(gz, buffer + total, UInt32(min(count - total, 1 << 30)))
            if n < 0 || (n == 0 && gzeof(gz) == 0) {
                var code: Int32 = 0
                let message = gzerror(gz, &code).map { String(cString: $0) } ?? "read failed"
                throw StorylineError(.io, "read failed: \(message)", file: path)
            }
            if n == 0 { break }
            total += Int(n)
        }
        if total < count && damage == nil {
            // gzread reports a truncated gzip stream only through gzerror, at the end: what was
            // decompressed before is delivered, and the damage reported after it.
            var code: Int32 = 0
            var message = gzerror(gz, &code).map { String(cString: $0) } ?? ""
            if message.hasPrefix(path + ": ") { message.removeFirst(path.count + 2) }
            if code != Z_OK && code != Z_STREAM_END {
                damage = StorylineError(.io, "\(message): the gzip file is truncated or damaged (the records before this point were read)", file: path)
            }
        }
        return total
    }
}

/// libzstd's streaming decoder over a file.
final class ZstdStream {
    private let file: UnsafeMutablePointer<FILE>
    private let context: OpaquePointer
    private var input: [UInt8] = [UInt8](repeating: 0, count: 1 << 17)
    private var inputSize = 0, inputPosition = 0
    private var endOfFile = false
    /// Whether a frame was begun and not finished.
    private var midFrame = false
    private var failed = false

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        context = ZSTD_createDStream()
        ZSTD_initDStream(context)
    }

    deinit {
        ZSTD_freeDStream(context)
        fclose(file)
    }

    static let damaged = "the zstd file is truncated or damaged (the records before this point were read)"

    /// Up to `count` decompressed bytes; fewer only at the end, with what went wrong if the data did.
    func read(_ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> (Int, String?) {
        if failed { return (0, nil) }
        var output = ZSTD_outBuffer(dst: buffer, size: count, pos: 0)
        while output.pos < count {
            if inputPosition == inputSize && !endOfFile {
                inputSize = input.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                inputPosition = 0
                if inputSize == 0 { endOfFile = true }
            }
            if inputPosition == inputSize && endOfFile {
                if midFrame { failed = true; return (output.pos, "the last zstd frame ends early: \(Self.damaged)") }
                break
            }
            let ret = input.withUnsafeBytes { raw -> Int in
                var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: inputSize, pos: inputPosition)
                let r = ZSTD_decompressStream(context, &output, &inBuffer)
                inputPosition = inBuffer.pos
                return r
            }
            if ZSTD_isError(ret) != 0 {
                failed = true
                if ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge {
                    return (output.pos, "the zstd file was compressed with a window larger than 128 MiB (zstd --long=28 or more), "
                        + "more memory than this reader gives a window: decompress it first (zstd -d --long=31 FILE), "
                        + "or compress it without --long")
                }
                return (output.pos, "\(String(cString: ZSTD_getErrorName(ret))): \(Self.damaged)")
            }
            midFrame = ret != 0
        }
        return (output.pos, nil)
    }
}

/// zlib's inflate over bytes in memory: gzip or zlib streams (told apart by their header), or raw
/// deflate (what some servers send as `Content-Encoding: deflate`).
enum Inflater {
    /// The decompressed bytes, at most `limit` of them; nil when the data is not deflate.
    static func inflate(_ input: [UInt8], limit: Int) -> [UInt8]? {
        if let out = run(input, windowBits: 15 + 32, limit: limit) { return out }
        return run(input, windowBits: -15, limit: limit)
    }

    private static func run(_ input: [UInt8], windowBits: Int32, limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while true {
                let (code, produced) = chunk.withUnsafeMutableBufferPointer { c -> (Int32, Int) in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    let code = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (code, c.count - Int(stream.avail_out))
                }
                out += chunk[0..<produced]
                if code == Z_STREAM_END { return Z_STREAM_END }
                if code != Z_OK || out.count > limit { return code == Z_OK ? Z_MEM_ERROR : code }
                // The input ran out before the stream ended: a cut-off body; keep what came.
                if stream.avail_in == 0 && produced == 0 { return Z_BUF_ERROR }
            }
        }
        if status == Z_STREAM_END || (status == Z_BUF_ERROR && !out.isEmpty) { return out }
        return nil
    }
}
