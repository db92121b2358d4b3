internal import CStemmer
import StorylineCore

/// A Snowball stemmer (libstemmer) for one language. Not thread-safe: one per analyzer.
public final class SnowballStemmer {
    private let handle: OpaquePointer

    /// libstemmer's algorithm names by ISO 639-1 code.
    public static let algorithms: [String: String] = [
        "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
        "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian", "it": "italian",
        "lt": "lithuanian", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese",
        "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
        "ga": "irish", "ne": "nepali", "hy": "armenian", "eu": "basque", "ca": "catalan", "sr": "serbian",
        "yi": "yiddish",
    ]

    /// A stemmer for `language` (ISO 639-1), or nil when libstemmer has none.
    public init?(language: String) {
        guard let name = Self.algorithms[language], let h = sb_stemmer_new(name, "UTF_8") else { return nil }
        handle = h
    }

    deinit { sb_stemmer_delete(handle) }

    /// The stem of a folded UTF-8 word.
    public func stem(_ word: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let p = sb_stemmer_stem(handle, word.baseAddress, Int32(word.count)) else { return Array(word) }
        let n = Int(sb_stemmer_length(handle))
        return Array(UnsafeBufferPointer(start: p, count: n))
    }
}
