/// An error a caller can match on: a stable ``Code``, a message for people, and where in
/// the input it happened (`file:line`) when the input is to blame.
public struct StorylineError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input is malformed (a bad record under `--strict`, an unreadable dump).
        public static let badInput = Code("bad-input")
        /// A file could not be opened, read or written.
        public static let io = Code("io")
        /// The store failed or has an unexpected schema.
        public static let store = Code("store")
        /// The store's server cannot be reached, or the connection to it was lost (PostgreSQL):
        /// trying again later may succeed.
        public static let unavailable = Code("unavailable")
        /// A model or profile file is missing, malformed or of an unknown version.
        public static let model = Code("model")
        /// The caller asked for something that cannot be done (bad option values).
        public static let usage = Code("usage")
        /// Another process holds the store.
        public static let busy = Code("busy")
    }

    public var code: Code
    public var message: String
    /// The input file, when the input is to blame.
    public var file: String?
    /// The 1-based line (record start) within ``file``.
    public var line: Int?
    /// The error underneath, if any.
    public var underlying: String?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.underlying = underlying
    }

    public var description: String {
        var location = ""
        if let file {
            location = line.map { "\(file):\($0): " } ?? "\(file): "
        }
        let cause = underlying.map { " (\($0))" } ?? ""
        return location + message + cause
    }
}
