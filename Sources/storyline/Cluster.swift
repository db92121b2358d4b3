import ArgumentParser
import Storyline

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vectorize and cluster every article not yet in a story.",
        discussion: "Incremental: new articles join the open stories their time window reaches, or form new stories. Story ids never change.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let report = try reportingErrors { try store.pipeline().cluster() }
        printClusterSummary(report)
    }
}

func printClusterSummary(_ r: Pipeline.ClusterReport) {
    printError("storyline: \(r.cluster.articles) articles clustered: \(r.cluster.storiesNew) new stories, \(r.cluster.storiesGrown) grown")
}
