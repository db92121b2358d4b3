import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors
import StorylineSimilarity
import StorylineCluster
import StorylineStore
import StorylineReport
/// What a clustering pass did.
public struct ClusterSummary: Sendable, Codable {
    public var articles = 0
    public var storiesNew = 0
    public var storiesGrown = 0
    public var storiesMerged = 0
    public var storiesClosed = 0
    public var storylinesNew = 0
    public var storylinesMerged = 0
    public var candidates = 0
    public var edges = 0
    public var pairsInWindow = 0
    public var denseGFLOPS = 0.0
    public var similaritySeconds = 0.0
    public var clusterSeconds = 0.0
}

/// The cluster stage: puts every vectorized article not yet in a story into one.
///
/// New articles are clustered together with the articles of the stories (closed ones too: a late
/// article reopens its story) that lie in their time window (articles outside it can have no edge
/// to them; they count only in their story's size, so averages are still over whole stories); those stories start as groups, so a story keeps its
/// id as it grows and new articles either join one or form new stories (see ``StoryPlanner``).
/// Finally, stories quiet for `closeAfterDays` before the store's clock close (and reopen when an
/// article of their days arrives later). All writes of a pass are one transaction.
///
/// Four steps, each its own function: ``load`` (term counts from the store into TF-IDF rows),
/// the similarity search (``CandidateSearch``), ``link`` (average linkage with the stories as
/// groups), and ``commit`` (the planner's ``StoryChanges`` into the store).
struct StoryClusterer {
    let store: any TermCountStore & StoryStore & ArticleStore
    let profile: Profile
    let runID: Int64
    let progress: ProgressReporter
    /// Compare the graph with a brute-force one and log the recall (slow; for measurement).
    var measureRecall = false
    /// The dense stage's kernel (automatic: the best this CPU runs).
    var denseKernel = CandidateSearch.DenseKernel.automatic
    /// Split the similarity search into this many pieces that `storyline work` processes share
    /// through the store (1: search here alone; needs a store that keeps work, PostgreSQL).
    var pieces = 1
    /// How long a worker's claim on a piece holds (seconds).
    var lease = 300.0

    /// The articles one pass clusters: first those of the stories the new ones' window reaches
    /// (`settled` of them), then the new ones; one TF-IDF row each.
    struct Input {
        var rows = SparseRows()
        var items: [ArticleRef] = []
        var settled = 0
        /// Whole sizes of the stories read, for averages over whole stories.
        var storySizes: [Int64: Int] = [:]
        /// The N of idf and the vocabulary's size when the input was read (the rows depend on them).
        var documents = 0
        var terms = 0
        /// Each item's place in the arrival-independent order ties break by (``arrivalFreeOrder``).
        var order: [Int32] = []
        var newCount: Int { items.count - settled }
    }

    func run() throws -> ClusterSummary {
        var summary = ClusterSummary()
        let span = try store.unclusteredSpan()
        guard span.count > 0 else {
            // Nothing new; stories not linked yet (a store from before storylines) are linked now.
            try store.transaction { try linkStorylines(summary: &summary) }
            return summary
        }
        var clock = Stopwatch()
        progress.begin("similarity", total: 0)
        var input = try load(span)
        let loadSeconds = clock.seconds
        let days = input.items.map { $0.published.map { $0 / 86400 } }
        var search = CandidateSearch(profile: profile)
        search.kernel = denseKernel
        let edges: [SimilarityEdge], stats: CandidateSearch.Stats
        if pieces > 1 {
            guard let work = store.sharedWork else { throw Self.notShared(store) }
            (edges, stats, _) = try SplitSearch(store: work, search: search, input: input, progress: progress)
                .coordinate(pieces: pieces, lease: lease, runID: runID)
        } else {
            (edges, stats) = search.edges(rows: input.rows, days: days, settled: input.items.indices.map { $0 < input.settled }) { [input] a, b in
                a < input.settled && b < input.settled && input.items[a].storyID == input.items[b].storyID
            }
        }
        if measureRecall { logRecall(of: edges, input: input, days: days, candidates: stats.candidates) }
        // The rows (a million articles: 2.4 GB) are not needed past the search: free them before linkage.
        input.rows = SparseRows()
        summary.candidates = stats.candidates
        summary.edges = stats.edges
        summary.pairsInWindow = stats.pairsInWindow
        summary.denseGFLOPS = stats.denseSeconds > 0 ? stats.denseFlops / stats.denseSeconds / 1e9 : 0
        summary.similaritySeconds = clock.restart()
        progress.end("\(input.items.count) articles (\(input.newCount) new), \(stats.pairsInWindow) pairs in window, \(stats.candidates) candidates, \(stats.edges) edges, dense \(String(format: "%.1f", summary.denseGFLOPS)) GFLOP/s (\(stats.kernel) sketches; reading the counts \(String(format: "%.1f", loadSeconds)) s)")

        progress.begin("cluster", total: 0)
        var step = Stopwatch()
        var labels = link(input, edges)
        let articleNames = try splitTwins(input, &labels)
        let linkSeconds = step.restart()
        let changes = try commit(input, labels: labels, edges: edges, articleNames: articleNames, summary: &summary)
        let commitSeconds = step.restart()
        summary.storiesNew = changes.newCount
        summary.storiesGrown = changes.grownCount
        summary.storiesMerged = changes.mergedCount
        summary.articles = input.newCount
        summary.clusterSeconds = clock.restart()
        progress.end("\(summary.storiesNew) new stories, \(summary.storiesGrown) grown, \(summary.storylinesNew) new storylines, \(summary.storylinesMerged) merged (linkage \(String(format: "%.1f", linkSeconds)) s, "
                     + "writing \(String(format: "%.1f", commitSeconds)) s)")
        return summary
    }

    /// A worker's part (`storyline work`): joins the passes coordinators open, searching pieces,
    /// until no pass has been open for `idle` seconds. Returns the pieces it searched.
    func work(idle: Double, vectorizer: Vectorizer) throws -> Int {
        var done = 0
        var sinceWork = Stopwatch()   // monotonic: a clock set back or forward does not end the wait
        var loaded: (pass: Int64, split: SplitSearch)? = nil
        var refused: Int64? = nil
        while true {
            guard let pass = try workStore().activePass(), pass.id != refused else {
                if sinceWork.seconds >= idle { return done }
                usleep(500_000)
                continue
            }
            if pass.kind == .analyze {
                guard pass.fingerprint == vectorizer.fingerprint else {
                    progress.log("pass \(pass.id): this process's profile differs from the coordinator's: not joining its analysis", level: .warning)
                    refused = pass.id
                    continue
                }
                let n = try vectorizer.analyze(pass, in: try workStore())
                done += n
                if n > 0 { progress.log("pass \(pass.id): \(n) pieces analyzed here") }
                sinceWork = Stopwatch()
                usleep(200_000)
                continue
            }
            if loaded?.pass != pass.id {
                loaded = nil
                var search = CandidateSearch(profile: profile)
                search.kernel = denseKernel
                let (input, rows) = try loadArticles(try store.unclusteredSpan(), search: search)
                var split = SplitSearch(store: try workStore(), search: search, input: input, progress: progress)
                split.rowsForPiece = rows
                guard split.fingerprint == pass.fingerprint else {
                    progress.log("pass \(pass.id): this process's input, profile or sketch arithmetic differs from the coordinator's (another Models/ folder or profile? a CPU without int8 sketches?): not joining", level: .warning)
                    refused = pass.id
                    continue
                }
                loaded = (pass.id, split)
                progress.log("joined pass \(pass.id): \(split.input.items.count) articles, \(pass.pieces.count) pieces")
            }
            let n = try loaded!.split.work(on: pass)
            done += n
            if n > 0 { progress.log("pass \(pass.id): \(n) pieces searched here (store calls \(String(format: "%.2f", loaded!.split.clock.storeSeconds)) s)") }
            sinceWork = Stopwatch()
            usleep(200_000)   // pieces left are held by others: one may come free when a lease runs out
        }
    }

    /// A worker's input: the pass's articles without their rows, and a way to read the rows a
    /// piece needs (its blocks and their partners'), so a worker's memory follows its piece.
    func loadArticles(_ span: TimeSpan, search: CandidateSearch) throws -> (Input, (WorkPiece) throws -> SparseRows) {
        let work = try workStore()
        let vocabulary = try store.loadVocabulary()
        let documents = try store.documentCount()
        let weighting = TFIDFWeighting(profile.analyzer, vocabulary: vocabulary, documentCount: documents, canonical: true)
        let (settled, new, sizes) = try work.passArticles(near: span, window: min(profile.windowDays, 1e7) * 86400)
        var input = Input()
        input.items = settled + new
        input.settled = settled.count
        input.storySizes = sizes
        input.documents = documents
        input.terms = vocabulary.count
        let items = input.items
        let days = items.map { $0.published.map { $0 / 86400 } }
        let rows = { (piece: WorkPiece) throws -> SparseRows in
            let needed = search.rowsNeeded(days: days, outerBlocks: piece.blocks)
            var counts: [Int64: [UInt8]] = [:]
            try work.terms(of: needed.map { items[$0].seq }) { seq, terms in counts[seq] = Array(terms.bytes) }
            var rows = SparseRows()
            for item in items {
                if let bytes = counts[item.seq] {
                    bytes.withUnsafeBytes { weighting.appendRow(EncodedTerms($0), to: &rows) }
                } else {
                    rows.append(indices: [], values: [])
                }
            }
            return rows
        }
        return (input, rows)
    }

    /// Why `--pieces` cannot be used on `store`.
    static func notShared(_ store: any StoreBase) -> StorylineError {
        StorylineError(.usage, "--pieces needs a store that workers share (a PostgreSQL store): this one is one machine's", file: store.location)
    }

    private func workStore() throws -> any ClusterWorkStore {
        guard let work = store.sharedWork else {
            throw StorylineError(.usage, "workers share a PostgreSQL store: `storyline work --db postgres://...`", file: store.location)
        }
        return work
    }

    /// Reads the stored term counts of the new articles and of the stories their window reaches
    /// straight into one CSR of TF-IDF rows (idf from the store's document frequencies).
    func load(_ span: TimeSpan) throws -> Input {
        let vocabulary = try store.loadVocabulary()
        let documents = try store.documentCount()
        let weighting = TFIDFWeighting(profile.analyzer, vocabulary: vocabulary, documentCount: documents, canonical: true)
        var input = Input()
        input.documents = documents
        input.terms = vocabulary.count
        input.storySizes = try store.forEachStoryArticle(near: span, window: min(profile.windowDays, 1e7) * 86400) { ref, terms in
            weighting.appendRow(terms, to: &input.rows)
            input.items.append(ref)
        }
        input.settled = input.items.count
        // Room for the new rows at once: grown by doubling, the two arrays would pass through twice
        // their final size (a million articles: about a gigabyte more at the peak). The average
        // row length is Σ df / documents; reserved pages that stay untouched cost no memory.
        let averageTerms = Double(vocabulary.documentFrequency.reduce(0) { $0 + Int($1) }) / Double(max(1, documents))
        let expected = input.rows.indices.count + Int(Double(span.count) * averageTerms * 1.25) + 1024
        input.rows.indices.reserveCapacity(expected)
        input.rows.values.reserveCapacity(expected)
        input.rows.offsets.reserveCapacity(input.rows.offsets.count + span.count + 1)
        try store.forEachUnclustered { ref, terms in
            weighting.appendRow(terms, to: &input.rows)
            input.items.append(ref)
        }
        #if DEBUG
        input.rows._checkInvariants()
        #endif
        input.order = try Self.arrivalFreeOrder(input, texts: store.texts(of:))
        return input
    }

    /// Each item's place in an order that does not depend on the order articles arrived in (their
    /// store seqs): by date (undated last), then by a hash of the item's canonical TF-IDF row (its
    /// terms and weights); articles of identical terms at the same instant (a wire copy retyped,
    /// words that are stopwords apart) by their title and text, read for them alone; then by seq,
    /// which decides only between articles that are the same text. Linkage, story ids and the
    /// story's title break ties by it.
    static func arrivalFreeOrder(_ input: Input, texts: ([Int64]) throws -> [Int64: (title: String, text: String)]) throws -> [Int32] {
        let rows = input.rows
        let keys = input.items.indices.map { k -> (Double, UInt64) in
            var h: UInt64 = 0x5107_11E5
            for j in rows.offsets[k]..<rows.offsets[k + 1] {
                h = Hashing.mix(h ^ (UInt64(UInt32(bitPattern: rows.indices[j])) << 32 | UInt64(rows.values[j].bitPattern)))
            }
            return (input.items[k].published ?? .infinity, h)
        }
        var sorted = keys.indices.sorted { (keys[$0].0, keys[$0].1, input.items[$0].seq) < (keys[$1].0, keys[$1].1, input.items[$1].seq) }
        // Runs of equal keys, each then ordered by its articles' texts.
        var ties: [Range<Int>] = []
        var start = 0
        for p in 1..<max(1, sorted.count + 1) where p == sorted.count || keys[sorted[p]] != keys[sorted[start]] {
            if p - start > 1 { ties.append(start..<p) }
            start = p
        }
        if !ties.isEmpty {
            let tied = ties.flatMap { sorted[$0] }
            let text = try texts(tied.map { input.items[$0].seq })
            let content = Dictionary(uniqueKeysWithValues: tied.map { k in
                (k, text[input.items[k].seq].map { $0.title + "\u{0}" + $0.text } ?? "")
            })
            for run in ties {
                sorted.replaceSubrange(run, with: sorted[run].sorted { (content[$0]!, input.items[$0].seq) < (content[$1]!, input.items[$1].seq) })
            }
        }
        var order = [Int32](repeating: 0, count: keys.count)
        for (p, k) in sorted.enumerated() { order[k] = Int32(p) }
        return order
    }

    /// Average linkage over the graph, the stories read starting as fixed groups (which merge only
    /// when new articles bring them together). Returns each item's cluster label.
    func link(_ input: Input, _ edges: [SimilarityEdge]) -> [Int] {
        let groups = input.items.enumerated().map { k, item in item.storyID.map { Int($0) } ?? -(k + 1) }
        let fixed = Set(input.items.prefix(input.settled).compactMap { $0.storyID.map { Int($0) } })
        // Articles of these stories outside the window: no edges here, but they count in averages.
        var outside: [Int: Int] = [:]
        for (id, size) in input.storySizes { outside[Int(id)] = size }
        for item in input.items.prefix(input.settled) { if let id = item.storyID { outside[Int(id), default: 0] -= 1 } }
        var memory = AverageLinkage.Memory()
        let labels = AverageLinkage(threshold: profile.similarity.threshold, mergeFixed: true)
            .cluster(count: input.items.count, edges: edges, groups: groups, fixed: fixed, outside: outside.filter { $0.value > 0 },
                     dated: input.items.map { $0.published != nil }, order: input.order, memory: &memory)
        progress.log("linkage: \(edges.count) edges, \(memory.bytes / 1_048_576) MiB (\(String(format: "%.1f", memory.bytesPerEdge)) bytes an edge, \(memory.itemBytes / max(1, input.items.count)) an article)", level: .debug)
        return labels
    }

    /// Splits the new stories that hold two look-alike events (``TwinSplitter``, when the profile
    /// sets `similarity.twinSplit`): those made of new articles only, at least one of them undated.
    /// Their articles' names come from their texts, read here. Returns the names found, by article
    /// seq (the storyline stage needs them too).
    func splitTwins(_ input: Input, _ labels: inout [Int]) throws -> [Int64: [String: Int]] {
        guard let threshold = profile.similarity.twinSplit else { return [:] }
        let splitter = TwinSplitter(threshold: threshold, share: profile.similarity.twinShare ?? 0.66)
        var members: [Int: [Int]] = [:]
        for (k, label) in labels.enumerated() { members[label, default: []].append(k) }
        // Each story's members in the arrival-free order, the stories by their first member.
        let candidates = members.values
            .filter { m in (splitter.minArticles...splitter.maxArticles).contains(m.count) && m.allSatisfy { $0 >= input.settled }
                && m.contains { input.items[$0].published == nil } }
            .map { $0.sorted { input.order[$0] < input.order[$1] } }
            .sorted { input.order[$0[0]] < input.order[$1[0]] }
        guard !candidates.isEmpty else { return [:] }
        let all = Array(candidates.joined())
        // The names of every article of those stories, each whole.
        let seqs = all.map { input.items[$0].seq }
        let found = StorylineStage.extract(seqs.map { [$0] }, texts: try store.texts(of: seqs), keep: .max)
        var documentFrequency: [String: Int] = [:]
        for names in found { for name in names.keys { documentFrequency[name, default: 0] += 1 } }
        var nextLabel = labels.count
        var splits = 0
        var at = 0   // `found` is in the candidates' order: each story's names are its next slice
        for story in candidates {
            defer { at += story.count }
            let parts = splitter.split(Array(found[at..<(at + story.count)]), documentFrequency: documentFrequency, documents: all.count)
            guard parts.count > 1 else { continue }
            splits += 1
            for part in parts.dropFirst() {
                for k in part { labels[story[k]] = nextLabel }
                nextLabel += 1
            }
        }
        if splits > 0 { progress.log("\(splits) stories of look-alike events split by their names", level: .debug) }
        return Dictionary(uniqueKeysWithValues: zip(seqs, found).map { ($0, $1) })
    }

    /// Plans the story changes and commits them, with the closing of quiet stories, in one transaction.
    /// `articleNames`: the names of articles found already (by seq), for the storyline stage.
    func commit(_ input: Input, labels: [Int], edges: [SimilarityEdge], articleNames: [Int64: [String: Int]],
                summary: inout ClusterSummary) throws -> StoryChanges {
        return try store.transaction {
            let changes = StoryPlanner().plan(items: input.items, labels: labels, edges: edges, firstNewID: try store.nextStoryID(),
                                              order: input.order)
            try store.commit(changes, runID: runID)
            // The store's clock: its newest plausible article date, never past the run's wall clock.
            if let latest = try store.latestPublished(notAfter: PublicationDate.latest) {
                let clock = min(latest, PublicationDate.runClock)
                summary.storiesClosed = try store.closeStories(before: clock - (profile.time.closeAfterDays ?? 14) * 86400, runID: runID)
            }
            let absorbed = Dictionary(uniqueKeysWithValues: changes.stories.filter { !$0.absorbed.isEmpty }.map { ($0.id, $0.absorbed) })
            try linkStorylines(articleNames: articleNames, absorbed: absorbed, summary: &summary)
            FaultInjection.hit("cluster-commit")
            return changes
        }
    }

    /// The storyline level (``StorylineStage``), inside the caller's transaction.
    func linkStorylines(articleNames: [Int64: [String: Int]] = [:], absorbed: [Int64: [Int64]] = [:], summary: inout ClusterSummary) throws {
        let lines = try StorylineStage(store: store, profile: profile, runID: runID, known: articleNames, absorbed: absorbed).run()
        summary.storylinesNew = lines.created
        summary.storylinesMerged = lines.merged
    }

    /// Logs the share of the brute-force graph's edges (between pairs not both settled) that the
    /// search found. Straight to stderr: a developer's measurement, wanted even where progress is silent (eval).
    func logRecall(of edges: [SimilarityEdge], input: Input, days: [Double?], candidates: Int) {
        let exact = CandidateSearch(profile: profile).bruteForce(rows: input.rows, days: days)
            .filter { !(Int($0.a) < input.settled && Int($0.b) < input.settled) }
        let found = Set(edges.map { Int64($0.a) << 32 | Int64($0.b) })
        let hit = exact.filter { found.contains(Int64($0.a) << 32 | Int64($0.b)) }.count
        let line = "recall of exact edges: \(hit)/\(exact.count) = \(String(format: "%.5f", Double(hit) / Double(max(exact.count, 1)))), \(candidates) candidates\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
