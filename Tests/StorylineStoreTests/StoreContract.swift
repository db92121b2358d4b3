import Foundation
import XCTest
import StorylineCore
import StorylineStore
import StorylineVectors
import StorylineTestSupport

/// The store's contract, written against the protocols alone (no backend's internals, no SQL):
/// what every backend must do for the stages above it. Each backend's test class runs every
/// clause on fresh stores it makes (``StoreContractTests`` for SQLite, on a file and in memory).
struct StoreContract {
    /// A fresh, empty store.
    let make: () throws -> any StoreBackend
    /// Whether the backend's writer lock keeps a second writer out (a private in-memory store has no other writer).
    var locks = true
    /// Opens the store at a location again, as another process would (nil: it cannot be, in memory).
    var reopen: ((String) throws -> any StoreBackend)? = nil
    /// Whether the backend shares clustering work with other machines (``ClusterWorkStore``).
    var shares = false

    /// Every clause, by name, for the test classes to run one by one.
    static let clauses: [(String, (StoreContract) throws -> Void)] = [
        ("insert and deduplicate", { try $0.insertAndDeduplicate() }),
        ("transactions", { try $0.transactions() }),
        ("vocabulary and term counts", { try $0.vocabularyAndTermCounts() }),
        ("model import", { try $0.modelImport() }),
        ("commit, grow and merge stories", { try $0.commitGrowAndMerge() }),
        ("close and reopen", { try $0.closeAndReopen() }),
        ("stories for the report", { try $0.storiesForTheReport() }),
        ("runs and the writer lock", { try $0.runsAndLock() }),
        ("shared work in pieces", { try $0.sharedWorkInPieces() }),
        ("storylines: names, ids and merges", { try $0.storylines() }),
    ]

    static func article(_ id: String, _ outlet: String, _ title: String, day: Double?, text: String? = nil) -> Article {
        Article(id: id, outlet: outlet, published: day.map { $0 * 86400 }, title: title, text: text ?? "Body of \(title).",
                url: "https://example.org/\(id)", lang: "en", story: "gold-\(title.prefix(1))", extra: #"{"stance":"left"}"#)
    }

    /// A store holding articles `ids`, each analyzed with one term of its own and one shared term
    /// (a small but real vocabulary), none in a story yet.
    func analyzedStore(_ articles: [Article]) throws -> (store: any StoreBackend, seqs: [String: Int64]) {
        let store = try make()
        let run = try store.beginRun("test")
        _ = try store.transaction { try store.insert(articles.map { ($0, "dump.jsonl:1") }, runID: run) }
        try analyze(store)
        let seqs = Dictionary(uniqueKeysWithValues: try store.articles().map { ($0.article.id, $0.seq) })
        return (store, seqs)
    }

    /// Gives every unanalyzed article the terms "shared" and its own title, as the vectorize stage would.
    func analyze(_ store: any StoreBackend) throws {
        var vocabulary = try store.loadVocabulary()
        let pending = try store.unvectorized(after: 0, limit: 1000)
        let terms = pending.map { a -> ArticleTerms in
            let ids = [vocabulary.intern("shared"), vocabulary.intern(a.title.lowercased())].sorted()
            return ArticleTerms(ids: ids, titleCounts: [1, 1], textCounts: [2, 0])
        }
        for t in terms { vocabulary.countDocument(t) }
        try store.transaction {
            try store.setTerms(pending.map(\.seq), terms)
            try store.saveVocabulary(vocabulary.takeChanges())
        }
    }

    // MARK: Clauses

    func insertAndDeduplicate() throws {
        let store = try make()
        let run = try store.beginRun("ingest")
        let a = Self.article("a", "X", "One", day: 1)
        let stored = try store.transaction {
            try store.insert([(a, "f:1"),
                              (Self.article("a", "Y", "Other content, same id", day: 1), "f:2"),
                              (Self.article("b", "X", "One", day: 1), "f:3"),   // same outlet, title and text
                              (Self.article("c", "Z", "One", day: nil), "f:4")], // a wire copy elsewhere, undated
                             runID: run)
        }
        XCTAssertEqual(stored, 2)
        XCTAssertEqual(try store.articleCount(), 2)
        let all = try store.articles()
        XCTAssertEqual(all.map(\.article.id), ["a", "c"], "store order is insertion order")
        XCTAssertEqual(all[0].article, a, "every field comes back as stored")
        XCTAssertNil(all[1].article.published)
        XCTAssertLessThan(all[0].seq, all[1].seq)
        XCTAssertEqual(all.map(\.storyID), [nil, nil])
        // Texts by sequence number (an unknown one left out).
        let texts = try store.texts(of: [all[1].seq, all[0].seq, all[1].seq + 1000])
        XCTAssertEqual(texts.count, 2)
        XCTAssertEqual(texts[all[0].seq]?.title, "One")
        XCTAssertEqual(texts[all[0].seq]?.text, a.text)
        XCTAssertEqual(texts[all[1].seq]?.title, "One")
        // The same batch again changes nothing.
        XCTAssertEqual(try store.transaction { try store.insert([(a, "f:1")], runID: run) }, 0)
        XCTAssertEqual(try store.latestPublished(notAfter: 2 * 86400), 86400)
        XCTAssertNil(try store.latestPublished(notAfter: 0))
        XCTAssertEqual(try store.checkInvariants(), [])
    }

    func transactions() throws {
        let store = try make()
        let run = try store.beginRun("ingest")
        struct Abort: Error {}
        XCTAssertThrowsError(try store.transaction {
            _ = try store.insert([(Self.article("a", "X", "One", day: 1), "f:1")], runID: run)
            try store.transaction {   // a nested scope joins the outer one
                _ = try store.insert([(Self.article("b", "X", "Two", day: 1), "f:2")], runID: run)
            }
            throw Abort()
        })
        XCTAssertEqual(try store.articleCount(), 0, "nothing of a failed transaction is kept")
        try store.transaction { _ = try store.insert([(Self.article("a", "X", "One", day: 1), "f:1")], runID: run) }
        XCTAssertEqual(try store.articleCount(), 1)
    }

    func vocabularyAndTermCounts() throws {
        let store = try make()
        let run = try store.beginRun("ingest")
        _ = try store.transaction {
            try store.insert((1...5).map { (Self.article("a\($0)", "X", "Title \($0)", day: Double($0)), "f:\($0)") }, runID: run)
        }
        XCTAssertEqual(try store.unvectorizedCount(), 5)
        let firstTwo = try store.unvectorized(after: 0, limit: 2)
        XCTAssertEqual(firstTwo.map(\.title), ["Title 1", "Title 2"])
        XCTAssertEqual(firstTwo[0].text, "Body of Title 1.")
        XCTAssertEqual(firstTwo[0].lang, "en")
        XCTAssertEqual(try store.unvectorized(after: firstTwo[1].seq, limit: 10).map(\.title), ["Title 3", "Title 4", "Title 5"])
        XCTAssertEqual(try store.documentCount(), 0)
        try analyze(store)
        XCTAssertEqual(try store.unvectorizedCount(), 0)
        XCTAssertEqual(try store.documentCount(), 5)
        let vocabulary = try store.loadVocabulary()
        XCTAssertEqual(vocabulary.terms, ["shared", "title 1", "title 2", "title 3", "title 4", "title 5"], "ids in order given")
        XCTAssertEqual(vocabulary.documentFrequency, [5, 1, 1, 1, 1, 1])
        XCTAssertEqual(vocabulary.collectionFrequency, [15, 1, 1, 1, 1, 1])
        // The counts stream back as set, in store order, with each article's date and no story.
        var streamed: [(ArticleRef, ArticleTerms)] = []
        try store.forEachUnclustered { ref, terms in streamed.append((ref, ArticleTerms(terms))) }
        XCTAssertEqual(streamed.map(\.0.published), (1...5).map { Double($0) * 86400 })
        XCTAssertEqual(streamed.map(\.0.storyID), Array(repeating: nil, count: 5))
        XCTAssertEqual(streamed[2].1, ArticleTerms(ids: [0, 3], titleCounts: [1, 1], textCounts: [2, 0]))
        let span = try store.unclusteredSpan()
        XCTAssertEqual(span, TimeSpan(earliest: 86400, latest: 5 * 86400, count: 5))
        // Known terms' counts are updated in place; ids never change.
        try store.transaction {
            _ = try store.insert([(Self.article("a6", "X", "Title 1", day: 6, text: "Another body."), "f:6")], runID: run)
        }
        try analyze(store)
        let after = try store.loadVocabulary()
        XCTAssertEqual(after.terms, vocabulary.terms)
        XCTAssertEqual(after.documentFrequency, [6, 2, 1, 1, 1, 1])
        XCTAssertEqual(try store.checkInvariants(), [])
    }

    func modelImport() throws {
        let model = VectorizerModel(documents: 100, analyzer: .init(try Profile.load(TestPaths.root.appendingPathComponent("Models/profile.json").path).analyzer), terms: ["alpha", "beta"],
                                    documentFrequency: [10, 3], collectionFrequency: [40, 5])
        let fresh = try make()
        try fresh.importModel(model)
        XCTAssertEqual(try fresh.loadVocabulary().terms, ["alpha", "beta"])
        XCTAssertEqual(try fresh.documentCount(), 100, "the model's documents count in N")
        let (used, _) = try analyzedStore([Self.article("a", "X", "One", day: 1)])
        XCTAssertThrowsError(try used.importModel(model), "a store with a vocabulary keeps its ids") {
            XCTAssertEqual(($0 as? StorylineError)?.code, .usage)
        }
    }

    func commitGrowAndMerge() throws {
        let (store, seq) = try analyzedStore([
            Self.article("a", "X", "Quake", day: 2), Self.article("b", "Y", "Quake aftermath", day: 1),
            Self.article("c", "X", "Vote", day: 3), Self.article("d", "Z", "Undated", day: nil),
        ])
        let run = try store.beginRun("cluster")
        XCTAssertEqual(try store.nextStoryID(), 1)
        try store.transaction {
            try store.commit(StoryChanges(stories: [
                .init(id: 1, isNew: true, absorbed: [], added: [seq["a"]!, seq["b"]!], titleArticle: seq["b"]!),
                .init(id: 2, isNew: true, absorbed: [], added: [seq["c"]!], titleArticle: seq["c"]!),
                .init(id: 3, isNew: true, absorbed: [], added: [seq["d"]!], titleArticle: seq["d"]!),
            ]), runID: run)
        }
        var stories = try store.stories()
        XCTAssertEqual(stories.map(\.id), [1, 2, 3], "by first publication, undated last")
        XCTAssertEqual(stories[0].title, "Quake aftermath", "the title is the title article's headline")
        XCTAssertEqual(stories[0].articles, ["b", "a"], "articles earliest first")
        XCTAssertEqual(stories[0].outlets, ["Y", "X"])
        XCTAssertEqual(stories[0].firstPublished, 86400)
        XCTAssertEqual(stories[0].lastPublished, 2 * 86400)
        XCTAssertNil(stories[2].firstPublished)
        XCTAssertEqual(try store.stories(minArticles: 2).map(\.id), [1])
        XCTAssertEqual(try store.stories(since: 2.5 * 86400).map(\.id), [2, 3], "since: by last publication; undated always")
        XCTAssertEqual(try store.nextStoryID(), 4)
        XCTAssertEqual(try store.unclusteredSpan().count, 0)
        XCTAssertEqual(try store.articles(story: 1).map(\.article.id).sorted(), ["a", "b"])
        XCTAssertEqual(try store.checkInvariants(), [])

        // A new article brings stories 1 and 2 together: 1 (the older) survives and grows, 2 is merged into it.
        _ = try store.transaction { try store.insert([(Self.article("e", "Z", "Quake vote", day: 3), "f:9")], runID: run) }
        try analyze(store)
        var near: [ArticleRef] = []
        let sizes = try store.forEachStoryArticle(near: try store.unclusteredSpan(), window: 86400) { ref, terms in
            near.append(ref)
            XCTAssertEqual(terms.count, 2)
        }
        XCTAssertEqual(Set(near.map(\.seq)), Set([seq["a"]!, seq["c"]!, seq["d"]!]),
                       "the articles in the window of the stories it reaches, and undated ones (not b: a day too early)")
        XCTAssertEqual(sizes, [1: 2, 2: 1, 3: 1])
        XCTAssertEqual(try store.forEachStoryArticle(near: TimeSpan(earliest: 100 * 86400, latest: 100 * 86400, count: 1),
                                                     window: 86400) { ref, _ in XCTAssertNil(ref.published) }, [3: 1],
                       "only undated stories reach a far window")
        try store.transaction {
            try store.commit(StoryChanges(stories: [
                .init(id: 1, isNew: false, absorbed: [2], added: [try store.articles().last!.seq], titleArticle: seq["a"]!),
            ]), runID: run)
        }
        stories = try store.stories()
        XCTAssertEqual(stories.map(\.id), [1, 3])
        XCTAssertEqual(Set(stories[0].articles), ["a", "b", "c", "e"])
        XCTAssertEqual(stories[0].title, "Quake")
        XCTAssertEqual(stories[0].lastPublished, 3 * 86400)
        XCTAssertEqual(try store.mergedStories().map(\.id), [2])
        XCTAssertEqual(try store.mergedStories().map(\.mergedInto), [1])
        XCTAssertFalse(try store.storyExists(2))
        XCTAssertTrue(try store.storyExists(1))
        XCTAssertEqual(try store.nextStoryID(), 4, "ids are never reused")
        XCTAssertEqual(try store.checkInvariants(), [])

        // A story merged earlier follows its survivor when that is merged in turn.
        try store.transaction {
            try store.commit(StoryChanges(stories: [.init(id: 1, isNew: false, absorbed: [3], added: [], titleArticle: seq["a"]!)]), runID: run)
        }
        XCTAssertEqual(try store.mergedStories().map(\.mergedInto), [1, 1])
        XCTAssertEqual(try store.goldAndFound().map(\.found), [1, 1, 1, 1, 1])
        XCTAssertEqual(try store.goldAndFound().first?.gold, "gold-Q")
        XCTAssertEqual(try store.checkInvariants(), [])
    }

    func storylines() throws {
        let (store, seq) = try analyzedStore([
            Self.article("a", "X", "Shooting", day: 1), Self.article("b", "Y", "Charges", day: 20),
            Self.article("c", "X", "Trial", day: 300), Self.article("d", "Z", "Undated", day: nil),
        ])
        let run = try store.beginRun("cluster")
        try store.transaction {
            try store.commit(StoryChanges(stories: ["a", "b", "c", "d"].enumerated().map { k, id in
                .init(id: Int64(k + 1), isNew: true, absorbed: [], added: [seq[id]!], titleArticle: seq[id]!)
            }), runID: run)
        }
        XCTAssertEqual(try store.unnamedStories().map(\.id), [1, 2, 3, 4], "new stories are to be named")
        XCTAssertEqual(try store.unnamedStories().first?.seqs, [seq["a"]!])
        XCTAssertEqual(try store.nextStorylineID(), 1)
        var plan = StorylinePlan()
        plan.names = [1: ["rivera": 3, "o'keefe": 1, "santa-cruz": 2], 2: ["rivera": 1], 3: [:], 4: ["zhou": 1]]
        plan.created = [1, 2, 3]
        plan.storyline = [1: 1, 2: 1, 3: 2, 4: 3]
        try store.transaction { try store.commit(plan, runID: run) }
        XCTAssertEqual(try store.unnamedStories().count, 0)
        XCTAssertEqual(try store.nextStorylineID(), 4)
        let inputs = try store.storylineInputs(since: nil)
        XCTAssertEqual(inputs.map(\.id), [1, 2, 3, 4])
        XCTAssertEqual(inputs[0].names, ["rivera": 3, "o'keefe": 1, "santa-cruz": 2], "names kept as given")
        XCTAssertEqual(inputs.map(\.storyline), [1, 1, 2, 3])
        XCTAssertEqual(try store.storylineInputs(since: 100 * 86400).map(\.id), [3, 4], "since: by last publication; undated always")
        XCTAssertEqual(try store.stories().map(\.storyline), [1, 1, 2, 3])

        // A story that grows is to be named again; two storylines merge: the survivor takes the
        // stories of the absorbed one, and one merged into that earlier follows.
        try store.transaction {
            try store.commit(StoryChanges(stories: [.init(id: 2, isNew: false, absorbed: [], added: [], titleArticle: seq["b"]!)]), runID: run)
        }
        XCTAssertEqual(try store.unnamedStories().map(\.id), [2])
        var merge = StorylinePlan()
        merge.names = [2: ["rivera": 2]]
        merge.merged = [3: 2]
        try store.transaction { try store.commit(merge, runID: run) }
        var second = StorylinePlan()
        second.merged = [2: 1]
        try store.transaction { try store.commit(second, runID: run) }
        XCTAssertEqual(try store.stories().map(\.storyline), [1, 1, 1, 1], "stories follow their storyline into the survivor")
        XCTAssertEqual(try store.mergedStorylines().map { [$0.id, $0.into] }, [[2, 1], [3, 1]], "a storyline merged earlier follows its survivor")
        XCTAssertEqual(try store.storylineInputs(since: nil)[1].names, ["rivera": 2])
        XCTAssertEqual(try store.nextStorylineID(), 4, "ids are never reused")
        XCTAssertEqual(StorylinePlan.decode(StorylinePlan.encode(["a-b": 2, "c'd": 10])), ["a-b": 2, "c'd": 10])
        XCTAssertEqual(try store.checkInvariants(), [])
        // A linked story whose storyline is gone is named by the check.
        var broken = StorylinePlan()
        broken.storyline = [4: 99]
        try store.transaction { try store.commit(broken, runID: run) }
        XCTAssertEqual(try store.checkInvariants().filter { $0.contains("storyline") }, ["story 4 was linked but its storyline (99) is not a live storyline"])
    }

    func closeAndReopen() throws {
        let (store, seq) = try analyzedStore([Self.article("a", "X", "Old", day: 1), Self.article("b", "X", "New", day: 30)])
        let run = try store.beginRun("cluster")
        try store.transaction {
            try store.commit(StoryChanges(stories: [
                .init(id: 1, isNew: true, absorbed: [], added: [seq["a"]!], titleArticle: seq["a"]!),
                .init(id: 2, isNew: true, absorbed: [], added: [seq["b"]!], titleArticle: seq["b"]!),
            ]), runID: run)
        }
        XCTAssertEqual(try store.transaction { try store.closeStories(before: 15 * 86400, runID: run) }, 1)
        XCTAssertEqual(try store.stories().map(\.closed), [true, false])
        XCTAssertEqual(try store.transaction { try store.closeStories(before: 15 * 86400, runID: run) }, 0, "closed once")
        // A late article of its days joins the closed story: it reopens.
        _ = try store.transaction { try store.insert([(Self.article("c", "Y", "Old again", day: 2), "f:3")], runID: run) }
        try analyze(store)
        var near: [Int64?] = []
        _ = try store.forEachStoryArticle(near: try store.unclusteredSpan(), window: 86400) { ref, _ in near.append(ref.storyID) }
        XCTAssertEqual(near, [1], "closed stories are read when the window reaches them")
        try store.transaction {
            try store.commit(StoryChanges(stories: [.init(id: 1, isNew: false, absorbed: [], added: [try store.articles().last!.seq], titleArticle: seq["a"]!)]), runID: run)
        }
        XCTAssertEqual(try store.stories().map(\.closed), [false, false])
        XCTAssertEqual(try store.checkInvariants(), [])
    }

    func storiesForTheReport() throws {
        let (store, seq) = try analyzedStore([
            Self.article("a", "X", "Later", day: 3), Self.article("b", "Y", "Undated", day: nil),
            Self.article("c", "Z", "Earlier", day: 1), Self.article("d", "Z", "Alone", day: 5),
        ])
        let run = try store.beginRun("cluster")
        try store.transaction {
            try store.commit(StoryChanges(stories: [
                .init(id: 1, isNew: true, absorbed: [], added: [seq["a"]!, seq["b"]!, seq["c"]!], titleArticle: seq["c"]!),
                .init(id: 2, isNew: true, absorbed: [], added: [seq["d"]!], titleArticle: seq["d"]!),
            ]), runID: run)
        }
        var seen: [(Int64, String, [StoredArticle])] = []
        try store.forEachStory(minArticles: 2, only: nil) { seen.append(($0, $1, $2)) }
        XCTAssertEqual(seen.map(\.0), [1])
        XCTAssertEqual(seen[0].1, "Earlier")
        XCTAssertEqual(seen[0].2.map(\.article.id), ["c", "a", "b"], "publication order, undated last")
        XCTAssertEqual(seen[0].2[0].article.extra, #"{"stance":"left"}"#)
        XCTAssertEqual(seen[0].2[0].terms?.ids.count, 2, "with their term counts")
        XCTAssertEqual(seen[0].2.map(\.storyID), [1, 1, 1])
        seen.removeAll()
        try store.forEachStory(minArticles: 2, only: 2) { seen.append(($0, $1, $2)) }
        XCTAssertEqual(seen.map(\.0), [2], "one story asked for by id, whatever its size")
    }

    func runsAndLock() throws {
        var store: any StoreBackend = try make()
        let first = try store.beginRun("ingest")
        try store.finishRun(first, status: .ok, summary: #"{"stored":1}"#)
        let second = try store.beginRun("cluster")
        let runs = try store.runs()
        XCTAssertEqual(runs.map(\.id), [second, first], "newest first")
        XCTAssertEqual(runs.map(\.command), ["cluster", "ingest"])
        XCTAssertEqual(runs[1].status, .ok)
        XCTAssertEqual(runs[1].summary, #"{"stored":1}"#)
        XCTAssertNotNil(runs[1].finished)
        if let reopen {
            // The process that began the second run dies (its store is closed); the next writer
            // marks the run interrupted. (A server notices a closed session a moment later: wait.)
            let location = store.location
            store = try reopen(location)
            var status = ""
            for _ in 0..<50 {
                let lock = try store.lockForWriting(wait: 5)
                try store.markInterruptedRuns()
                withExtendedLifetime(lock) {}
                status = try store.runs(limit: 1).first?.status.rawValue ?? ""
                if status == "interrupted" { break }
                usleep(100_000)
            }
            XCTAssertEqual(status, "interrupted")
        }
        guard locks else { return }
        do {
            let lock = try store.lockForWriting(wait: 0)
            XCTAssertThrowsError(try store.lockForWriting(wait: 0), "one writer at a time") {
                XCTAssertEqual(($0 as? StorylineError)?.code, .busy)
            }
            withExtendedLifetime(lock) {}
        }
        XCTAssertNoThrow(try store.lockForWriting(wait: 0), "released with its holder")
    }

    /// Pieces of a pass are claimed once each under a lease; a piece whose lease ran out is
    /// claimed again, and the late result of the first claim refused; what the pass reads and
    /// what its pieces wrote come back whole. A store that does not share says so (nil).
    func sharedWorkInPieces() throws {
        let articles = (0..<4).map { Self.article("w\($0)", "Wire", "T\($0)", day: 19000 + Double($0)) }
        let (store, seqs) = try analyzedStore(articles)
        guard let work = store.sharedWork else {
            XCTAssertFalse(shares, "a backend that shares work must offer it")
            return
        }
        XCTAssertTrue(shares, "a backend that shares no work must say nil")
        let lock = try store.lockForWriting(wait: 5)
        defer { withExtendedLifetime(lock) {} }
        let run = try store.beginRun("cluster")
        XCTAssertNil(try work.activePass())
        let blocks = [0..<2, 2..<5, 5..<6]
        let pass = try work.openPass(kind: .search, fingerprint: "input-1", pieces: blocks, lease: 0.5, runID: run)
        XCTAssertEqual(try work.activePass(), pass, "the coordinator is alive: its pass is open")
        let claims = try (1...3).map { try XCTUnwrap(work.claimPiece(of: pass, worker: "w\($0)")) }
        XCTAssertEqual(claims.map(\.number).sorted(), [0, 1, 2])
        XCTAssertEqual(claims.sorted { $0.number < $1.number }.map(\.blocks), blocks)
        XCTAssertNil(try work.claimPiece(of: pass, worker: "w4"), "every piece is held under a live lease")
        var stats = PieceStats()
        stats.candidates = 3
        stats.denseFlops = 10
        let first = claims.first { $0.number == 0 }!
        XCTAssertTrue(try work.finishPiece(first, worker: "w1", edges: [(0, 1, 0.5), (1, 2, 0.25)], stats: stats))
        XCTAssertFalse(try work.finishPiece(first, worker: "w1", edges: [(7, 7, 1)], stats: stats), "done once")
        let (done, total) = try work.progress(of: pass)
        XCTAssertEqual([done, total], [1, 3])
        // The other two claims' leases run out: the pieces are claimed again, a late result refused.
        usleep(800_000)
        let again = try XCTUnwrap(work.claimPiece(of: pass, worker: "w5"))
        let stale = claims.first { $0.number == again.number }!
        XCTAssertEqual(again.attempt, stale.attempt + 1)
        XCTAssertFalse(try work.finishPiece(stale, worker: stale.number == 1 ? "w2" : "w3", edges: [(9, 9, 1)], stats: stats),
                       "a piece claimed again refuses its first claim's result")
        XCTAssertTrue(try work.finishPiece(again, worker: "w5", edges: [(3, 4, 0.75)], stats: stats))
        XCTAssertEqual(try work.donePieces(of: pass), [0, again.number])
        var edges: [[Float]] = []
        let summed = try work.passEdges(pass) { edges.append([Float($0), Float($1), $2]) }
        XCTAssertEqual(edges.sorted { $0.lexicographicallyPrecedes($1) }, [[0, 1, 0.5], [1, 2, 0.25], [3, 4, 0.75]])
        XCTAssertEqual(summed.candidates, 6)
        XCTAssertEqual(summed.denseFlops, 20)
        XCTAssertEqual(summed.pieces, 2)
        try work.closePass(pass)
        XCTAssertNil(try work.activePass())
        // What a pass reads: every unclustered article (none settled), and each one's terms.
        let (settled, new, _) = try work.passArticles(near: try store.unclusteredSpan(), window: 3 * 86400)
        XCTAssertTrue(settled.isEmpty)
        XCTAssertEqual(Set(new.map(\.seq)), Set(seqs.values))
        var termCounts: [Int64: Int] = [:]
        try work.terms(of: Array(seqs.values)) { seq, terms in termCounts[seq] = terms.count }
        XCTAssertEqual(termCounts, Dictionary(uniqueKeysWithValues: seqs.values.map { ($0, 2) }))
        // An analysis pass: what a piece wrote comes back as written.
        let analysis = try work.openPass(kind: .analyze, fingerprint: "input-2", pieces: [0..<4], lease: 60, runID: run)
        let piece = try XCTUnwrap(work.claimPiece(of: analysis, worker: "w1"))
        let written: [(seq: Int64, terms: ArticleTerms)] = [(seqs["w0"]!, ArticleTerms(ids: [0, 1], titleCounts: [1, 0], textCounts: [2, 3]))]
        XCTAssertTrue(try work.finishAnalysisPiece(piece, worker: "w1", terms: ["alpha", "beta"], articles: written))
        let read = try work.analysisPiece(analysis, number: piece.number)
        XCTAssertEqual(read.terms, ["alpha", "beta"])
        XCTAssertEqual(read.articles.map(\.seq), written.map(\.seq))
        XCTAssertEqual(read.articles.map(\.terms), written.map(\.terms))
        try work.closePass(analysis)
    }
}

/// The contract on the SQLite backend: a store file, and a private in-memory store.
final class StoreContractTests: XCTestCase {
    func check(_ contract: StoreContract) {
        for (name, clause) in StoreContract.clauses {
            do { try clause(contract) } catch { XCTFail("\(name): \(error)") }
        }
    }

    func testSQLiteFile() {
        check(StoreContract(make: {
            try SQLiteStore(path: TestPaths.temporaryDirectory().appendingPathComponent("contract.sqlite").path)
        }, reopen: { try SQLiteStore(path: $0) }))
    }

    /// The same contract on PostgreSQL: a new database for each clause, on the tests' own server.
    func testPostgreSQL() throws {
        let server = try TestPostgres.shared()
        check(StoreContract(make: { try PostgresStore(url: server.newDatabase("contract")) },
                            reopen: { try PostgresStore(url: $0) }, shares: true))
    }

    func testSQLiteInMemory() {
        check(StoreContract(make: { try SQLiteStore(path: ":memory:") }, locks: false))
    }
}
