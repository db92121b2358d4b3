import Foundation
import StorylineCore
import StorylineVectors

/// An exclusive lock on a store for the commands that write to it (`ingest`, `cluster`, `run`).
///
/// An advisory `flock` on `<store>.lock`: the kernel releases it when the holder exits or is
/// killed, so a lock left by a dead process never blocks the next run. The holder writes its pid
/// into the file so that a waiting run can say who holds it.
public final class StoreLock {
    private let fd: Int32
    public let path: String

    /// Takes the lock, waiting up to `wait` seconds.
    /// - Throws: ``StorylineError/Code/busy`` when another process still holds it after the wait.
    public init(store path: String, wait: Double) throws {
        self.path = path + ".lock"
        fd = open(self.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StorylineError(.io, "cannot create lock file: \(String(cString: strerror(errno)))", file: self.path)
        }
        let waited = Stopwatch()   // monotonic, unlike the wall clock
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw StorylineError(.io, "cannot lock: \(String(cString: strerror(errno)))", file: self.path)
            }
            if waited.seconds >= wait {
                var buffer = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buffer, 31, 0)
                let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                close(fd)
                throw StorylineError(.busy, "another storyline process (pid \(holder)) is writing to this store; waited \(Int(wait)) s (use --wait SECONDS to wait longer)", file: path)
            }
            usleep(100_000)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Whether a live process holds the lock of the store at `path` (a process that died holds
    /// nothing: the kernel released its lock). Takes nothing and writes nothing.
    public static func isHeld(store path: String) -> Bool {
        let fd = open(path + ".lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
