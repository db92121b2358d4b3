import Foundation
import StorylineCore

/// The folder of model files the engine loads (`Models/` in the source tree): the profile
/// and stopword lists.
///
/// Found, in order: an explicit path; `$STORYLINE_MODELS`; `share/storyline/Models` beside the
/// executable's `bin/`; a `Models/` folder holding `profile.json` in the executable's folder or
/// one of its parents (a build inside the checkout), then in the working directory or its parents.
public struct ModelDirectory: Sendable {
    public let path: String

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StorylineError(.model, "models folder not found", file: path)
        }
        self.path = path
    }

    public static func locate(_ explicit: String? = nil) throws -> ModelDirectory {
        if let explicit { return try ModelDirectory(path: explicit) }
        if let env = ProcessInfo.processInfo.environment["STORYLINE_MODELS"], !env.isEmpty {
            return try ModelDirectory(path: env)
        }
        let fm = FileManager.default
        var starts: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        starts.append(exe)
        let installed = exe.deletingLastPathComponent().appendingPathComponent("share/storyline/Models")
        if fm.fileExists(atPath: installed.appendingPathComponent("profile.json").path) {
            return try ModelDirectory(path: installed.path)
        }
        starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        // The source tree this library was compiled from (tests, `swift run`).
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Models")
                if fm.fileExists(atPath: candidate.appendingPathComponent("profile.json").path) {
                    return try ModelDirectory(path: candidate.path)
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw StorylineError(.model, "cannot find the Models folder (profile.json, stopwords/): set STORYLINE_MODELS or pass --models")
    }

    public var profilePath: String { (path as NSString).appendingPathComponent("profile.json") }

    /// A language identifier over the languages in `languages.conf`; one per thread.
    /// - Throws: when the list or libexttextcat's fingerprints are missing.
    /// The first pass reads `quickwords.txt` when the folder has one.
    public func languageIdentifier() throws -> LanguageIdentifier {
        try LanguageIdentifier(configuration: (path as NSString).appendingPathComponent("languages.conf"),
                               fingerprints: LanguageIdentifier.defaultFingerprints, quick: try quickLanguageGuess())
    }

    /// The first pass of language identification, from `quickwords.txt` (nil when the folder has none).
    public func quickLanguageGuess() throws -> QuickLanguageGuess? {
        let file = (path as NSString).appendingPathComponent("quickwords.txt")
        return FileManager.default.fileExists(atPath: file) ? try QuickLanguageGuess(contentsOf: file) : nil
    }

    /// A new analyzer with the profile's settings, this folder's stopwords and language list: the
    /// one way every stage builds one, so all analyze text alike. One per thread.
    public func analyzer(_ settings: Profile.AnalyzerSettings) -> Analyzer {
        Analyzer(defaultLanguage: settings.defaultLanguage, minTokenLength: settings.minTokenLength,
                 identifier: try? languageIdentifier(), stopwords: { stopwords($0) })
    }

    /// The stopword list for an ISO 639-1 code; empty when the folder has none.
    public func stopwords(_ language: String) -> Stopwords {
        let file = (path as NSString).appendingPathComponent("stopwords/\(language).txt")
        return (try? Stopwords(contentsOf: file)) ?? Stopwords(words: [])
    }
}
