internal import CTextCat
import Foundation
import StorylineCore

/// Language identification for articles without a `lang`: first the cheap pass of
/// ``QuickLanguageGuess`` (script, then distinctive frequent words), and where it cannot tell,
/// libexttextcat's n-gram fingerprints (Cavnar & Trenkle). The candidate languages and the code
/// each is reported as come from `Models/languages.conf` (`<fingerprint file> <ISO 639-1 code>`
/// per line); the fingerprints themselves from libexttextcat-data (`/usr/share/libexttextcat/`,
/// or `$STORYLINE_TEXTCAT_DATA`). Not thread-safe: one per analyzer.
public final class LanguageIdentifier {
    private let handle: UnsafeMutableRawPointer
    /// The first pass (nil: every sample goes to libexttextcat).
    public let quick: QuickLanguageGuess?
    /// Bytes of title and text looked at: enough for a stable answer, bounded cost per article.
    public static let sampleBytes = 600
    /// Fewer bytes than this are not identified: headlines alone are misread too often (on
    /// allsides-dev, one headline in six came out as another language).
    public static let minimumBytes = 120

    /// - Throws: a model error naming the file when the list or a fingerprint cannot be read.
    public init(configuration: String, fingerprints: String, quick: QuickLanguageGuess? = nil) throws {
        self.quick = quick
        guard FileManager.default.fileExists(atPath: configuration) else {
            throw StorylineError(.model, "language list not found", file: configuration)
        }
        let prefix = fingerprints.hasSuffix("/") ? fingerprints : fingerprints + "/"
        guard let h = special_textcat_Init(configuration, prefix) else {
            throw StorylineError(.model, "cannot load the language fingerprints listed there from \(prefix) (install libexttextcat-data)",
                                 file: configuration)
        }
        handle = h
        _ = textcat_SetProperty(handle, TCPROP_UTF8AWARE, 1)
    }

    deinit { textcat_Done(handle) }

    /// The fingerprint folder: `$STORYLINE_TEXTCAT_DATA`, else Debian's.
    public static var defaultFingerprints: String {
        ProcessInfo.processInfo.environment["STORYLINE_TEXTCAT_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/libexttextcat"
    }

    /// How a sample is identified.
    public enum Method: Sendable {
        /// The first pass, then the fingerprints where it cannot tell: what the analyzer uses.
        case shipped
        /// libexttextcat's fingerprints alone (for comparison).
        case fingerprintsOnly
        /// The first pass alone (nil where it cannot tell; for comparison).
        case quickOnly
    }

    /// The best-matching language code of a title and text, or nil when the text is too short or
    /// matches no listed language.
    public func identify(title: String, text: String, method: Method = .shipped) -> String? {
        var sample = Array(title.utf8.prefix(Self.sampleBytes))
        if sample.count < Self.sampleBytes {
            sample.append(0x0A)
            sample.append(contentsOf: text.utf8.prefix(Self.sampleBytes - sample.count))
        }
        // Cut back to a whole UTF-8 character.
        var lead = sample.count - 1
        while lead >= 0 && sample[lead] & 0xC0 == 0x80 { lead -= 1 }
        if lead >= 0 {
            let b = sample[lead]
            let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            if lead + length > sample.count { sample.removeLast(sample.count - lead) }
        }
        if sample.count < Self.minimumBytes { return nil }
        if method != .fingerprintsOnly, let quick, let guess = sample.withUnsafeBufferPointer({ quick.guess($0) }) { return guess }
        return method == .quickOnly ? nil : fingerprintLanguage(sample)
    }

    /// libexttextcat's answer alone for a sample (nil when it cannot tell).
    func fingerprintLanguage(_ sample: [UInt8]) -> String? {
        sample.withUnsafeBufferPointer { fingerprintLanguage($0) }
    }

    /// libexttextcat's answer alone for the bytes of `sample`, whatever lies after them.
    func fingerprintLanguage(_ sample: UnsafeBufferPointer<UInt8>) -> String? {
        // Copied with a NUL after it: parts of libexttextcat read the sample as a C string, past
        // the length it is given. Without the NUL, whatever lay after the bytes in memory changed
        // the answer, so two runs on two threads analyzed a few articles differently.
        guard !sample.isEmpty else { return nil }
        let terminated = UnsafeMutablePointer<CChar>.allocate(capacity: sample.count + 1)
        defer { terminated.deallocate() }
        sample.withMemoryRebound(to: CChar.self) { _ = terminated.initialize(from: $0.baseAddress!, count: sample.count) }
        terminated[sample.count] = 0
        let answer = textcat_Classify(handle, terminated, sample.count).map { String(cString: $0) }
        // "[en]", or "[en][de]" when the closest are too close to call: not identified; "SHORT" or "UNKNOWN".
        guard let answer, answer.hasPrefix("["), let end = answer.firstIndex(of: "]"),
              answer.index(after: end) == answer.endIndex else { return nil }
        let code = answer[answer.index(after: answer.startIndex)..<end]
        return code.isEmpty ? nil : String(code)
    }
}
