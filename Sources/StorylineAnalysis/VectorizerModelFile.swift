import Foundation
import StorylineCore
import StorylineIngest
import StorylineVectors

/// A vectorizer model's file: a JSON header line, then a line per term (term, document
/// frequency, collection frequency, tab-separated); written whole or not at all, read with
/// errors that name the file and line (gzip and zstd files too, through the dump readers' lines).
extension VectorizerModel {
    public func write(to path: String) throws {
        let header = Header(format: Self.format, version: Self.version, documents: documents, terms: terms.count, analyzer: analyzer)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = Data()
        out.append(try encoder.encode(header))
        out.append(0x0A)
        var chunk = ""
        for id in terms.indices {
            chunk += "\(terms[id])\t\(documentFrequency[id])\t\(collectionFrequency[id])\n"
            if chunk.utf8.count > 1 << 20 { out.append(Data(chunk.utf8)); chunk = "" }
        }
        out.append(Data(chunk.utf8))
        // Whole file or nothing: write beside, then rename.
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: out) else {
            throw StorylineError(.io, "cannot write the model", file: path)
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw StorylineError(.io, "cannot write the model: \(String(cString: strerror(errno)))", file: path)
        }
    }

    /// Reads a model file; errors name the file and line.
    public static func read(_ path: String) throws -> VectorizerModel {
        var model: VectorizerModel?
        var expected = 0
        try LineReader(path: path).forEachLine { lineNumber, bytes in
            if lineNumber == 1 {
                let header: Header
                do { header = try JSONDecoder().decode(Header.self, from: Data(bytes)) } catch {
                    throw StorylineError(.model, "not a Storyline vectorizer model (the first line must be its JSON header)", file: path, line: 1)
                }
                guard header.format == format else {
                    throw StorylineError(.model, "format is \"\(header.format)\", expected \"\(format)\"", file: path, line: 1)
                }
                guard header.version == version else {
                    throw StorylineError(.model, "model version \(header.version) is not supported (this build reads version \(version))", file: path, line: 1)
                }
                guard header.documents >= 0, header.terms >= 0 else {
                    throw StorylineError(.model, "the header's documents (\(header.documents)) and terms (\(header.terms)) must not be negative", file: path, line: 1)
                }
                expected = header.terms
                model = VectorizerModel(documents: header.documents, analyzer: header.analyzer, terms: [], documentFrequency: [], collectionFrequency: [])
                model!.terms.reserveCapacity(expected)
                return
            }
            let fields = bytes.split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty,
                  let df = Int32(String(decoding: fields[1], as: UTF8.self)), df >= 0,
                  let cf = Int64(String(decoding: fields[2], as: UTF8.self)), cf >= Int64(df) else {
                throw StorylineError(.model, "expected term<TAB>df<TAB>cf with cf >= df >= 0", file: path, line: lineNumber)
            }
            guard df <= model!.documents else {
                throw StorylineError(.model, "df \(df) is larger than the model's \(model!.documents) documents", file: path, line: lineNumber)
            }
            model!.terms.append(String(decoding: fields[0], as: UTF8.self))
            model!.documentFrequency.append(df)
            model!.collectionFrequency.append(cf)
        }
        guard let model else { throw StorylineError(.model, "empty model file", file: path) }
        guard model.terms.count == expected else {
            throw StorylineError(.model, "the header announces \(expected) terms, the file has \(model.terms.count) (truncated?)", file: path)
        }
        var seen = Set<String>()
        for (k, t) in model.terms.enumerated() where !seen.insert(t).inserted {
            throw StorylineError(.model, "term \"\(t)\" appears twice", file: path, line: k + 2)
        }
        return model
    }
}
