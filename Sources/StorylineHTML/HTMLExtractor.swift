internal import CLibXML2

/// What an HTML page says about its article.
public struct HTMLArticle: Sendable, Equatable {
    public var title: String
    public var text: String
    /// `article:published_time`, JSON-LD `datePublished`, `<time datetime>` or similar, as
    /// written in the page.
    public var published: String?
    /// Where `published` was found: "json-ld" or "meta" (a meta tag or `<time>`).
    public var publishedSource: String?
    /// When the page's metadata gives no date: the page's visible text (header and byline
    /// included, its first 30 KB), where a "Published ..." or "Updated ..." line may give one.
    public var visibleText: String? = nil
    /// `og:site_name`.
    public var siteName: String?
    /// `og:url` or the canonical link.
    public var url: String?
    /// The byline: JSON-LD `author` (its name), else the `author` or `article:author` meta tag.
    public var author: String? = nil
    /// JSON-LD `publisher` (its name).
    public var publisher: String? = nil
}

/// Extracts the headline, article text and metadata of an HTML page with libxml2's HTML parser
/// (which recovers from broken markup). Metadata comes first from JSON-LD (`headline`,
/// `datePublished`, `author`, `publisher`), then meta tags; the text is found by scoring blocks
/// (``ContentScorer``), else the paragraphs of the page's `<article>`, `<main>` or `<body>`.
///
/// This module does not import Foundation: libxml2's headers pull in the system ICU, which must
/// not meet Foundation's own copy in one module.
public enum HTMLExtractor {
    static let dropped: Set<String> = ["script", "style", "nav", "header", "footer", "aside", "form", "noscript",
                                       "template", "svg", "button", "iframe", "select", "figcaption"]
    static let blocks: Set<String> = ["p", "h2", "h3", "h4", "li", "blockquote", "pre"]

    /// - Parameters:
    ///   - charset: the encoding the transport declared (an HTTP `Content-Type`'s charset), used when
    ///     the bytes are not UTF-8; without it, the page's own `<meta charset>`.
    ///   - url: where the page was fetched, when known (its host names the site in the title).
    public static func extract(_ bytes: [UInt8], charset: String? = nil, url fetched: String? = nil) -> HTMLArticle? {
        _ = initialized
        guard let doc = parse(bytes, charset: charset) else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        // No depth limit in the parser (without XML_PARSE_HUGE its limit of 256 dropped what lay
        // deeper, silently): the deep parts are made shallow instead, for the walks below.
        flattenDeep(root, doc: doc, limit: maxDepth)
        let page = PageMetadata(root)
        let meta = page.meta
        let title = headline(h1: page.h1.map(clean), og: meta["og:title"].map(clean), jsonLD: page.jsonLDHeadline.map(clean),
                             titleTag: page.titleTag.map(clean), site: meta["og:site_name"], url: meta["og:url"] ?? page.canonical ?? fetched)
        let published = page.published
        var visible: String? = nil
        if published == nil, let body = page.body {
            var parts: [String] = []
            var size = 0
            collectText(body, into: &parts, dropping: ["script", "style", "noscript", "template", "svg"], budget: &size, limit: 30_000)
            visible = parts.joined(separator: " ")
        }
        // The text last: scoring removes junk from the tree.
        return HTMLArticle(
            title: title, text: articleText(root, page: page, title: title),
            published: published,
            publishedSource: published == nil ? nil : (page.jsonLDDate != nil ? "json-ld" : "meta"),
            visibleText: visible,
            siteName: meta["og:site_name"], url: meta["og:url"] ?? page.canonical,
            author: (page.jsonLDAuthor ?? meta["author"] ?? meta["article:author"]).map(clean).flatMap { $0.isEmpty || $0.hasPrefix("http") ? nil : $0 },
            publisher: page.jsonLDPublisher.map(clean))
    }

    /// The page's tree: bytes that are UTF-8 are read as UTF-8 whatever the page declares (pages
    /// saved as UTF-8 keep their old charset meta); others by the transport's charset, else the
    /// page's declaration (a charset libxml2 does not know: the page's declaration).
    static func parse(_ bytes: [UInt8], charset: String?) -> htmlDocPtr? {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue | XML_PARSE_HUGE.rawValue)
        let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
        func parse(_ encoding: String?) -> htmlDocPtr? {
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    htmlReadMemory(chars.baseAddress, Int32(chars.count), nil, encoding, options)
                }
            }
        }
        if let doc = parse(isUTF8 ? "UTF-8" : charset) { return doc }
        return !isUTF8 && charset != nil ? parse(nil) : nil
    }

    /// The article's text: the best-scored block (``ContentScorer``), else the paragraphs of the
    /// page's `<article>`, `<main>` or `<body>`, else all its text.
    static func articleText(_ root: xmlNodePtr, page: PageMetadata, title: String) -> String {
        var scorer = ContentScorer()
        if let scored = scorer.extract(body: HTMLNode(root), skipping: title) { return scored }
        guard let container = page.article ?? page.main ?? page.body else { return "" }
        var paragraphs: [String] = []
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
        return paragraphs.joined(separator: "\n\n")
    }

    /// What a page's head and markup say of it, in one walk: meta tags, JSON-LD, `<title>`, the
    /// first `<h1>` outside dropped boxes, dates, the canonical link, and its main containers.
    struct PageMetadata {
        var meta: [String: String] = [:]
        var titleTag: String? = nil
        var h1: String? = nil
        var timeTag: String? = nil
        var canonical: String? = nil
        var jsonLDDate: String? = nil, itempropDate: String? = nil
        var jsonLDHeadline: String? = nil, jsonLDAuthor: String? = nil, jsonLDPublisher: String? = nil
        var elementDates: Set<String> = []
        var article: xmlNodePtr? = nil, main: xmlNodePtr? = nil, body: xmlNodePtr? = nil

        init(_ root: xmlNodePtr) {
            walk(root) { node in visit(node) }
        }

        private mutating func visit(_ node: xmlNodePtr) -> Bool {
            let tag = name(node)
            switch tag {
            case "meta":
                if let key = attribute(node, "property") ?? attribute(node, "name"), let content = attribute(node, "content") {
                    meta[key.lowercased()] = content
                }
                if itempropDate == nil, let p = attribute(node, "itemprop")?.lowercased(), p == "datepublished" || p == "published-date" {
                    itempropDate = attribute(node, "content")
                }
            case "script":
                if attribute(node, "type")?.lowercased().contains("ld+json") == true {
                    let json = rawText(node)
                    if jsonLDDate == nil { jsonLDDate = jsonString(after: "\"datePublished\"", in: json) }
                    if jsonLDHeadline == nil { jsonLDHeadline = jsonString(after: "\"headline\"", in: json, limit: 500) }
                    if jsonLDAuthor == nil { jsonLDAuthor = jsonName(after: "\"author\"", in: json) }
                    if jsonLDPublisher == nil { jsonLDPublisher = jsonName(after: "\"publisher\"", in: json) }
                }
            case "title": if titleTag == nil { titleTag = text(node) }
            case "h1": if h1 == nil, !isInside(node, dropped) { h1 = text(node) }
            case "span", "div":
                // Often in the cards of other articles: trusted only when the page has one value.
                if let p = attribute(node, "itemprop")?.lowercased(), p == "datepublished" || p == "published-date",
                   let value = attribute(node, "content") ?? attribute(node, "datetime") {
                    elementDates.insert(value)
                }
            case "time":
                if attribute(node, "itemprop")?.lowercased() == "datepublished", itempropDate == nil { itempropDate = attribute(node, "datetime") }
                if timeTag == nil { timeTag = attribute(node, "datetime") }
            case "link": if attribute(node, "rel")?.lowercased() == "canonical" { canonical = attribute(node, "href") }
            case "article": if article == nil { article = node }
            case "main": if main == nil { main = node }
            case "body": if body == nil { body = node }
            default: break
            }
            return true
        }

        /// The publication date: JSON-LD (the most often right on extraction-dev), then the Open
        /// Graph article tag, then the other conventions, then the page's first `<time datetime>`.
        var published: String? {
            let metaDate = meta["article:published_time"] ?? meta["og:published_time"]
            let otherDate = itempropDate ?? metaKeysForDates.lazy.compactMap { meta[$0] }.first
                ?? (elementDates.count == 1 ? elementDates.first : nil) ?? timeTag
            return jsonLDDate ?? metaDate ?? otherDate
        }
    }

    /// The name a JSON-LD key gives: its string value, or the first `"name"` inside its object or
    /// array (`"author": [{"@type": "Person", "name": "Jane Doe"}]`).
    static func jsonName(after key: String, in json: String) -> String? {
        guard let start = json.firstRange(of: key) else { return nil }
        let rest = json[start.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == ":" }
        if rest.first == "\"" { return jsonString(after: key, in: json, limit: 200) }
        guard rest.first == "{" || rest.first == "[" else { return nil }
        return jsonString(after: "\"name\"", in: String(rest.prefix(600)), limit: 200)
    }

    /// The headline: the first that is not empty of `og:title`, `<title>`, the page's `<h1>` and
    /// JSON-LD's `headline`, without a trailing " | Site" or " - Site": the site's name or host (unless
    /// one word would be left: "Mozilla - Wikipedia"), or a tail of three words or fewer after a title
    /// of four or more. extraction-dev, titles equal to the label: 62.2% with `og:title`, `<h1>`,
    /// `<title>` as given; 69.9% so ordered with the tails cut; 76.9% with `<title>` before `<h1>`
    /// (most pages' `<h1>` is a shorter or longer headline than the one they share; Readability, which
    /// made the labels of 91 pages, reads `<title>` too); `<h1>` first 62.8%, JSON-LD first 74.4%.
    static func headline(h1: String?, og: String?, jsonLD: String? = nil, titleTag: String?, site: String?, url: String?) -> String {
        var chosen = [og, titleTag, h1, jsonLD].lazy.compactMap { $0 }.first { !$0.isEmpty } ?? ""
        var siteNames: [String] = []
        if let site { siteNames.append(squash(site)) }
        if let url, let host = url.split(separator: "/").dropFirst().first {
            let parts = host.split(separator: ".").filter { $0 != "www" }
            if parts.count >= 2 { siteNames.append(squash(String(parts[parts.count - 2]))) }
        }
        while true {
            var cut: String? = nil
            for separator in [" | ", " - ", " – ", " — ", " :: ", " » ", " · "] {
                guard let r = lastRange(of: separator, in: chosen) else { continue }
                let head = String(chosen[..<r.lowerBound]), tail = String(chosen[r.upperBound...])
                let tailWords = tail.split(separator: " ").count, headWords = head.split(separator: " ").count
                let named = siteNames.contains { !$0.isEmpty && (squash(tail).contains($0) || $0.contains(squash(tail))) }
                if (named && headWords > 1) || (tailWords <= 3 && headWords >= 4) { cut = head; break }
            }
            guard let c = cut else { break }
            chosen = c
        }
        return chosen
    }

    /// Lowercased letters and digits only.
    static func squash(_ s: String) -> String {
        String(String.UnicodeScalarView(s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }

    static func lastRange(of needle: String, in s: String) -> Range<String.Index>? {
        var found: Range<String.Index>? = nil
        var start = s.startIndex
        while let r = s[start...].firstRange(of: needle) { found = r; start = r.upperBound }
        return found
    }

    /// libxml2 initializes its globals once, before pages are parsed on several threads.
    static let initialized: Void = { xmlInitParser() }()

    /// Meta names that carry a publication date, in order of trust.
    static let metaKeysForDates = ["datepublished", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created",
                                   "dc.date", "article.published", "publishdate", "publish-date", "pubdate", "date",
                                   "cxenseparse:recs:publishtime", "citation_publication_date"]

    /// The string value after the first `key` (with its quotes) in JSON text (at most `limit` bytes
    /// of it), unescaped only of `\/` and the like.
    static func jsonString(after key: String, in json: String, limit: Int = 80) -> String? {
        let b = Array(json.utf8), k = Array(key.utf8)
        guard b.count > k.count else { return nil }
        var i = 0
        while i + k.count <= b.count {
            if b[i] == k[0], Array(b[i..<(i + k.count)]) == k {
                var j = i + k.count
                while j < b.count, b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x0D || b[j] == 0x09 { j += 1 }
                guard j < b.count, b[j] == 0x3A else { i += 1; continue }
                j += 1
                while j < b.count, b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x0D || b[j] == 0x09 { j += 1 }
                guard j < b.count, b[j] == 0x22 else { i += 1; continue }
                var out: [UInt8] = []
                j += 1
                while j < b.count, b[j] != 0x22, out.count < limit {
                    if b[j] == 0x5C, j + 1 < b.count { j += 1 }
                    out.append(b[j])
                    j += 1
                }
                return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// The text and CDATA children of `node`, as written (a script's source).
    static func rawText(_ node: xmlNodePtr) -> String {
        var parts: [String] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_TEXT_NODE || c.pointee.type == XML_CDATA_SECTION_NODE, let content = c.pointee.content {
                parts.append(String(cString: content))
            }
            child = c.pointee.next
        }
        return parts.joined()
    }

    /// Elements inside a word's run of text (`W<b>ord</b>` is one word); others part words.
    static let inline: Set<String> = ["a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                                      "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"]

    /// The depth past which a page's elements are flattened (news pages nest 20-40 deep).
    static let maxDepth = 100

    /// Makes the parts of a page nested deeper than `limit` shallow: each element at that depth,
    /// or the top of the chain it hangs from (ancestors with at most two element children, as
    /// unclosed `<div><p>` rows nest, each row holding the next), holds its subtree's text flat
    /// (``flatten``). Iterative, so a page nested 200,000 deep costs no stack.
    static func flattenDeep(_ root: xmlNodePtr, doc: xmlDocPtr, limit: Int) {
        var tops: [xmlNodePtr] = []
        var chainTop: xmlNodePtr?? = nil
        var stack: [(xmlNodePtr, Int)] = [(root, 0)]
        while let (node, depth) = stack.popLast() {
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE {
                    if depth + 1 < limit {
                        stack.append((c, depth + 1))
                    } else {
                        // The chain's top, climbed once per parent (not once per child: a parent
                        // with thousands of children at the limit must not cost their square).
                        if chainTop == nil { chainTop = climb(from: node) }
                        tops.append(chainTop! ?? c)
                    }
                }
                child = c.pointee.next
            }
            chainTop = nil
        }
        // Each top once, and none inside another (flattening frees what is under it): which tops
        // to flatten is decided before any is.
        var seen = Set<UnsafeMutableRawPointer>()
        tops = tops.filter { seen.insert(UnsafeMutableRawPointer($0)).inserted }
        let roots = tops.filter { !isUnder($0, any: seen) }
        for top in roots { flatten(top, doc: doc) }
    }

    /// The top of the chain that `parent`'s children at the depth limit hang from: `parent` and its
    /// ancestors while each has at most two element children (below `<body>`); nil when `parent`
    /// itself has more (each child is then its own top).
    static func climb(from parent: xmlNodePtr) -> xmlNodePtr?? {
        var node = parent
        guard parent.pointee.type == XML_ELEMENT_NODE, !["body", "html"].contains(name(parent)),
              hasAtMostTwoElementChildren(parent) else { return .some(nil) }
        while let p = node.pointee.parent, p.pointee.type == XML_ELEMENT_NODE,
              !["body", "html"].contains(name(p)), hasAtMostTwoElementChildren(p) {
            node = p
        }
        return .some(node)
    }

    static func hasAtMostTwoElementChildren(_ node: xmlNodePtr) -> Bool {
        var count = 0
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { count += 1; if count > 2 { return false } }
            child = c.pointee.next
        }
        return true
    }

    /// Whether an ancestor of `node` is one of `nodes`.
    static func isUnder(_ node: xmlNodePtr, any nodes: Set<UnsafeMutableRawPointer>) -> Bool {
        var p = node.pointee.parent
        while let q = p {
            if nodes.contains(UnsafeMutableRawPointer(q)) { return true }
            p = q.pointee.parent
        }
        return false
    }

    /// Replaces `node`'s children by its subtree's text, a child per block (see ``flattenDeep``).
    static func flatten(_ node: xmlNodePtr, doc: xmlDocPtr) {
        var segments: [(tag: String?, text: [UInt8])] = []
        var open: [String?] = [nil]
        var current: [UInt8] = []
        func close() {
            if current.contains(where: { $0 > 0x20 }) { segments.append((open.last!, current)) }
            current.removeAll(keepingCapacity: true)
        }
        // (node, entering): a block's exit ends its segment.
        var stack: [(xmlNodePtr, Bool)] = []
        func pushChildren(_ parent: xmlNodePtr) {
            var last = parent.pointee.last
            while let c = last { stack.append((c, true)); last = c.pointee.prev }
        }
        pushChildren(node)
        while let (x, entering) = stack.popLast() {
            if x.pointee.type == XML_TEXT_NODE || x.pointee.type == XML_CDATA_SECTION_NODE {
                if let content = x.pointee.content {
                    var p = content
                    while p.pointee != 0 { current.append(p.pointee); p += 1 }
                }
                continue
            }
            guard x.pointee.type == XML_ELEMENT_NODE else { continue }
            let tag = name(x)
            if dropped.contains(tag) { continue }
            let isBlock = blocks.contains(tag)
            if entering {
                if isBlock { close(); open.append(tag) } else if !inline.contains(tag) { current.append(0x20) }
                stack.append((x, false))
                pushChildren(x)
            } else if isBlock {
                close()
                open.removeLast()
            }
        }
        close()
        while let c = node.pointee.children {
            xmlUnlinkNode(c)
            xmlFreeNode(c)
        }
        for (tag, text) in segments {
            let textNode = text.withUnsafeBufferPointer { xmlNewDocTextLen(doc, $0.baseAddress, Int32($0.count)) }
            if let tag {
                let element = xmlNewDocNode(doc, nil, tag, nil)
                xmlAddChild(element, textNode)
                xmlAddChild(node, element)
            } else {
                xmlAddChild(node, textNode)
            }
        }
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

    /// The text under `node` but for `dropping`'s elements, until about `limit` bytes.
    static func collectText(_ node: xmlNodePtr, into parts: inout [String], dropping: Set<String>, budget: inout Int, limit: Int) {
        var child = node.pointee.children
        while let c = child, budget < limit {
            if c.pointee.type == XML_TEXT_NODE, let content = c.pointee.content {
                let t = String(cString: content)
                budget += t.utf8.count
                parts.append(t)
            } else if c.pointee.type == XML_ELEMENT_NODE, !dropping.contains(name(c)) {
                collectText(c, into: &parts, dropping: dropping, budget: &budget, limit: limit)
            }
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
        defer { storyline_xml_free(value) }
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

/// An element or text node of a parsed page: the Swift face of libxml2's `xmlNode`, so that only
/// this file imports the C library. Valid while its document lives.
struct HTMLNode: Equatable {
    private let node: xmlNodePtr

    init(_ node: xmlNodePtr) { self.node = node }

    var isElement: Bool { node.pointee.type == XML_ELEMENT_NODE }
    /// A text or CDATA node.
    var isText: Bool { node.pointee.type == XML_TEXT_NODE || node.pointee.type == XML_CDATA_SECTION_NODE }
    var firstChild: HTMLNode? { node.pointee.children.map(HTMLNode.init) }
    var next: HTMLNode? { node.pointee.next.map(HTMLNode.init) }
    /// The parent when it is an element (not the document).
    var parentElement: HTMLNode? {
        guard let p = node.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return HTMLNode(p)
    }
    /// The tag, lowercased.
    var name: String { HTMLExtractor.name(node) }
    func attribute(_ key: String) -> String? { HTMLExtractor.attribute(node, key) }
    /// A text node's bytes (UTF-8, NUL-terminated).
    var content: UnsafePointer<UInt8>? { node.pointee.content.map { UnsafePointer($0) } }
    /// The text under the node, minus dropped elements.
    var text: String { HTMLExtractor.text(node) }
    /// A number the caller gives the node (kept in libxml2's `_private`; -1 until set).
    var index: Int {
        get { Int(bitPattern: node.pointee._private) - 1 }
        nonmutating set { node.pointee._private = UnsafeMutableRawPointer(bitPattern: newValue + 1) }
    }
    /// Takes the node and what it holds out of the document, and frees it.
    func remove() {
        xmlUnlinkNode(node)
        xmlFreeNode(node)
    }
}
