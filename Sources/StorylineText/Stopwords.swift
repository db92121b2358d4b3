import Foundation
import StorylineCore

/// A stopword list: one folded word per line, `#` starts a comment. Loaded from
/// `Models/stopwords/<lang>.txt`.
public struct Stopwords: Sendable {
    public private(set) var words: Set<String>

    public init(words: Set<String>) { self.words = words }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw StorylineError(.model, "cannot read stopword list", file: path)
        }
        var set = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let word = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces).lowercased()
            if !word.isEmpty { set.insert(word) }
        }
        words = set
    }

    public func contains(_ word: String) -> Bool { words.contains(word) }
}
