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
    /// The next chunk is read on another thread while `body` runs.
    func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let fd = fopen(path, "rb") else {
            throw StorylineError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { fclose(fd) }
        // Two buffers: `body` sees one while the next chunk is read into the other.
        var capacity = max(chunk, 1)
        var current = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var next = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { current.deallocate(); next.deallocate() }
        var filled = fread(current, 1, capacity, fd)
        var eof = filled < capacity
        while true {
            if eof && ferror(fd) != 0 { throw StorylineError(.io, "read failed", file: path) }
            // Everything up to the last newline (everything, at the end of the file).
            var end = filled
            if !eof {
                while end > 0 && current[end - 1] != 0x0A { end -= 1 }
                if end == 0 {
                    // A line longer than the buffer: double both and read on.
                    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * capacity)
                    grown.update(from: current, count: filled)
                    current.deallocate(); next.deallocate()
                    current = grown
                    capacity *= 2
                    next = .allocate(capacity: capacity)
                    let n = fread(current + filled, 1, capacity - filled, fd)
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
                nonisolated(unsafe) let target = next + carried, file = fd
                let room = capacity - carried
                DispatchQueue.global().async {
                    pending.count = fread(target, 1, room, file)
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
            if eof { return }
            swap(&current, &next)
            filled = carried + pending.count
            eof = filled < capacity
        }
    }

    /// A read running on another thread.
    private final class PendingRead: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var count = 0
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
