import Foundation
import StorylineCore
import StorylineVectors

// The store's seam: what the stages need of a store, as protocols that trade in plain values
// (articles, term counts, story changes, runs). The SQLite backend (`SQLiteStore`) fills them;
// a PostgreSQL backend fills the same ones, and the contract tests (Tests/StorylineStoreTests/
// StoreContract.swift) run against every backend. No SQL leaves this target.

/// Where a store is and how its writes are grouped.
public protocol StoreBase: AnyObject {
    /// The store's location as the user named it (a path, or a URL).
    var location: String { get }

    /// Runs `body` in one write transaction: everything it writes through the store commits
    /// together or, when it throws, nothing does. Nested calls join the outer transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T

    /// What is wrong with the store, one line each (at most about `limit` per kind); empty when
    /// nothing is: every clustered article in exactly one live story, story sizes and first/last
    /// dates right, merged stories empty and pointing at a live story, vocabulary counts equal to
    /// the sums over the term counts, and (SQLite) the database's own integrity check.
    func checkInvariants(limit: Int) throws -> [String]

    /// The store's similarity search and analysis in pieces that processes on other machines
    /// share (``ClusterWorkStore``), or nil when the store is one machine's (SQLite): what
    /// `--pieces` and `storyline work` need, asked of the store rather than found by a downcast.
    var sharedWork: (any ClusterWorkStore)? { get }
}

/// Articles as ingested: inserted once, read back.
public protocol ArticleStore: StoreBase {
    /// Inserts articles with where each was read (`file:line`), skipping any whose id is already
    /// stored or whose outlet already has an article with the same title and text (see
    /// ``Article/contentHash``). Returns how many were new. Call inside a transaction.
    func insert(_ articles: [(article: Article, source: String)], runID: Int64) throws -> Int

    /// How many articles the store holds.
    func articleCount() throws -> Int

    /// The titles and texts of the articles with these sequence numbers (any order; unknown ones
    /// are left out).
    func texts(of seqs: [Int64]) throws -> [Int64: (title: String, text: String)]

    /// Articles in store order, optionally only those of one story (term counts not loaded).
    func articles(story: Int64?) throws -> [StoredArticle]

    /// The newest publication time no later than `notAfter` (the store's clock: an implausible
    /// future date written by an older build must not move it).
    func latestPublished(notAfter: Double) throws -> Double?

    /// Every clustered article with a gold story, with its gold and found story, in store order.
    func goldAndFound() throws -> [(item: ArticleLabel, gold: String, found: Int64)]
}

/// The vocabulary (feature ids, document and collection frequencies) and each article's term
/// counts under those ids.
public protocol TermCountStore: StoreBase {
    /// The whole vocabulary; ids are contiguous from 0 and never change once given.
    func loadVocabulary() throws -> Vocabulary

    /// Writes vocabulary changes: new terms inserted, known ones' counts updated. Call inside a transaction.
    func saveVocabulary(_ changes: Vocabulary.Changes) throws

    /// The N of idf: articles analyzed here plus those of an imported vectorizer model.
    func documentCount() throws -> Int

    /// How many articles are not analyzed yet.
    func unvectorizedCount() throws -> Int

    /// Up to `limit` articles not analyzed yet, in store order, after store sequence number `seq`.
    func unvectorized(after seq: Int64, limit: Int) throws -> [ArticleText]

    /// Stores each article's term counts (by store sequence number). Call inside a transaction.
    func setTerms(_ seqs: [Int64], _ terms: [ArticleTerms]) throws

    /// Makes a model the vocabulary of a store that has none yet; its documents count in N.
    /// - Throws: ``StorylineError/Code/usage`` when the store already has a vocabulary.
    func importModel(_ model: VectorizerModel) throws

    /// Stored term counts, streamed: each analyzed article not yet in a story, in store order.
    /// `body`'s ``EncodedTerms`` is valid only during the call.
    func forEachUnclustered(_ body: (ArticleRef, EncodedTerms) throws -> Void) throws

    /// Stored term counts, streamed: the analyzed articles of live stories (closed ones too: they
    /// reopen when an article joins them) that lie within `window` seconds of `span`, undated ones
    /// included, in store order. Articles outside the window can have no edge to the new ones, so
    /// they are not read: each of these stories' whole size is returned instead, for averages.
    func forEachStoryArticle(near span: TimeSpan, window: Double,
                             _ body: (ArticleRef, EncodedTerms) throws -> Void) throws -> [Int64: Int]

    /// Publication times of the analyzed articles not yet in a story.
    func unclusteredSpan() throws -> TimeSpan
}

/// Stories: committed as planned, listed, read for the report.
public protocol StoryStore: StoreBase {
    /// The next story id to give: one more than any id ever given (ids are never reused).
    func nextStoryID() throws -> Int64

    /// Applies a clustering pass's plan: creates and grows stories, records merges (absorbed stories
    /// keep their ids, point at the survivor, and hand it their articles), reopens closed stories
    /// that grow, and refreshes each story's title, size and first/last publication. Call inside a transaction.
    func commit(_ changes: StoryChanges, runID: Int64) throws

    /// Closes live open stories whose last article is before `before` (seconds). Returns how many.
    func closeStories(before: Double, runID: Int64) throws -> Int

    /// Live stories with at least `minArticles` articles whose latest article is not before `since`
    /// (undated stories always pass), by first publication (undated last), then id; each story's
    /// articles earliest first.
    func stories(since: Double?, minArticles: Int) throws -> [StorySummary]

    /// Stories that were merged into others, by id.
    func mergedStories() throws -> [StorySummary]

    /// Whether `id` is a live (not merged) story.
    func storyExists(_ id: Int64) throws -> Bool

    /// Calls `body` with each live story of at least `minArticles` articles (or only story `only`),
    /// in id order, with its articles in publication order (undated last) and their term counts.
    /// Streams: one story in memory.
    func forEachStory(minArticles: Int, only: Int64?, _ body: (_ id: Int64, _ title: String, _ articles: [StoredArticle]) throws -> Void) throws

    // Storylines: the second level (see ``StorylinePlan``).

    /// The live stories whose names are not known yet (new or changed since they were named),
    /// by id, each with its first publication and its articles' seqs.
    func unnamedStories() throws -> [(id: Int64, firstPublished: Double?, seqs: [Int64])]

    /// The live stories whose last article is not before `since` (undated ones always, every
    /// one when nil), by id, with their storyline and names (empty when not known yet).
    func storylineInputs(since: Double?) throws -> [StorylineInput]

    /// The storyline of each of these stories that has one (merged stories too: the one they had).
    func storylines(of stories: [Int64]) throws -> [Int64: Int64]

    /// Storylines merged into others, by id, each with the live storyline that holds its stories now.
    func mergedStorylines() throws -> [(id: Int64, into: Int64)]

    /// The next storyline id to give: one more than any given (ids are never reused).
    func nextStorylineID() throws -> Int64

    /// Applies a pass's storyline plan. Call inside a transaction.
    func commit(_ plan: StorylinePlan, runID: Int64) throws
}

/// A story as storyline linking reads it.
public struct StorylineInput: Sendable, Equatable {
    public var id: Int64
    public var size: Int
    public var firstPublished: Double?
    public var storyline: Int64?
    public var names: [String: Int]

    public init(id: Int64, size: Int, firstPublished: Double?, storyline: Int64?, names: [String: Int]) {
        self.id = id
        self.size = size
        self.firstPublished = firstPublished
        self.storyline = storyline
        self.names = names
    }
}

/// What a pass changes at the storyline level: the names found for stories, the storyline each
/// story (newly) belongs to, the storylines created, and those merged into others (which keep
/// their ids and point at the survivor, as merged stories do).
public struct StorylinePlan: Sendable, Equatable {
    public var names: [Int64: [String: Int]] = [:]
    public var storyline: [Int64: Int64] = [:]
    public var created: [Int64] = []
    public var merged: [Int64: Int64] = [:]
    public init() {}

    /// A story's names as stored: `name:count` separated by spaces, by name (names hold no space
    /// or colon: ``NameExtractor`` keeps letters, apostrophes and hyphens).
    public static func encode(_ names: [String: Int]) -> String {
        names.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
    }

    public static func decode(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for item in text.split(separator: " ") {
            guard let colon = item.lastIndex(of: ":"), let count = Int(item[item.index(after: colon)...]) else { continue }
            out[String(item[..<colon])] = count
        }
        return out
    }
}

/// The commands run against a store, and the lock that lets one writer in at a time.
public protocol RunStore: StoreBase {
    /// Takes the store's writer lock, waiting up to `wait` seconds; released when the returned
    /// object is, or when the process dies.
    /// - Throws: ``StorylineError/Code/busy`` when another process still holds it.
    func lockForWriting(wait: Double) throws -> WriterLock

    /// What `ingest` takes: the writer lock where one writer at a time is all the backend allows
    /// (SQLite, the default), nothing where concurrent inserts are safe (PostgreSQL: several
    /// crawlers ingest at once, beside a clustering run).
    func lockForIngest(wait: Double) throws -> WriterLock

    /// Records the start of a command; returns its run id.
    func beginRun(_ command: String) throws -> Int64

    /// Records how a run ended (`ok` or `failed`) and its summary (JSON, or the error).
    func finishRun(_ id: Int64, status: RunStatus, summary: String) throws

    /// Marks runs whose process died while `running` as `interrupted`; call while holding the writer lock.
    func markInterruptedRuns() throws

    /// Past runs, newest first; a run recorded as `running` while no process holds the writer
    /// lock is listed as `interrupted` (its process died).
    func runs(limit: Int) throws -> [RunRecord]
}

/// A clustering pass's similarity search, split into pieces that processes on many machines
/// claim from the store (PostgreSQL; the SQLite store is one machine's, and searches alone).
///
/// The process that clusters (the coordinator, holding the writer lock) opens a pass with its
/// pieces; every process that joins (`storyline work`) loads the same input, checks its
/// fingerprint, claims a piece at a time under a lease, and writes the piece's edges back with
/// the piece marked done, in one transaction. A piece whose lease ran out (its worker died or lost
/// the server) is claimed again; a late result of a piece claimed again is refused, so nothing
/// counts twice. The coordinator then reads every piece's edges and links the stories.
public protocol ClusterWorkStore: StoreBase {
    /// Opens a pass (dropping any left by a coordinator that died) of `pieces`, each a range of
    /// the search's blocks. Call while holding the writer lock.
    func openPass(kind: WorkPass.Kind, fingerprint: String, pieces: [Range<Int>], lease: Double, runID: Int64) throws -> WorkPass

    /// The open pass whose coordinator is still alive, if any.
    func activePass() throws -> WorkPass?

    /// Claims a piece of `pass` not yet done: a pending one, or one whose lease expired. Nil when
    /// every piece is done or held under a live lease.
    func claimPiece(of pass: WorkPass, worker: String) throws -> WorkPiece?

    /// Stores a piece's edges (by item index) and marks it done, if `piece` is still this
    /// worker's claim; returns false (storing nothing) when it was claimed again meanwhile.
    func finishPiece(_ piece: WorkPiece, worker: String, edges: [(a: Int32, b: Int32, weight: Float)], stats: PieceStats) throws -> Bool

    /// The numbers of the pass's pieces that are done.
    func donePieces(of pass: WorkPass) throws -> Set<Int>

    /// How many pieces of the pass are done, and how many there are.
    func progress(of pass: WorkPass) throws -> (done: Int, total: Int)

    /// Every edge of the pass's done pieces, and their statistics summed.
    func passEdges(_ pass: WorkPass, _ body: (Int32, Int32, Float) -> Void) throws -> PieceStats

    /// Removes the pass and its edges.
    func closePass(_ pass: WorkPass) throws

    /// The articles a clustering pass reads, without their term counts, in the order the pass
    /// reads them: those of ``TermCountStore/forEachStoryArticle(near:window:_:)`` (`settled`), then
    /// those of ``TermCountStore/forEachUnclustered(_:)``; with the stories' whole sizes.
    func passArticles(near span: TimeSpan, window: Double) throws -> (settled: [ArticleRef], new: [ArticleRef], storySizes: [Int64: Int])

    /// The term counts of the articles with these sequence numbers (in any order).
    func terms(of seqs: [Int64], _ body: (Int64, EncodedTerms) throws -> Void) throws

    /// The sequence numbers of the articles not analyzed yet, in order.
    func unanalyzedSeqs() throws -> [Int64]

    /// Stores an analysis piece's result and marks it done, if it is still this worker's claim:
    /// its terms in order of first sight, and its articles' counts under indices into them.
    func finishAnalysisPiece(_ piece: WorkPiece, worker: String, terms: [String], articles: [(seq: Int64, terms: ArticleTerms)]) throws -> Bool

    /// A done analysis piece's result.
    func analysisPiece(_ pass: WorkPass, number: Int) throws -> (terms: [String], articles: [(seq: Int64, terms: ArticleTerms)])
}

/// An open clustering pass.
public struct WorkPass: Sendable, Equatable {
    /// What a pass's pieces are: ranges of the search's blocks, or of sequence numbers of articles to analyze.
    public enum Kind: String, Sendable { case search, analyze }
    public var id: Int64
    public var kind: Kind = .search
    /// What the coordinator's input hashed to: a worker that loads other input must not help.
    public var fingerprint: String
    public var pieces: [Range<Int>]
    /// How long a claim holds (seconds) before another process may take the piece.
    public var lease: Double

    public init(id: Int64, kind: Kind, fingerprint: String, pieces: [Range<Int>], lease: Double) {
        self.id = id
        self.kind = kind
        self.fingerprint = fingerprint
        self.pieces = pieces
        self.lease = lease
    }
}

/// A piece of a pass, as claimed: its number, blocks, and which claim of it this is.
public struct WorkPiece: Sendable, Equatable {
    public var pass: Int64
    public var number: Int
    public var blocks: Range<Int>
    public var attempt: Int

    public init(pass: Int64, number: Int, blocks: Range<Int>, attempt: Int) {
        self.pass = pass
        self.number = number
        self.blocks = blocks
        self.attempt = attempt
    }
}

/// What a piece's search counted (read through, `stats.candidates`), how long it took, and
/// over how many pieces (when summed).
@dynamicMemberLookup
public struct PieceStats: Sendable, Equatable {
    public var counts = SearchCounts()
    public var seconds = 0.0
    public var pieces = 0

    public init() {}

    public subscript<T>(dynamicMember field: WritableKeyPath<SearchCounts, T>) -> T {
        get { counts[keyPath: field] }
        set { counts[keyPath: field] = newValue }
    }

    public mutating func add(_ other: PieceStats) {
        counts.add(other.counts)
        seconds += other.seconds
        pieces += other.pieces
    }
}

/// Everything a store does: what the pipeline holds.
public typealias StoreBackend = ArticleStore & TermCountStore & StoryStore & RunStore

extension StoreBase {
    public func checkInvariants() throws -> [String] { try checkInvariants(limit: 20) }
}

extension ArticleStore {
    public func articles() throws -> [StoredArticle] { try articles(story: nil) }
}

extension StoryStore {
    public func stories(since: Double? = nil, minArticles: Int = 1) throws -> [StorySummary] {
        try stories(since: since, minArticles: minArticles)
    }
}

extension RunStore {
    public func runs() throws -> [RunRecord] { try runs(limit: 50) }
    public func lockForIngest(wait: Double) throws -> WriterLock { try lockForWriting(wait: wait) }
}

/// Opens the store at `location`: a `postgres://` or `postgresql://` URL for a shared PostgreSQL
/// store (``PostgresStore``), else a file path for the embedded SQLite store (`":memory:"` for a
/// private in-memory one). With `readOnly`, the store must exist and nothing is written.
public func openStore(_ location: String, readOnly: Bool = false) throws -> any StoreBackend {
    if isPostgresURL(location) { return try PostgresStore(url: location, readOnly: readOnly) }
    // A device, a folder or a pipe is no store: refused before SQLite opens it (on /dev/null it
    // would leave a world-writable journal beside it in /dev).
    var info = stat()
    if location != ":memory:", stat(location, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
        let what = info.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"
        throw StorylineError(.usage, "the store must be a regular file or a path that does not exist yet: this is \(what)", file: location)
    }
    return try SQLiteStore(path: location, readOnly: readOnly)
}

/// A store's location fit for messages and logs: a PostgreSQL URL's password replaced by `***`.
public func storeLocationForDisplay(_ location: String) -> String {
    isPostgresURL(location) ? PGConnection.redact(location) : location
}

/// Whether `location` names a PostgreSQL store rather than a file.
public func isPostgresURL(_ location: String) -> Bool {
    location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
}

// MARK: - Values

/// An article as stored: its store sequence number, story, and (where read) term counts.
public struct StoredArticle: Sendable {
    public var seq: Int64
    public var article: Article
    public var storyID: Int64?
    /// The article's term counts, when the read includes them and it has been analyzed.
    public var terms: ArticleTerms?

    public init(seq: Int64, article: Article, storyID: Int64?, terms: ArticleTerms? = nil) {
        self.seq = seq
        self.article = article
        self.storyID = storyID
        self.terms = terms
    }
}

/// What the analyzer reads of an article.
public struct ArticleText: Sendable, Equatable {
    public var seq: Int64
    public var title: String
    public var text: String
    public var lang: String?

    public init(seq: Int64, title: String, text: String, lang: String?) {
        self.seq = seq
        self.title = title
        self.text = text
        self.lang = lang
    }
}

/// The publication times of a set of articles: earliest, latest (nil when none is dated), and how many.
public struct TimeSpan: Sendable, Equatable {
    public var earliest: Double?
    public var latest: Double?
    public var count: Int

    public init(earliest: Double?, latest: Double?, count: Int) {
        self.earliest = earliest
        self.latest = latest
        self.count = count
    }
}

/// A command run against the store, as `storyline runs` lists it.
public struct RunRecord: Sendable, Codable {
    public var id: Int64
    public var command: String
    public var started: String
    public var finished: String?
    public var status: RunStatus
    /// The command's summary as JSON (or the error, when it failed).
    public var summary: String?
}

/// How a run stands: `running`, `ok`, `failed` or `interrupted` (its process died). Stored and
/// printed as its raw text; a value a newer build wrote is kept as it is.
public struct RunStatus: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let running = RunStatus(rawValue: "running")
    public static let ok = RunStatus(rawValue: "ok")
    public static let failed = RunStatus(rawValue: "failed")
    public static let interrupted = RunStatus(rawValue: "interrupted")
}

/// A held writer lock: the store keeps other writers out until the last reference to it goes
/// (or the process dies).
public final class WriterLock {
    private let holder: AnyObject?

    /// A lock kept by `holder` (the backend's lock file, or its server session).
    package init(holding holder: AnyObject?) { self.holder = holder }

    /// No lock at all: where no other writer can be (a private in-memory store), or where
    /// writers may run side by side (ingest on PostgreSQL).
    package static func unneeded() -> WriterLock { WriterLock(holding: nil) }
}

/// A named schema change of a backend: applied once, in order, and recorded by name.
struct SchemaMigration {
    var name: String
    var sql: String
}

/// A story as `storyline stories` lists it.
public struct StorySummary: Sendable, Equatable {
    public var id: Int64
    public var title: String
    /// Article ids, earliest first.
    public var articles: [String]
    /// Outlets, in order of their first article.
    public var outlets: [String]
    public var firstPublished: Double?
    public var lastPublished: Double?
    /// Set on a story that was merged into another (it then has no articles).
    public var mergedInto: Int64? = nil
    public var closed = false
    /// The storyline it belongs to (nil until its pass has linked storylines).
    public var storyline: Int64? = nil
    /// Its articles whose date ingest found (in a URL, a text, a page's metadata), earliest first.
    public var inferredDates: [InferredDate] = []
    /// Its articles with no date at all.
    public var undated: [String] = []
}

/// An article's date that its record did not give: where ingest found it.
public struct InferredDate: Sendable, Equatable {
    public var id: String
    public var published: Double
    public var source: DateSource

    public init(id: String, published: Double, source: DateSource) {
        self.id = id
        self.published = published
        self.source = source
    }
}

/// How an article is named to a person: its id, outlet, date (ISO 8601) and headline.
public struct ArticleLabel: Sendable, Codable {
    public var id: String
    public var outlet: String
    public var published: String?
    public var title: String

    public init(id: String, outlet: String, published: String?, title: String) {
        self.id = id
        self.outlet = outlet
        self.published = published
        self.title = title
    }
}
