import ArgumentParser
import Foundation
import Storyline

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List past runs of commands that wrote to the store, newest first.",
        discussion: "Status is ok, failed, running (now) or interrupted (the process died; run the same command again to finish its work).")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON: an array of {id, command, started, finished, status, summary}.")
    var json = false

    @Option(help: ArgumentHelp("How many runs to list.", valueName: "n"))
    var limit: Int = 20

    func run() throws {
        let runs = try reportingErrors { try store.open(readOnly: true).runs(limit: limit) }
        if json {
            try printJSON(runs)
            return
        }
        for r in runs {
            print("\(r.id)\t\(r.started)\t\(r.status)\t\(DisplayText.field(r.command))")
        }
    }
}
