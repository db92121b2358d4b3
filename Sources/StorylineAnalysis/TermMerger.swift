import Foundation
import StorylineCore
import StorylineText
import StorylineIngest
import StorylineVectors

/// Analyzes batches of articles on several workers and merges their terms into one vocabulary,
/// deterministically.
package struct TermMerger {
    private let analyzers: [Analyzer]
    /// Per worker: local term → feature id (every local term has one after a merge).
    private var localToGlobal: [[Int32]]
    /// Per worker: frequencies of the batch being merged, by local term.
    private let batchCounts: [BatchCounts]

    package init(workers: Int, profile: Profile, models: ModelDirectory) {
        analyzers = (0..<workers).map { _ in
            models.analyzer(profile.analyzer)
        }
        localToGlobal = Array(repeating: [], count: workers)
        batchCounts = (0..<workers).map { _ in BatchCounts() }
    }

    /// Term counts under feature ids (sorted), one per article, in input order. Counts each
    /// article's terms into the vocabulary's document and collection frequencies.
    ///
    /// Three phases: the workers analyze their contiguous shares (local term numbers) and count
    /// each local term's document and collection frequency in the batch; then, serially, each
    /// worker's new local terms get feature ids — worker 0's first, each in order of first sight,
    /// which is the order of first sight over the whole batch — and the batch counts are added to
    /// the vocabulary (work per distinct term, not per article term); then the workers map and
    /// sort each article's terms by feature id.
    package mutating func analyze(_ articles: [(title: String, text: String, lang: String?)], into vocabulary: inout Vocabulary) -> [ArticleTerms] {
        let n = articles.count
        let workers = analyzers.count
        var local = [TermCounts](repeating: TermCounts(), count: n)
        let share = (n + workers - 1) / max(workers, 1)
        let batchCounts = self.batchCounts
        local.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            let analyzers = self.analyzers
            Parallel.perform(workers) { w in
                let lo = w * share, hi = min(n, lo + share)
                guard lo < hi else { return }
                let counts = batchCounts[w]
                for k in lo..<hi {
                    let a = articles[k]
                    let c = analyzers[w].analyze(title: a.title, text: a.text, language: a.lang)
                    counts.add(c)
                    base[k] = c
                }
            }
        }
        // Serially: feature ids for new local terms, in worker (= article) order, then the counts.
        for w in 0..<workers {
            let terms = analyzers[w].terms
            localToGlobal[w].reserveCapacity(terms.count)
            for i in localToGlobal[w].count..<terms.count { localToGlobal[w].append(vocabulary.intern(terms[i])) }
            let counts = batchCounts[w]
            for t in counts.touched {
                let i = Int(t)
                vocabulary.count(localToGlobal[w][i], documents: Int32(counts.df[i]), occurrences: counts.cf[i])
            }
            counts.reset()
        }
        // On the workers: each article's terms under feature ids, sorted. A key packs
        // (id, title count, text count) into one integer, so the sort carries the counts.
        var results = [ArticleTerms](repeating: ArticleTerms(), count: n)
        let localToGlobal = self.localToGlobal
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            Parallel.perform(workers) { w in
                let lo = w * share, hi = min(n, lo + share)
                guard lo < hi else { return }
                localToGlobal[w].withUnsafeBufferPointer { map in
                    var keys: [Int64] = [], scratch: [Int64] = []
                    for k in lo..<hi {
                        let counts = local[k]
                        keys.removeAll(keepingCapacity: true)
                        for j in 0..<counts.terms.count {
                            keys.append(Int64(map[Int(counts.terms[j])]) << 32 | Int64(counts.titleCounts[j]) << 16 | Int64(counts.textCounts[j]))
                        }
                        _radixSortHigh32(&keys, scratch: &scratch)
                        var a = ArticleTerms()
                        a.ids = keys.map { Int32(truncatingIfNeeded: $0 >> 32) }
                        a.titleCounts = keys.map { UInt16(truncatingIfNeeded: $0 >> 16) }
                        a.textCounts = keys.map { UInt16(truncatingIfNeeded: $0) }
                        base[k] = a
                    }
                }
            }
        }
        return results
    }
}

/// One worker's document and collection frequencies over a batch, by local term.
final class BatchCounts: @unchecked Sendable {
    var df: [Int32] = []
    var cf: [Int64] = []
    /// Local terms counted in this batch, in order of first count.
    var touched: [Int32] = []

    func add(_ c: TermCounts) {
        // Locals, not properties, in the loop: a class's stored arrays cost an exclusivity check per access.
        var df = self.df, cf = self.cf, touched = self.touched
        self.df = []; self.cf = []; self.touched = []
        defer { self.df = df; self.cf = cf; self.touched = touched }
        for j in 0..<c.terms.count {
            let i = Int(c.terms[j])
            if i >= df.count {
                let grow = max(i + 1, df.count * 2)
                df.append(contentsOf: repeatElement(0, count: grow - df.count))
                cf.append(contentsOf: repeatElement(0, count: grow - cf.count))
            }
            if df[i] == 0 { touched.append(c.terms[j]) }
            df[i] += 1
            cf[i] += Int64(c.titleCounts[j]) + Int64(c.textCounts[j])
        }
    }

    func reset() {
        for t in touched { df[Int(t)] = 0; cf[Int(t)] = 0 }
        touched.removeAll(keepingCapacity: true)
    }
}
