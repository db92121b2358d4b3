import Foundation
import StorylineCore
import StorylineText
import StorylineCluster
import StorylineStore

/// The storyline level of a clustering pass: names the stories the pass made or changed, links
/// them with the stories of the profile's storyline window (``StorylineLinker``) and writes what
/// changed (``StorylinePlan``), inside the pass's transaction.
///
/// A story's names are its articles' (``NameExtractor``), the `keptNames` it uses most kept.
/// Storylines keep their ids: the ones a pass reads start as groups; a storyline that links with
/// others absorbs them (the smallest id survives, the others point at it, their stories follow);
/// stories in none get a new storyline, numbered in order of their first story.
struct StorylineStage {
    let store: any StoryStore & ArticleStore
    let profile: Profile
    let runID: Int64
    /// Articles' names found already in this pass (by seq): their texts are not read again.
    var known: [Int64: [String: Int]] = [:]
    /// Stories this pass absorbed into others (the survivor's id: the ids it absorbed): their
    /// storylines join the survivor's.
    var absorbed: [Int64: [Int64]] = [:]
    /// Names kept for a story: its most used (a thousand-article story names thousands).
    static let keptNames = 300
    /// Articles whose texts are read at once.
    static let textBatch = 20_000

    /// What the stage did.
    struct Summary {
        var created = 0
        var merged = 0
    }

    func run() throws -> Summary {
        let unnamed = try store.unnamedStories()
        guard !unnamed.isEmpty else { return Summary() }
        var plan = StorylinePlan()
        plan.names = try names(of: unnamed)
        let settings = profile.storylineSettings
        // The stories that reach the window before the earliest changed story (undated ones
        // always; every story when a changed one is undated), and the changed ones.
        let firsts = unnamed.map(\.firstPublished)
        let since = firsts.contains { $0 == nil } ? nil : firsts.compactMap { $0 }.min().map { $0 - settings.windowDays * 86400 }
        var inputs = try store.storylineInputs(since: since)
        for k in inputs.indices { if let names = plan.names[inputs[k].id] { inputs[k].names = names } }
        // Storylines of stories one story absorbed are one: each group of them under its smallest
        // id, which a survivor that had none takes.
        var merges = StorylineMerges()
        var survivorLine: [Int64: Int64] = [:]
        let before = try store.storylines(of: absorbed.flatMap { [$0.key] + $0.value })
        for (survivor, others) in absorbed {
            let lines = ([survivor] + others).compactMap { before[$0] }
            guard let first = lines.first else { continue }
            for line in lines.dropFirst() { merges.join(line, first) }
            survivorLine[survivor] = first
        }
        for k in inputs.indices { inputs[k].storyline = (inputs[k].storyline ?? survivorLine[inputs[k].id]).map(merges.find) }
        // Ties break by first publication (undated last), then story id.
        let ranked = inputs.indices.sorted { (inputs[$0].firstPublished ?? .infinity, inputs[$0].id) < (inputs[$1].firstPublished ?? .infinity, inputs[$1].id) }
        var order = [Int32](repeating: 0, count: inputs.count)
        for (p, k) in ranked.enumerated() { order[k] = Int32(p) }
        let linker = StorylineLinker(threshold: settings.link, attach: settings.attach, attachMargin: settings.attachMargin,
                                     smallStory: settings.smallStory)
        let labels = linker.link(inputs.map { StorylineLinker.Story(names: $0.names, size: $0.size, storyline: $0.storyline) }, order: order)
        var members: [Int: [Int]] = [:]
        for (k, label) in labels.enumerated() { members[label, default: []].append(k) }
        var next = try store.nextStorylineID()
        for label in members.keys.sorted(by: { order[$0] < order[$1] }) {
            let group = members[label]!
            let existing = Set(group.compactMap { inputs[$0].storyline }).sorted()
            let id: Int64
            if let survivor = existing.first {
                id = survivor
                for other in existing.dropFirst() { merges.join(other, survivor) }
            } else {
                id = next
                next += 1
                plan.created.append(id)
            }
            for k in group where inputs[k].storyline != id { plan.storyline[inputs[k].id] = id }
        }
        plan.merged = merges.all
        try store.commit(plan, runID: runID)
        return Summary(created: plan.created.count, merged: plan.merged.count)
    }

    /// The names of each story's articles, summed; its `keptNames` most used kept (ties by name).
    /// Whole stories of about `textBatch` articles a batch; the next batch's texts are read while
    /// this one's are scanned.
    func names(of stories: [(id: Int64, firstPublished: Double?, seqs: [Int64])]) throws -> [Int64: [String: Int]] {
        var batches: [Range<Int>] = []
        var start = 0
        while start < stories.count {
            var end = start, articles = 0
            while end < stories.count && (end == start || articles + stories[end].seqs.count <= Self.textBatch) {
                articles += stories[end].seqs.count
                end += 1
            }
            batches.append(start..<end)
            start = end
        }
        let known = self.known
        func read(_ range: Range<Int>) throws -> [Int64: (title: String, text: String)] {
            try store.texts(of: stories[range].flatMap(\.seqs).filter { known[$0] == nil })
        }
        var out: [Int64: [String: Int]] = [:]
        var texts = try read(batches[0])
        for (b, range) in batches.enumerated() {
            let batch = Array(stories[range]), current = texts
            let scan = { Self.extract(batch.map(\.seqs), texts: current, known: known, keep: Self.keptNames) }
            let found: [[String: Int]]
            if b + 1 < batches.count {
                (found, texts) = try Parallel.both(scan, { try read(batches[b + 1]) })
            } else {
                found = scan()
            }
            for (i, story) in batch.enumerated() { out[story.id] = found[i] }
        }
        return out
    }

    /// Each group's names (its articles' seqs given: a story's, or one article), on all cores; the
    /// `keep` most used of each kept (ties by name).
    static func extract(_ stories: [[Int64]], texts: [Int64: (title: String, text: String)], known: [Int64: [String: Int]] = [:],
                        keep: Int) -> [[String: Int]] {
        var found = [[String: Int]](repeating: [:], count: stories.count)
        found.withUnsafeMutableBufferPointer { result in
            Parallel.strided(stories.count, workers: Parallel.cores) { _, i in
                var names: [String: Int] = [:]
                for seq in stories[i] {
                    if let found = known[seq] {
                        names.merge(found, uniquingKeysWith: +)
                    } else if let t = texts[seq] {
                        NameExtractor.add(title: t.title, text: t.text, to: &names)
                    }
                }
                if names.count > keep {
                    names = Dictionary(uniqueKeysWithValues: names.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(keep).map { ($0.key, $0.value) })
                }
                result[i] = names
            }
        }
        return found
    }
}

/// Storylines joined in a pass: a union-find over their ids whose roots are the smallest.
struct StorylineMerges {
    private var parent: [Int64: Int64] = [:]

    func find(_ id: Int64) -> Int64 {
        var x = id
        while let p = parent[x], p != x { x = p }
        return x
    }

    mutating func join(_ a: Int64, _ b: Int64) {
        let (x, y) = (find(a), find(b))
        guard x != y else { return }
        parent[max(x, y)] = min(x, y)
    }

    /// Every joined id that is no root, with its root.
    var all: [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for id in parent.keys where find(id) != id { out[id] = find(id) }
        return out
    }
}
