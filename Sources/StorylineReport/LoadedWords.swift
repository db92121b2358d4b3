import Foundation
import StorylineCore

/// Emotionally loaded words (`Models/loaded-words.tsv`: the VADER lexicon's entries with a mean
/// valence of at least 2 in magnitude; see tools/make-loaded-words.py), looked up by a hash of
/// the lowercased ASCII word, without building strings.
package struct LoadedWords: Sendable {
    private var words: [UInt64: Int32] = [:]
    private(set) var list: [String] = []

    package init(_ entries: [String]) {
        for w in entries where words[Self.hash(Array(w.utf8)[...])] == nil {
            words[Self.hash(Array(w.utf8)[...])] = Int32(list.count)
            list.append(w)
        }
    }

    /// Reads the file; nil when the models folder has none (the share is then not reported).
    package static func load(models path: String) throws -> LoadedWords? {
        let file = (path as NSString).appendingPathComponent("loaded-words.tsv")
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw StorylineError(.model, "cannot read", file: file)
        }
        var entries: [String] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let word = line.split(separator: "\t").first.map(String.init) ?? ""
            guard !word.isEmpty, word.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else {
                throw StorylineError(.model, "line \(n + 1): expected a lowercase word, a tab and its valence", file: file)
            }
            entries.append(word)
        }
        return LoadedWords(entries)
    }

    /// FNV-1a of the bytes, ASCII letters lowercased.
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The word at `range` of `bytes`, if it is a loaded one (ASCII words only).
    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int32? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range {
            let b = bytes[i]
            guard b < 0x80 else { return nil }
            h = (h ^ UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)) &* 0x0000_0100_0000_01B3
        }
        return words[h]
    }
}
