import ArgumentParser
import Storyline

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vectorize and cluster every article not yet in a story.",
        discussion: "Incremental: new articles join the open stories their time window reaches, or form new stories. Story ids never change.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var split: SplitOptions

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline() }
        split.apply(to: pipeline)
        let report = try reportingErrors { try pipeline.cluster() }
        printClusterSummary(report, pipeline.progress)
    }
}

func printClusterSummary(_ r: Pipeline.ClusterReport, _ progress: ProgressReporter) {
    let c = r.cluster
    progress.log("\(c.articles) articles clustered: stories \(c.storiesNew) new, \(c.storiesGrown) grown, \(c.storiesMerged) merged, \(c.storiesClosed) closed; storylines \(c.storylinesNew) new, \(c.storylinesMerged) merged; seconds: vectorize \(String(format: "%.2f", r.vectorizeSeconds)), similarity \(String(format: "%.2f", c.similaritySeconds)), cluster \(String(format: "%.2f", c.clusterSeconds))")
}
