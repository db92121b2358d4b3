/// Term counts of one article under global feature ids, as kept in the store: sorted ids with
/// title and text counts. Encoded as 8 bytes per term (UInt32 id, UInt16 title, UInt16 text; little endian).
public struct ArticleTerms: Sendable, Equatable {
    public var ids: [Int32] = []
    public var titleCounts: [UInt16] = []
    public var textCounts: [UInt16] = []

    public init() {}

    public init(ids: [Int32], titleCounts: [UInt16], textCounts: [UInt16]) {
        self.ids = ids
        self.titleCounts = titleCounts
        self.textCounts = textCounts
    }

    /// The stored form: 8 bytes per term.
    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ids.count * 8)
        out.withUnsafeMutableBytes { raw in
            for k in 0..<ids.count {
                raw.storeBytes(of: UInt32(bitPattern: ids[k]).littleEndian, toByteOffset: k * 8, as: UInt32.self)
                raw.storeBytes(of: titleCounts[k].littleEndian, toByteOffset: k * 8 + 4, as: UInt16.self)
                raw.storeBytes(of: textCounts[k].littleEndian, toByteOffset: k * 8 + 6, as: UInt16.self)
            }
        }
        return out
    }

    /// Decodes the stored form.
    public init(_ encoded: EncodedTerms) {
        let n = encoded.count
        ids.reserveCapacity(n)
        titleCounts.reserveCapacity(n)
        textCounts.reserveCapacity(n)
        for k in 0..<n {
            let (id, title, text) = encoded[k]
            ids.append(id)
            titleCounts.append(title)
            textCounts.append(text)
        }
    }
}

/// An article's term counts in their stored form, borrowed from the store while it hands them
/// out: valid only inside the callback that receives it (copy with ``ArticleTerms/init(_:)``).
/// What a store returns for clustering, so a million articles' counts become TF-IDF rows as they
/// are read, with no arrays per article.
public struct EncodedTerms {
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// How many terms.
    @inline(__always) public var count: Int { bytes.count / 8 }

    /// The k-th term: feature id, title count, text count.
    @inline(__always) public subscript(k: Int) -> (id: Int32, title: UInt16, text: UInt16) {
        (Int32(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8, as: UInt32.self))),
         UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8 + 4, as: UInt16.self)),
         UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8 + 6, as: UInt16.self)))
    }
}
