import Foundation
import StorylineCore

/// A fitted vectorizer as a file: the vocabulary with its feature ids, document and collection
/// frequencies, and the analyzer settings it was fitted with. Export it from one store and import
/// it into a new one, and articles vectorized there get the same feature ids and the fitted idf
/// (then updated by the new articles, as every night).
///
/// Format (text, versioned like the other Models/ files): a JSON header line
/// `{"format":"storyline-vectorizer","version":1,"documents":N,"terms":M,"analyzer":{...}}`,
/// then one line per feature in id order: `term<TAB>df<TAB>cf`.
public struct VectorizerModel: Sendable, Equatable {
    public static let format = "storyline-vectorizer"
    public static let version = 1

    public struct Header: Codable, Equatable, Sendable {
        public var format: String
        public var version: Int
        /// Articles the frequencies were counted over.
        public var documents: Int
        public var terms: Int
        public var analyzer: AnalyzerFingerprint

        public init(format: String, version: Int, documents: Int, terms: Int, analyzer: AnalyzerFingerprint) {
            self.format = format
            self.version = version
            self.documents = documents
            self.terms = terms
            self.analyzer = analyzer
        }
    }

    /// The settings that decide which terms an article yields: a model fitted under other
    /// settings would give other terms for the same text.
    public struct AnalyzerFingerprint: Codable, Equatable, Sendable {
        public var defaultLanguage: String
        public var minTokenLength: Int
        public init(_ settings: Profile.AnalyzerSettings) {
            defaultLanguage = settings.defaultLanguage
            minTokenLength = settings.minTokenLength
        }
    }

    public var documents: Int
    public var analyzer: AnalyzerFingerprint
    public var terms: [String]
    public var documentFrequency: [Int32]
    public var collectionFrequency: [Int64]

    public init(documents: Int, analyzer: AnalyzerFingerprint, terms: [String], documentFrequency: [Int32], collectionFrequency: [Int64]) {
        self.documents = documents
        self.analyzer = analyzer
        self.terms = terms
        self.documentFrequency = documentFrequency
        self.collectionFrequency = collectionFrequency
    }
}
