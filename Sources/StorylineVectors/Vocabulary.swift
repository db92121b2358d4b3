import StorylineCore

/// The store's vocabulary: stems with stable feature ids (given in order of first sight, never
/// changed) and their document frequencies.
public struct Vocabulary: Sendable {
    /// Stem by feature id.
    public private(set) var terms: [String] = []
    /// Document frequency by feature id.
    public internal(set) var documentFrequency: [Int32] = []
    /// Total occurrences (title and text) by feature id, across the store.
    public internal(set) var collectionFrequency: [Int64] = []
    private var ids: [String: Int32] = [:]
    /// Feature ids whose entry changed since the last ``markSaved()`` (and a flag per id).
    private(set) var dirty: [Int32] = []
    private var isDirty: [Bool] = []
    /// How many terms the store holds (ids below are updated, ids from here on inserted).
    private(set) var savedCount = 0

    public init() {}

    /// - Parameter inStore: true when the entries were loaded from the store (a save updates
    ///   them), false when they are new to it (a save inserts them).
    public init(terms: [String], documentFrequency: [Int32], collectionFrequency: [Int64]? = nil, inStore: Bool) {
        self.terms = terms
        self.documentFrequency = documentFrequency
        self.collectionFrequency = collectionFrequency ?? documentFrequency.map(Int64.init)
        ids.reserveCapacity(terms.count)
        for (i, t) in terms.enumerated() { ids[t] = Int32(i) }
        isDirty = [Bool](repeating: false, count: terms.count)
        savedCount = inStore ? terms.count : 0
    }

    public var count: Int { terms.count }

    /// Each feature id's position when the terms are ordered by a hash of their text (then by
    /// their bytes): an order that does not depend on the order in which terms were first seen,
    /// and in which any two terms keep their relative order whatever else the vocabulary holds.
    /// Rows written in this order (``TFIDFWeighting``) give the same sketches and cosines to the
    /// same articles whatever order they arrived in.
    public func canonicalPositions() -> [Int32] {
        var keys = terms.enumerated().map { (Hashing.fnv1a($0.element), Int32($0.offset)) }
        keys.sort { a, b in
            if a.0 != b.0 { return a.0 < b.0 }
            return terms[Int(a.1)].utf8.lexicographicallyPrecedes(terms[Int(b.1)].utf8)
        }
        var position = [Int32](repeating: 0, count: terms.count)
        for (p, key) in keys.enumerated() { position[Int(key.1)] = Int32(p) }
        return position
    }

    public func id(of term: String) -> Int32? { ids[term] }

    /// The id of `term`, giving it the next id when it is new.
    public mutating func intern(_ term: String) -> Int32 {
        if let id = ids[term] { return id }
        let id = Int32(terms.count)
        terms.append(term)
        documentFrequency.append(0)
        collectionFrequency.append(0)
        ids[term] = id
        isDirty.append(false)
        markDirty(id)
        return id
    }

    @inline(__always)
    private mutating func markDirty(_ id: Int32) {
        if !isDirty[Int(id)] { isDirty[Int(id)] = true; dirty.append(id) }
    }

    mutating func countDocument(_ featureIDs: [Int32]) {
        for f in featureIDs {
            documentFrequency[Int(f)] += 1
            markDirty(f)
        }
    }

    /// Counts `documents` documents' use of a term, `occurrences` times in all.
    @inline(__always)
    package mutating func count(_ id: Int32, documents: Int32 = 1, occurrences: Int64) {
        documentFrequency[Int(id)] += documents
        collectionFrequency[Int(id)] += occurrences
        markDirty(id)
    }

    /// Counts one article's terms: each once in its document frequency, every occurrence in its
    /// collection frequency.
    public mutating func countDocument(_ t: ArticleTerms) {
        countDocument(t.ids)
        for k in 0..<t.ids.count { collectionFrequency[Int(t.ids[k])] += Int64(t.titleCounts[k]) + Int64(t.textCounts[k]) }
    }

    /// Total occurrences of all terms.
    public var totalCount: Int64 { collectionFrequency.reduce(0, +) }

    /// Marks every entry changed (to save a vocabulary that did not come from the store).
    public mutating func markAllDirty() {
        for id in terms.indices { markDirty(Int32(id)) }
    }

    /// The entries changed since the last save, to be written: ids in order, with the term of
    /// those new to the store.
    public struct Changes: Sendable {
        public var ids: [Int32] = []
        public var newTerms: [Int32: String] = [:]
        public var documentFrequency: [Int32] = []
        public var collectionFrequency: [Int64] = []
    }

    /// The changes since the last save; marks them saved.
    public mutating func takeChanges() -> Changes {
        var c = Changes()
        c.ids = dirty.sorted()
        for id in c.ids {
            if Int(id) >= savedCount { c.newTerms[id] = terms[Int(id)] }
            c.documentFrequency.append(documentFrequency[Int(id)])
            c.collectionFrequency.append(collectionFrequency[Int(id)])
        }
        markSaved()
        return c
    }

    mutating func markSaved() {
        for id in dirty { isDirty[Int(id)] = false }
        dirty.removeAll(keepingCapacity: true)
        savedCount = terms.count
    }
}
