import Foundation

/// Reports progress of long work: a redrawn bar on a terminal, plain log lines otherwise.
///
/// All output goes to standard error so that standard output stays parseable.
public final class ProgressReporter: @unchecked Sendable {
    public enum Style: Sendable { case automatic, bar, lines, silent }

    private let style: Style
    private let lock = NSLock()
    private var label = ""
    private var total = 0
    private var done = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    public init(style: Style = .automatic) {
        if style == .automatic {
            self.style = isatty(STDERR_FILENO) != 0 ? .bar : .lines
        } else {
            self.style = style
        }
    }

    /// Starts a stage of `total` units (0 when unknown).
    public func begin(_ label: String, total: Int) {
        lock.lock(); defer { lock.unlock() }
        self.label = label
        self.total = total
        self.done = 0
        self.started = Date()
        self.lastDraw = .distantPast
    }

    /// Advances the current stage by `n` units.
    public func advance(_ n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard style == .bar else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        draw(final: false)
    }

    /// Ends the current stage with a one-line summary.
    public func end(_ summary: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        let seconds = Date().timeIntervalSince(started)
        let text = summary ?? "\(done) done"
        switch style {
        case .bar:
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(text) in \(Self.seconds(seconds))\n".utf8))
        case .lines:
            log("\(label): \(text) in \(Self.seconds(seconds))")
        case .silent, .automatic:
            break
        }
    }

    /// A log line (plain style) or a line above the bar.
    public func log(_ message: String) {
        guard style != .silent else { return }
        let prefix = style == .bar ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data("\(prefix)storyline: \(message)\n".utf8))
    }

    private func draw(final: Bool) {
        let width = 30
        var line = "\r\u{1B}[K\(label) "
        if total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "]"
            line += " \(Int(fraction * 100))% \(done)/\(total)"
        } else {
            line += "\(done)"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }
}
