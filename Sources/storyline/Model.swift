import ArgumentParser
import Storyline

struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a store's fitted vectorizer to a file, or import one into a new store.",
        discussion: """
            The model file holds the vocabulary with its feature ids, document and collection \
            frequencies, and the analyzer settings it was fitted with (a JSON header line, then \
            term<TAB>df<TAB>cf per feature; versioned like the other Models/ files).

              storyline model export --db big.sqlite vec.tsv
              storyline model import --db new.sqlite vec.tsv
              storyline run --db new.sqlite other-dump.jsonl

            Import only into a store not yet vectorized (feature ids never change). Articles \
            vectorized there get the model's feature ids; idf counts the model's articles and the \
            store's own.
            """,
        subcommands: [Export.self, Import.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the store's vectorizer (vectorizing pending articles first).")
        @OptionGroup var store: StoreOptions
        @Argument(help: ArgumentHelp("The model file to write.", valueName: "file"))
        var file: String

        func run() throws {
            let pipeline = try reportingErrors { try store.pipeline() }
            let model = try reportingErrors { try pipeline.exportModel(to: file) }
            pipeline.progress.log("\(file): \(model.terms.count) terms over \(model.documents) articles")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a model file the vocabulary of a store that has not been vectorized yet.")
        @OptionGroup var store: StoreOptions
        @Argument(help: ArgumentHelp("The model file to read.", valueName: "file"))
        var file: String

        func run() throws {
            let pipeline = try reportingErrors { try store.pipeline() }
            let model = try reportingErrors { try pipeline.importModel(from: file) }
            pipeline.progress.log("\(store.shownDB): \(model.terms.count) terms over \(model.documents) articles imported from \(file)")
        }
    }
}
