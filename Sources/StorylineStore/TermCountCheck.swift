import StorylineCore
import StorylineVectors

/// The check every backend makes of its term counts: each article's ids known and increasing,
/// and the vocabulary's document and collection frequencies equal to the sums over the articles
/// (plus an imported model's, which can only be checked as a lower bound).
struct TermCountCheck {
    let vocabulary: Vocabulary
    let imported: Bool
    let limit: Int
    private var df: [Int64], cf: [Int64]
    private var bad = 0
    private(set) var problems: [String] = []

    init(vocabulary: Vocabulary, imported: Bool, limit: Int) {
        self.vocabulary = vocabulary
        self.imported = imported
        self.limit = limit
        df = [Int64](repeating: 0, count: vocabulary.terms.count)
        cf = df
    }

    /// Counts one article's terms.
    mutating func add(article id: String, _ encoded: EncodedTerms) {
        let terms = ArticleTerms(encoded)
        var previous: Int32 = -1
        for k in terms.ids.indices {
            let term = terms.ids[k]
            guard term > previous, Int(term) < df.count else {
                bad += 1
                if bad <= limit { problems.append("article \(id) has term id \(term) out of order or unknown (\(df.count) terms)") }
                return
            }
            previous = term
            df[Int(term)] += 1
            cf[Int(term)] += Int64(terms.titleCounts[k]) + Int64(terms.textCounts[k])
        }
    }

    /// The problems found, once every article was added.
    func finish() -> [String] {
        var out = problems
        var wrong = 0
        for id in df.indices {
            let storedDF = Int64(vocabulary.documentFrequency[id]), storedCF = vocabulary.collectionFrequency[id]
            let ok = imported ? storedDF >= df[id] && storedCF >= cf[id] : storedDF == df[id] && storedCF == cf[id]
            if !ok {
                wrong += 1
                if wrong <= limit {
                    out.append("term \"\(vocabulary.terms[id])\" (id \(id)) has df \(storedDF), cf \(storedCF); the articles give \(df[id]), \(cf[id])"
                               + (imported ? " (plus an imported model's)" : ""))
                }
            }
        }
        if wrong > limit { out.append("... and \(wrong - limit) more terms") }
        return out
    }
}
