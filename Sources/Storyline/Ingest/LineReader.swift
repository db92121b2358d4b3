import Foundation

/// Reads a file in large chunks and hands out its lines as bytes, without reading the whole
/// file into memory: memory is bounded by the chunk size and the longest line.
struct LineReader {
    let path: String
    /// Bytes read at a time (a block handed out is about this long, or one longer line).
    var chunk = 1 << 22

    /// Calls `body(lineNumber, bytes)` for each line (1-based; `\n` or `\r\n` removed).
    /// A final line without a newline is delivered too.
    func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
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
    func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let fd = fopen(path, "rb") else {
            throw StorylineError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { fclose(fd) }
        var buffer = [UInt8](repeating: 0, count: chunk)
        var filled = 0   // bytes valid in buffer
        var eof = false
        while !eof {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { raw in
                fread(raw.baseAddress! + filled, 1, raw.count - filled, fd)
            }
            if n == 0 {
                if ferror(fd) != 0 { throw StorylineError(.io, "read failed", file: path) }
                eof = true
            }
            filled += n
            // Hand out everything up to the last newline (everything, at the end of the file).
            let consumed: Int = try buffer.withUnsafeBufferPointer { all in
                var end = filled
                if !eof {
                    while end > 0 && all[end - 1] != 0x0A { end -= 1 }
                }
                if end > 0 { try body(UnsafeBufferPointer(rebasing: all[0..<end])) }
                return end
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
            }
        }
    }

    /// Calls `body` with each line of a block (`\n` or `\r\n` removed; a last line without a
    /// newline included).
    @inline(__always)
    static func forEachLine(in block: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
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
