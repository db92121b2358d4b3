import ArgumentParser
import Foundation
import Storyline

struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Help cluster a shared store: search pieces of the passes that `cluster --pieces N` opens.",
        discussion: """
            Start any number of these, on any machines, against the same PostgreSQL store (cron on \
            several hosts, a Kubernetes Job's pods, a Slurm array). Each waits for a clustering pass, \
            loads its input, claims pieces of its similarity search under a lease and writes their \
            edges back; the coordinating `storyline cluster --pieces N` (or `run --pieces N`) links \
            and commits the stories, the same ones it would find alone. A worker that dies loses \
            nothing: its piece is taken again when the lease runs out. A worker whose input, profile \
            or sketch arithmetic differs from the coordinator's does not join.

              storyline cluster --db "$STORYLINE_DB" --pieces 12 &     # on one machine
              storyline work --db "$STORYLINE_DB" --idle 60            # on each of the others

            Exits 0 once no pass has been open for --idle seconds.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Exit once no clustering pass has been open this long.", valueName: "seconds"))
    var idle: Double = 30

    func run() throws {
        let progress = store.progress()
        var done = 0
        var lost: Stopwatch? = nil   // since the server was lost (monotonic)
        // A worker outlives the server's restarts and network cuts: it connects again (every
        // second, for up to --idle seconds) and goes on with whatever pass is open then.
        while true {
            do {
                let pipeline = try store.pipeline()
                lost = nil
                done += try pipeline.work(idle: idle)
                break
            } catch let error as StorylineError where error.code == .unavailable {
                let since = lost ?? Stopwatch()
                lost = since
                guard since.seconds < idle else { try reportingErrors { () throws -> Void in throw error }; return }
                progress.log("\(error.message): connecting again", level: .warning)
                sleep(1)
            } catch {
                try reportingErrors { () throws -> Void in throw error }
                return
            }
        }
        progress.log("\(done) pieces done")
    }
}
