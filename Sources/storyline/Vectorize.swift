import ArgumentParser
import Storyline

struct Vectorize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze stored articles into term counts, without clustering.",
        discussion: "`cluster` vectorizes first anyway. Alone, this prepares a large store in bounded memory (batches of 5,000 articles, on all cores).")

    @OptionGroup var store: StoreOptions

    @OptionGroup var split: SplitOptions

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline() }
        split.apply(to: pipeline)
        let n = try reportingErrors { try pipeline.vectorize() }
        pipeline.progress.log("\(n) articles vectorized")
    }
}
