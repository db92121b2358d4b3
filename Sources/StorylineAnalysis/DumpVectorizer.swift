import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors

/// Vectorizes a JSON Lines dump without a store: streaming read, parse, parallel analysis,
/// then TF-IDF over the dump's own document frequencies. What `tools/peer-vectorize` and the
/// benchmarks time against scikit-learn's `TfidfVectorizer.fit_transform`.
///
/// The file is read in blocks of whole lines; each block is cut into one contiguous part per
/// worker, of about equal bytes, and each worker parses and analyzes its part with its own
/// ``Analyzer``, keeping its articles' counts under its own (local) term numbers. Feature ids
/// are given once, at the end: block by block, worker by worker, each worker's terms first
/// seen in that part, in order. A term new to the dump is new to the worker that meets it, and
/// parts are in file order, so this is the order of first sight over the whole dump — the same
/// ids as the store's ``TermMerger`` gives, whatever the number of workers or the block size.
/// No serial merge runs between blocks; document frequencies are counted per worker and added
/// up at the end.
///
/// Memory: the vocabulary, two blocks of text (one being read), and the rows of every article
/// (the output, 8 bytes per nonzero: 2.4 GB for a million generated articles). A store keeps
/// memory bounded instead (``Vectorizer``: batches in, term counts out).
public struct DumpVectorizer {
    public var profile: Profile
    public var models: ModelDirectory
    public var threads = Parallel.cores
    /// Bytes read and analyzed at a time.
    public var blockBytes = 1 << 23

    public init(profile: Profile, models: ModelDirectory) {
        self.profile = profile
        self.models = models
    }

    public struct Result: Sendable {
        public var vocabulary: Vocabulary
        public var rows: SparseRows
        public var bytes: Int
        public var rejected: Int
        /// Line numbers of the first rejected records (at most 100).
        public var rejectedLines: [Int]
    }

    /// One worker's analyzer, its document and collection frequencies, and the counts of the
    /// block part it analyzed last, under its local term numbers.
    final class Worker: @unchecked Sendable {
        let analyzer: Analyzer
        /// Per article of the part: how many distinct terms it has.
        var lengths: [Int] = []
        /// The part's articles' local terms, in order of first occurrence, and their counts
        /// (title << 16 | text).
        var terms: [Int32] = []
        var counts: [UInt32] = []
        /// Document and collection frequency by local term, over every part analyzed.
        var frequencies: [Frequency] = []
        struct Frequency { var documents: Int32 = 0; var occurrences: Int64 = 0 }
        /// The analyzer's term count after each block (terms first seen in block b are
        /// `seenAfter[b-1]..<seenAfter[b]`).
        var seenAfter: [Int] = []
        /// The part's lines, and its rejected records' line numbers within it (1-based).
        var lines = 0
        var rejected: [Int] = []
        var rejectedCount = 0

        init(_ analyzer: Analyzer) { self.analyzer = analyzer }

        /// Parses and analyzes the lines of `part`.
        func run(_ part: UnsafeBufferPointer<UInt8>, file: String) {
            var lines = 0
            var rejected: [Int] = []
            var lengths = self.lengths, terms = self.terms, counts = self.counts, frequencies = self.frequencies
            self.lengths = []; self.terms = []; self.counts = []; self.frequencies = []
            lengths.removeAll(keepingCapacity: true)
            terms.removeAll(keepingCapacity: true)
            counts.removeAll(keepingCapacity: true)
            defer {
                self.lengths = lengths; self.terms = terms; self.counts = counts; self.frequencies = frequencies
                self.lines = lines; self.rejected = rejected
            }
            LineReader.forEachLine(in: part) { line in
                lines += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
                guard let a = JSONLReader.record(line, file: file, line: lines, keepExtra: false).article else {
                    rejectedCount += 1
                    if rejected.count < 100 { rejected.append(lines) }
                    return
                }
                let n = analyzer.count(title: a.title, text: a.text, language: a.lang)
                let known = analyzer.terms.count
                if frequencies.count < known {
                    frequencies.append(contentsOf: repeatElement(Frequency(), count: max(known, 2 * frequencies.count) - frequencies.count))
                }
                if terms.capacity < terms.count + n {
                    terms.reserveCapacity(max(terms.count + n, 2 * terms.capacity))
                    counts.reserveCapacity(max(counts.count + n, 2 * counts.capacity))
                }
                frequencies.withUnsafeMutableBufferPointer { f in
                    analyzer.drain { t, title, text in
                        terms.append(t)
                        counts.append(UInt32(title) << 16 | UInt32(text))
                        f[Int(t)].documents += 1
                        f[Int(t)].occurrences += Int64(title) + Int64(text)
                    }
                }
                lengths.append(n)
            }
            seenAfter.append(analyzer.terms.count)
        }
    }

    public func vectorize(_ path: String) throws -> Result {
        let workers = (0..<max(1, threads)).map { _ in
            Worker(models.analyzer(profile.analyzer))
        }
        // The output, first under local terms: each article's terms with their counts (as the
        // bits of the value) and the worker that analyzed it, in file order.
        var rows = SparseRows()
        var articleWorker: [UInt8] = []
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int {
            // About one distinct term per 13 bytes of JSON on news-like text: one allocation, not a doubling series.
            rows.indices.reserveCapacity(size / 12)
            rows.values.reserveCapacity(size / 12)
        }
        var bytes = 0, lineBase = 0
        var rejectedLines: [Int] = []
        var reader = LineReader(path: path)
        reader.chunk = blockBytes
        try reader.forEachBlock { block in
            bytes += block.count
            let cuts = Self.cuts(block, parts: workers.count)
            Parallel.perform(workers.count) { w in
                workers[w].run(UnsafeBufferPointer(rebasing: block[cuts[w]..<cuts[w + 1]]), file: path)
            }
            for (w, worker) in workers.enumerated() {
                rows.indices.append(contentsOf: worker.terms)
                worker.counts.withUnsafeBufferPointer { c in
                    c.withMemoryRebound(to: Float.self) { rows.values.append(contentsOf: $0) }
                }
                for n in worker.lengths { rows.offsets.append(rows.offsets.last! + n) }
                articleWorker.append(contentsOf: repeatElement(UInt8(w), count: worker.lengths.count))
                for line in worker.rejected where rejectedLines.count < 100 { rejectedLines.append(lineBase + line) }
                lineBase += worker.lines
            }
        }
        // Feature ids in order of first sight; then the frequencies, per local term.
        var vocabulary = Vocabulary()
        var localToGlobal = workers.map { [Int32](repeating: -1, count: $0.analyzer.terms.count) }
        var seen = [Int](repeating: 0, count: workers.count)
        for block in 0..<(workers.first?.seenAfter.count ?? 0) {
            for (w, worker) in workers.enumerated() {
                let terms = worker.analyzer.terms
                for i in seen[w]..<worker.seenAfter[block] { localToGlobal[w][i] = vocabulary.intern(terms[i]) }
                seen[w] = worker.seenAfter[block]
            }
        }
        for (w, worker) in workers.enumerated() {
            for (i, f) in worker.frequencies.enumerated() where f.documents > 0 {
                vocabulary.count(localToGlobal[w][i], documents: f.documents, occurrences: f.occurrences)
            }
        }
        let weighting = TFIDFWeighting(profile.analyzer, vocabulary: vocabulary, documentCount: rows.count)
        Self.finish(&rows, articleWorker: articleWorker, localToGlobal: localToGlobal, weighting: weighting, threads: workers.count)
        return Result(vocabulary: vocabulary, rows: rows, bytes: bytes, rejected: workers.reduce(0) { $0 + $1.rejectedCount },
                      rejectedLines: rejectedLines)
    }

    /// Where a block is cut into `parts` pieces of about equal bytes, each cut just after a
    /// newline: `parts + 1` offsets from 0 to the block's end.
    static func cuts(_ block: UnsafeBufferPointer<UInt8>, parts: Int) -> [Int] {
        var cuts = [0]
        for p in 1..<max(parts, 1) {
            var at = max(block.count * p / parts, cuts.last!)
            while at < block.count && at > 0 && block[at - 1] != 0x0A { at += 1 }
            cuts.append(at)
        }
        cuts.append(block.count)
        return cuts
    }

    /// Turns rows of local terms and counts into TF-IDF rows, in place, on `threads` threads:
    /// each article's terms mapped to feature ids, sorted, weighted and normalized.
    static func finish(_ rows: inout SparseRows, articleWorker: [UInt8], localToGlobal: [[Int32]], weighting: TFIDFWeighting,
                       threads: Int) {
        let offsets = rows.offsets
        rows.indices.withUnsafeMutableBufferPointer { indices in
            rows.values.withUnsafeMutableBufferPointer { values in
                let ib = indices.baseAddress!, vb = values.baseAddress!
                Parallel.perform(threads) { thread in
                    var keys: [Int64] = [], scratch: [Int64] = []
                    var k = thread
                    while k < articleWorker.count {
                        let start = offsets[k], end = offsets[k + 1]
                        let map = localToGlobal[Int(articleWorker[k])]
                        // A key packs (id, counts) into one integer, so the sort carries the counts.
                        keys.removeAll(keepingCapacity: true)
                        for j in start..<end { keys.append(Int64(map[Int(ib[j])]) << 32 | Int64(vb[j].bitPattern)) }
                        _radixSortHigh32(&keys, scratch: &scratch)
                        weighting.write(count: keys.count, indices: ib + start, values: vb + start) { j in
                            let key = keys[j]
                            return (Int32(truncatingIfNeeded: key >> 32), UInt16(truncatingIfNeeded: key >> 16), UInt16(truncatingIfNeeded: key))
                        }
                        k += threads
                    }
                }
            }
        }
    }
}
