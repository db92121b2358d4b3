import Foundation
import Logging

/// Reports progress of long work: a redrawn bar on a terminal, one log line per stage otherwise
/// (through swift-log, so the program chooses the format: plain text or JSON).
///
/// The bar goes to standard error so that standard output stays parseable.
public final class ProgressReporter: @unchecked Sendable {
    public enum Style: Sendable { case automatic, bar, lines, silent }

    private let style: Style
    private let logger: Logger
    private let lock = NSLock()
    private var label = ""
    private var total = 0
    private var done = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    public init(style: Style = .automatic, logger: Logger = Logger(label: "storyline")) {
        if style == .automatic {
            self.style = isatty(STDERR_FILENO) != 0 ? .bar : .lines
        } else {
            self.style = style
        }
        self.logger = logger
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
        draw()
    }

    /// Ends the current stage with a one-line summary.
    public func end(_ summary: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        let seconds = Date().timeIntervalSince(started)
        let text = summary ?? "\(done) done"
        switch style {
        case .bar:
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            logger.info("\(label): \(text) in \(Self.seconds(seconds))", metadata: ["stage": "\(label)", "seconds": .stringConvertible(Self.round(seconds))])
        case .lines:
            logger.info("\(label): \(text) in \(Self.seconds(seconds))", metadata: ["stage": "\(label)", "seconds": .stringConvertible(Self.round(seconds))])
        case .silent, .automatic:
            break
        }
    }

    /// A log line.
    public func log(_ message: String, level: Logger.Level = .info, metadata: Logger.Metadata? = nil) {
        guard style != .silent || level >= .warning else { return }
        if style == .bar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    private func draw() {
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
    static func round(_ s: Double) -> Double { (s * 1000).rounded() / 1000 }
}

/// A swift-log handler writing one line per message to standard error: `storyline: message`
/// (plain) or one JSON object `{time, level, message, ...metadata}` (json).
public struct StderrLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case plain, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let format: Format
    let label: String

    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        let line: String
        switch format {
        case .plain:
            let prefix = level >= .warning ? "\(label): \(level): " : "\(label): "
            line = prefix + message.description
        case .json:
            var object: [String: Any] = ["time": ISODate.format(Date().timeIntervalSince1970), "level": level.rawValue,
                                            "message": message.description]
            for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) { object[k] = Self.json(v) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A metadata value as JSON: numbers and booleans given as such (`.stringConvertible(3)`) stay numbers.
    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c):
            switch c {
            case let i as Int: return i
            case let i as Int64: return i
            case let d as Double: return d.isFinite ? d : d.description
            case let b as Bool: return b
            default: return c.description
            }
        case .array(let a): return a.map(json)
        case .dictionary(let d): return d.mapValues(json)
        }
    }
}
