internal import CLibXML2

/// What an HTML page says about its article.
public struct HTMLArticle: Sendable, Equatable {
    public var title: String
    public var text: String
    /// `article:published_time`, `<time datetime>` or similar, as written in the page.
    public var published: String?
    /// `og:site_name`.
    public var siteName: String?
    /// `og:url` or the canonical link.
    public var url: String?
}

/// Extracts the headline and article text of an HTML page with libxml2's HTML parser (which
/// recovers from broken markup). Script, style, navigation, header, footer, aside and form
/// content is dropped. The text is the paragraphs (and subheadings and list items) of the
/// page's `<article>` (else `<main>`, else `<body>`); when it has no paragraphs, all its text.
///
/// This module does not import Foundation: libxml2's headers pull in the system ICU, which must
/// not meet Foundation's own copy in one module.
public enum HTMLExtractor {
    static let dropped: Set<String> = ["script", "style", "nav", "header", "footer", "aside", "form", "noscript",
                                       "template", "svg", "button", "iframe", "select", "figcaption"]
    static let blocks: Set<String> = ["p", "h2", "h3", "h4", "li", "blockquote", "pre"]

    public static func extract(_ bytes: [UInt8]) -> HTMLArticle? {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue)
        let doc: htmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                htmlReadMemory(chars.baseAddress, Int32(chars.count), nil, nil, options)
            }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }

        var meta: [String: String] = [:]
        var titleTag: String? = nil
        var h1: String? = nil
        var timeTag: String? = nil
        var canonical: String? = nil
        var article: xmlNodePtr? = nil, main: xmlNodePtr? = nil, body: xmlNodePtr? = nil
        walk(root) { node in
            let tag = name(node)
            switch tag {
            case "meta":
                if let key = attribute(node, "property") ?? attribute(node, "name"), let content = attribute(node, "content") {
                    meta[key.lowercased()] = content
                }
            case "title": if titleTag == nil { titleTag = text(node) }
            case "h1": if h1 == nil, !isInside(node, dropped) { h1 = text(node) }
            case "time": if timeTag == nil { timeTag = attribute(node, "datetime") }
            case "link": if attribute(node, "rel")?.lowercased() == "canonical" { canonical = attribute(node, "href") }
            case "article": if article == nil { article = node }
            case "main": if main == nil { main = node }
            case "body": if body == nil { body = node }
            default: break
            }
            return true
        }
        let title = clean(meta["og:title"] ?? h1 ?? titleTag ?? "")
        var paragraphs: [String] = []
        if let container = article ?? main ?? body {
            walk(container) { node in
                let tag = name(node)
                if dropped.contains(tag) { return false }
                if blocks.contains(tag) {
                    let t = clean(text(node))
                    if !t.isEmpty && t != title { paragraphs.append(t) }
                    return false
                }
                return true
            }
            if paragraphs.isEmpty {
                var parts: [String] = []
                collectText(container, into: &parts)
                let all = clean(parts.joined(separator: " "))
                if !all.isEmpty { paragraphs.append(all) }
            }
        }
        return HTMLArticle(
            title: title, text: paragraphs.joined(separator: "\n\n"),
            published: meta["article:published_time"] ?? meta["og:published_time"] ?? meta["date"] ?? meta["pubdate"] ?? timeTag,
            siteName: meta["og:site_name"], url: meta["og:url"] ?? canonical)
    }

    /// Depth-first over element nodes; `visit` returns whether to descend.
    static func walk(_ node: xmlNodePtr, _ visit: (xmlNodePtr) -> Bool) {
        var child: xmlNodePtr? = node
        // The node itself, then its descendants.
        guard visit(node) else { return }
        child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { walk(c, visit) }
            child = c.pointee.next
        }
    }

    static func collectText(_ node: xmlNodePtr, into parts: inout [String]) {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_TEXT_NODE, let content = c.pointee.content {
                parts.append(String(cString: content))
            } else if c.pointee.type == XML_ELEMENT_NODE, !dropped.contains(name(c)) {
                collectText(c, into: &parts)
            }
            child = c.pointee.next
        }
    }

    static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    static func attribute(_ node: xmlNodePtr, _ key: String) -> String? {
        guard let value = xmlGetProp(node, key) else { return nil }
        defer { xmlFree(value) }
        return String(cString: value)
    }

    static func text(_ node: xmlNodePtr) -> String {
        var parts: [String] = []
        collectText(node, into: &parts)
        return parts.joined(separator: " ")
    }

    static func isInside(_ node: xmlNodePtr, _ tags: Set<String>) -> Bool {
        var p = node.pointee.parent
        while let q = p, q.pointee.type == XML_ELEMENT_NODE {
            if tags.contains(name(q)) { return true }
            p = q.pointee.parent
        }
        return false
    }

    /// Collapses runs of whitespace (including non-breaking spaces) and trims.
    static func clean(_ s: String) -> String {
        var out = ""
        var space = false
        for scalar in s.unicodeScalars {
            if scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar == "\u{00A0}" {
                space = !out.isEmpty
            } else {
                if space { out.unicodeScalars.append(" ") }
                space = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
