import Foundation

/// Vectorizes a JSON Lines dump without a store: streaming read, parse, parallel analysis,
/// then TF-IDF over the dump's own document frequencies. What `tools/peer-vectorize` and the
/// benchmarks time against scikit-learn's `TfidfVectorizer.fit_transform`.
///
/// Memory: the vocabulary, one batch of text, and the counts of every article (the output).
public struct DumpVectorizer {
    public var profile: Profile
    public var models: ModelDirectory
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var batchSize = 4096

    public init(profile: Profile, models: ModelDirectory) {
        self.profile = profile
        self.models = models
    }

    public struct Result: Sendable {
        public var vocabulary: Vocabulary
        public var rows: SparseRows
        public var bytes: Int
        public var rejected: Int
    }

    public func vectorize(_ path: String) throws -> Result {
        var vocabulary = Vocabulary()
        var merger = TermMerger(workers: max(1, threads), profile: profile, models: models)
        var counts: [ArticleTerms] = []
        // Raw lines: the workers parse them as well as analyze them.
        var batch: [(line: Int, bytes: [UInt8])] = []
        batch.reserveCapacity(batchSize)
        var bytes = 0, rejected = 0
        func flush() {
            let lines = batch
            let results = merger.analyze(count: lines.count, input: { k in
                lines[k].bytes.withUnsafeBufferPointer { raw in
                    JSONLReader.record(raw, file: path, line: lines[k].line).article.map { ($0.title, $0.text, $0.lang) }
                }
            }, into: &vocabulary)
            for r in results {
                if let r { counts.append(r) } else { rejected += 1 }
            }
            batch.removeAll(keepingCapacity: true)
        }
        try LineReader(path: path).forEachLine { line, raw in
            bytes += raw.count + 1
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            batch.append((line, Array(raw)))
            if batch.count == batchSize { flush() }
        }
        flush()
        let weighting = TFIDFWeighting(titleWeight: profile.analyzer.titleWeight, documentCount: counts.count,
                                       documentFrequency: vocabulary.documentFrequency)
        return Result(vocabulary: vocabulary, rows: weighting.rows(counts), bytes: bytes, rejected: rejected)
    }
}
