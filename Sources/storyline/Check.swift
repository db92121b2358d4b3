import ArgumentParser
import Foundation
import Storyline

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a store's invariants; exit 0 when it is sound, 1 with a list of what is wrong.",
        discussion: """
            Checks that every clustered article is in exactly one live story, that each story's size and \
            first and last publication are those of its articles, that merged stories are empty and point \
            at a live story, that the vocabulary's document and collection frequencies equal the sums over \
            the articles' term counts, and SQLite's integrity check. Read-only: safe beside a running night.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print JSON: {ok, problems: [text]}.")
    var json = false

    struct Result: Encodable {
        var ok: Bool
        var problems: [String]
    }

    func run() throws {
        let problems = try reportingErrors { try store.open(readOnly: true).checkInvariants() }
        if json {
            try printJSON(Result(ok: problems.isEmpty, problems: problems))
        } else if problems.isEmpty {
            print("ok")
        } else {
            for p in problems { print(p) }
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }
}
