import Foundation

/// Reads a file in large chunks and hands out its lines as bytes, without reading the whole
/// file into memory: memory is bounded by the chunk size and the longest line.
struct LineReader {
    let path: String

    /// Calls `body(lineNumber, bytes)` for each line (1-based; `\n` or `\r\n` removed).
    /// A final line without a newline is delivered too.
    func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let fd = fopen(path, "rb") else {
            throw StorylineError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { fclose(fd) }
        let chunk = 1 << 22
        var buffer = [UInt8](repeating: 0, count: chunk)
        var filled = 0   // bytes valid in buffer
        var lineNumber = 0
        var eof = false
        while true {
            if !eof {
                if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
                let n = buffer.withUnsafeMutableBytes { raw in
                    fread(raw.baseAddress! + filled, 1, raw.count - filled, fd)
                }
                if n == 0 {
                    if ferror(fd) != 0 { throw StorylineError(.io, "read failed", file: path) }
                    eof = true
                }
                filled += n
            }
            // Hand out every complete line in the buffer.
            let consumed: Int = try buffer.withUnsafeBufferPointer { all in
                var start = 0
                let base = all.baseAddress!
                while start < filled {
                    guard let nl = memchr(base + start, 0x0A, filled - start) else { break }
                    let end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                    var lineEnd = end
                    if lineEnd > start, all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    lineNumber += 1
                    try body(lineNumber, UnsafeBufferPointer(rebasing: all[start..<lineEnd]))
                    start = end + 1
                }
                if eof, start < filled {
                    var lineEnd = filled
                    if all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    lineNumber += 1
                    try body(lineNumber, UnsafeBufferPointer(rebasing: all[start..<lineEnd]))
                    start = filled
                }
                return start
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
            }
            if eof { break }
        }
    }
}
