import ArgumentParser
import Foundation
import Storyline

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the framing report: how each outlet told each story.",
        discussion: """
            Writes into DIR: report.json ({stories: [{id, title, first_reported_by, outlets: [{outlet, articles, \
            first_published, headline, distinctive_terms: [{term, z, kind, count, rest_count, stability}], \
            candidates_tested, omitted: [{term, kind, carried_by, of}], similarity_to_story, quoted, first_quoted, \
            others_quote, timeline}], coverage: {group: count}}], outlets, blindspots, framing, storylines, \
            outlet_profiles: [{outlet, wording: [{unit, kind, stories, others_stories, ratio, z, p, q, examples}], \
            quotes, coverage, resembles}], outlet_matrix, profile_method}); index.html (pages/K.html past 500 \
            stories; its filters read stories.js) with one page per story under stories/, storylines.html, \
            outlets.html with one page per outlet under outlets/ (nothing loaded from outside DIR); report.md; \
            stories.csv, story_outlets.csv, storyline_outlets.csv and outlet_profiles.csv.

            Outlet profiles: each outlet against the other outlets of the same stories, pooled over every story \
            it shares with them (an exact stratified test of its articles using a unit, outlet labels dealt among \
            each story's articles; Benjamini-Hochberg per outlet, q < 0.05): the words, phrases and names it uses \
            more, whom it quotes more or less, its group's stories it covered and missed, how often it reported \
            first and how far behind, the storylines it followed up, and the outlets it resembles.

            What each outlet stressed: words, phrases (2-3 adjacent stems) and names it used more than the rest \
            of the story, by weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn \
            2008), shown only with z >= --min-z (1.96), or a story's higher bar where chance passes more than \
            2.5% of its units (its sentences dealt at random among its outlets --permutations times). \
            --bootstrap N gives each its stability (the share of N resamples of each outlet's sentences in which \
            it keeps the bar):

              storyline report --out out --bootstrap 100

            What each outlet left out: names, numbers and key words most of the other outlets carry. Outlet groups (for \
            coverage by group and blindspots) come from --outlets FILE (CSV with columns outlet, group and \
            optionally country; see Models/outlets.example.csv) or from a field of the dump (--group-field).
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Folder to write the report into (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Only this story.", valueName: "id"))
    var story: Int64?

    @Option(help: ArgumentHelp("Comma-separated formats: html, md, json, csv.", valueName: "list"))
    var format: String = "html,md,json,csv"

    @Option(help: ArgumentHelp("CSV of outlet groups: outlet, group[, country].", valueName: "file"))
    var outlets: String?

    @Option(help: ArgumentHelp("Take each outlet's group from this field of the dump (e.g. stance).", valueName: "name"))
    var groupField: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stories with at least this many articles (ignored with --story).", valueName: "n"))
    var minArticles: Int = 2

    @Option(help: ArgumentHelp("Show a word or phrase as stressed by an outlet only with a z-score at least this (default: the profile's report.minZ, else 1.96).", valueName: "z"))
    var minZ: Double?

    @Option(help: ArgumentHelp("Resample each outlet's sentences this many times and give each shown word its stability: the share of resamples in which it keeps z >= the bar (default: the profile's report.bootstrap, else 0: none).", valueName: "n"))
    var bootstrap: Int?

    @Option(help: ArgumentHelp("Deal each story's sentences at random among its outlets this many times: the rate at which chance passes the bar, and a story's bar raised where chance passes more than 2.5% (default: the profile's report.permutations, else 10; 0: none).", valueName: "n"))
    var permutations: Int?

    func validate() throws {
        if let z = minZ, !(z >= 0) { throw ValidationError("--min-z must be >= 0") }
        if let b = bootstrap, !(b >= 0 && b <= 10_000) { throw ValidationError("--bootstrap must be in 0...10000") }
        if let n = permutations, !(n >= 0 && n <= 1_000) { throw ValidationError("--permutations must be in 0...1000") }
        _ = try formats()
        if minArticles < 1 { throw ValidationError("--min-articles must be at least 1") }
    }

    func formats() throws -> Set<ReportFormat> {
        var set = Set<ReportFormat>()
        for name in format.split(separator: ",") {
            guard let f = ReportFormat(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ValidationError("--format: unknown format \"\(name)\" (use html, md, json, csv)")
            }
            set.insert(f)
        }
        if set.isEmpty { throw ValidationError("--format: no format given") }
        return set
    }

    func run() throws {
        let pipeline = try reportingErrors { try store.pipeline(readOnly: true) }
        var options = ReportOptions()
        options.story = story
        options.minArticles = minArticles
        options.groupField = groupField
        options.minZ = minZ
        options.bootstrap = bootstrap
        options.permutations = permutations
        options.groups = try reportingErrors { try outlets.map { try OutletGroups.load($0) } }
        let (report, files) = try reportingErrors { try pipeline.report(to: out, formats: try formats(), options: options) }
        pipeline.progress.log("report: \(report.stories.count) stories, \(files.count) files in \(out)" + (files.contains("index.html") ? " (open \(out)/index.html)" : ""))
    }
}
