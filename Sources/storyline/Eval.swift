import ArgumentParser
import Foundation
import Storyline

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cluster a labeled dataset from scratch and score it against its gold `story` field.",
        discussion: """
            Uses a private temporary store on disk (in $TMPDIR, deleted afterwards; it needs about \
            twice the dataset's size) and the default profile (or --profile). Scores: B-cubed \
            precision/recall/F1, pairwise precision/recall/F1, ARI and AMI of the stories; B-cubed \
            precision/recall/F1 and pairwise F1 of the storylines (in --json: `storylines`); timings per stage in seconds; \
            peak resident memory in MiB.
            """)

    @Argument(help: ArgumentHelp("A JSON Lines file whose articles carry a `story` field.", valueName: "dataset"))
    var dataset: String

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("Also list the N worst merges and splits, with titles (in --json: key `explain`).", valueName: "n"))
    var explain: Int = 0

    @Option(help: ArgumentHelp("Folder of model files.", valueName: "dir"))
    var models: String?

    @Option(help: ArgumentHelp("A clustering profile to use instead of Models/profile.json.", valueName: "file"))
    var profile: String?

    func run() throws {
        let e = try reportingErrors {
            try Pipeline.evaluate(dataset, models: ModelDirectory.locate(models), profile: profile.map { try Profile.load($0) }, explain: explain,
                                  onIssue: { printError("\($0)") })
        }
        if json {
            try printJSON(e)
            return
        }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        print("articles \(e.articles), gold stories \(e.gold_stories), found stories \(e.found_stories)")
        print("B-cubed   P \(f(e.b3_precision))  R \(f(e.b3_recall))  F1 \(f(e.b3_f1))")
        print("pairwise  P \(f(e.pair_precision))  R \(f(e.pair_recall))  F1 \(f(e.pair_f1))")
        print("ARI \(f(e.ari))  AMI \(f(e.ami))")
        let l = e.storylines
        print("storylines \(l.found): B-cubed P \(f(l.b3_precision))  R \(f(l.b3_recall))  F1 \(f(l.b3_f1)), pairwise F1 \(f(l.pair_f1))")
        defer { if let x = e.explain { print("\n" + x.text()) } }
        print("seconds: ingest \(f(e.timings.ingest)), vectorize \(f(e.timings.vectorize)), similarity \(f(e.timings.similarity)), cluster \(f(e.timings.cluster)), total \(f(e.timings.total)); peak RSS \(Int(e.peak_rss_mb)) MiB")
    }
}
