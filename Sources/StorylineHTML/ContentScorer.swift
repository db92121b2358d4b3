
/// Finds a page's article body by scoring its blocks, after Readability's method, and writes it
/// out as plain text (paragraphs apart by a blank line, `<br>` as a line break).
///
/// 1. Junk goes first: scripts and the like, navigation, hidden elements, dialogs and menus by
///    their ARIA role, and blocks whose class or id reads like a comment section, share bar,
///    sidebar, related links, cookie or newsletter box (unless it also reads like content).
/// 2. Each paragraph-like block (a `<p>`, `<pre>`, `<td>`, a `<div>` with no block inside, the
///    loose text of a `<div>`) of at least 25 characters scores `1 + commas + min(3, length/100)`;
///    its parent gets the score, its grandparent half, the next a sixth. A container's own score
///    starts from its tag (a `<div>` +5, a list −3, a heading −5) and its class/id (±25), and is
///    scaled by `1 − link density` (the share of its text inside links).
/// 3. The best container, and those of its siblings that score near it or are plain prose
///    paragraphs, are the article. Inside it, lists, tables and boxes made mostly of links (or
///    with a junk class and little prose) are dropped, as are headings that are links.
struct ContentScorer {
    typealias Node = HTMLNode

    /// Per element: text length (bytes, whitespace runs counted once), text inside links, commas.
    struct Stats { var text = 0, links = 0, commas = 0 }
    // Per element, by the index ``index(_:)`` gives it (kept in libxml2's `_private` field).
    private var stats: [Stats] = []
    private var scores: [Double?] = []
    private var weights: [Int?] = []
    /// The length of the prose paragraphs under each element (100+ characters, few links).
    private var prose: [Int] = []
    /// Tag names, lowercased.
    private var tags: [String] = []
    /// `class` and `id`, lowercased, with a space between; and apart.
    private var names: [[UInt8]] = []
    private var classes: [[UInt8]] = []
    private var ids: [[UInt8]] = []

    /// How much more prose an ancestor must hold to become the article (extraction-dev F1 at 1.3,
    /// 1.6, 2.0, never: 0.956, 0.957, 0.953, 0.940).
    static let proseGain = 1.5
    static let hardJunkTags: Set<String> = ["script", "style", "noscript", "template", "svg", "iframe", "select", "title",
                                            "input", "textarea", "object", "embed", "canvas", "map", "link", "meta"]
    static let junkTags: Set<String> = ["nav", "footer", "aside", "header", "dialog", "menu", "figcaption", "button"]
    static let blockTags: Set<String> = ["address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir", "div", "dl",
                                         "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                                         "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "table",
                                         "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "caption"]
    static let junkRoles: Set<String> = ["menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog", "banner",
                                         "contentinfo", "search"]
    static let unlikely: [[UInt8]] = (["-ad-", "ai2html", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap", "disqus", "extra",
                           "footer", "gdpr", "header", "legends", "menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar",
                           "skyscraper", "social", "sponsor", "supplemental", "ad-break", "agegate", "pagination", "pager", "popup",
                           "yom-remote", "cookie", "consent", "newsletter", "subscribe", "share", "promo", "recommend", "outbrain",
                           "taboola", "signup", "paywall", "most-read", "mostread", "trending", "byline", "author-bio", "toolbar"] as [String]).map { Array($0.utf8) }
    /// Names of comment sections: their paragraphs never make them the article.
    static let comments: [[UInt8]] = ["comment", "disqus", "replies", "respond"].map { Array($0.utf8) }
    static let maybe: [[UInt8]] = (["and", "article", "body", "column", "content", "main", "mathjax", "shadow", "story", "post-body", "entry"] as [String]).map { Array($0.utf8) }
    static let negative: [[UInt8]] = (["-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "footer", "gdpr", "masthead", "media",
                           "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor",
                           "shopping", "tags", "widget", "newsletter", "cookie", "taboola", "recirc", "teaser", "caption", "credit"] as [String]).map { Array($0.utf8) }
    static let positive: [[UInt8]] = (["article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination", "post", "text",
                           "blog", "story"] as [String]).map { Array($0.utf8) }

    /// The article text under `body` (the page's root: broken pages put their body in the head), or nil when nothing scores (the caller falls back).
    mutating func extract(body: Node, skipping title: String) -> String? {
        index(body)
        measure(body)
        removeJunk(body)
        _ = measure(body)
        var candidates: [Node] = []
        scoreParagraphs(body, into: &candidates)
        var best: Node? = nil
        var bestScore = 0.0
        for c in candidates {
            let s = (scores[key(c)] ?? 0) * (1 - linkDensity(c))
            scores[key(c)] = s
            if s > bestScore { best = c; bestScore = s }
        }
        guard var top = best else { return nil }
        // Where near-best candidates share an ancestor with the best (an article split into boxes
        // by ads and pictures), that ancestor is the article.
        let alternatives = candidates.filter { $0 != top && (scores[key($0)] ?? 0) >= bestScore * 0.75 }
            .sorted { (scores[key($0)] ?? 0) > (scores[key($1)] ?? 0) }.prefix(5)
        if alternatives.count >= 3 {
            var parent = top.parentElement
            while let p = parent, !["body", "html"].contains(name(p)) {
                if alternatives.filter({ isAncestor(p, of: $0) }).count >= 3 { top = p; break }
                parent = p.parentElement
            }
        }
        // Up while a scored parent is better, or not much worse (its children share the text).
        var lastScore = scores[key(top)] ?? 0
        var up = top.parentElement
        while let p = up, !["body", "html"].contains(name(p)) {
            guard let parentScore = scores[key(p)] else { up = p.parentElement; continue }
            if parentScore < lastScore / 3 { break }
            if parentScore > lastScore { top = p; break }
            lastScore = parentScore
            up = p.parentElement
        }
        // Up while an ancestor holds much more prose than the article found so far (an article whose
        // parts sit in separate boxes, deeper or shallower), nearly all of it outside links.
        // An <article> is a boundary: pages that scroll on append the next story beside it.
        var up2 = name(top) == "article" ? nil : top.parentElement
        while let p = up2, !["body", "html"].contains(name(p)) {
            let mine = prose[key(top)], theirs = prose[key(p)]
            if name(p) == "article" {
                if Double(theirs) >= Double(mine) * Self.proseGain, linkDensity(p) < 0.25 { top = p }
                break
            }
            if Double(theirs) >= Double(mine) * Self.proseGain, linkDensity(p) < 0.25 { top = p }
            up2 = p.parentElement
            if Double(theirs) > Double(mine) * 4 { break }
        }
        // A lone child that holds all of its parent's text stands for the parent (Readability does likewise).
        while let parent = top.parentElement, !["body", "html"].contains(name(parent)),
              elementChildren(parent).count == 1 {
            top = parent
        }
        bestScore = scores[key(top)] ?? bestScore
        var parts: [Node] = []
        if let parent = top.parentElement {
            let bar = max(10, bestScore * 0.2)
            for sibling in elementChildren(parent) {
                if sibling == top { parts.append(sibling); continue }
                let s = scores[key(sibling)] ?? 0
                let st = stats[key(sibling)]
                var keep = s >= bar
                if !keep, name(sibling) == "p" {
                    let density = linkDensity(sibling)
                    keep = (st.text > 80 && density < 0.25) || (st.text > 0 && density == 0 && endsSentence(sibling))
                }
                if keep { parts.append(sibling) }
            }
        } else {
            parts = [top]
        }
        var writer = TextWriter(skipping: title)
        for p in parts { write(p, into: &writer) }
        let text = writer.finish()
        return text.isEmpty ? nil : text
    }

    // MARK: junk

    /// Removes junk under `root`. Broken pages often leave the whole article inside an unclosed
    /// `<header>` or `<button>`, or a "site_header" box, and some sites name their article's box
    /// "share-container" or "sidebar-content": what holds an `<article>`, a `<main>` or five
    /// paragraphs of prose (not in list items, where teasers keep their blurbs) is never junk by
    /// its name alone.
    private func removeJunk(_ root: Node) {
        var doomed: [Node] = []
        let holdsArticle: (Node) -> Bool = { node in
            var paragraphs = 0
            var found = false
            let comments = Self.containsAny(names[key(node)], Self.comments)
            walkElements(node) { n in
                if found { return false }
                switch name(n) {
                case "main": found = true; return false
                case "article":
                    // Comment sections hold an <article> per comment.
                    found = !Self.containsAny(names[key(n)], Self.unlikely)
                    return !found
                case "li": return false  // a teaser's blurb is no article paragraph
                case "p":
                    if !comments, stats[key(n)].text >= 80 { paragraphs += 1; found = paragraphs >= 5 }
                    return false
                default: return true
                }
            }
            return found
        }
        walkElements(root) { node in
            let tag = name(node)
            if Self.hardJunkTags.contains(tag) { doomed.append(node); return false }
            if Self.junkTags.contains(tag) {
                if holdsArticle(node) { return true }
                doomed.append(node); return false
            }
            if node.attribute("hidden") != nil || node.attribute("aria-hidden") == "true" {
                doomed.append(node); return false
            }
            if let style = node.attribute("style")?.lowercased().filter({ $0 != " " }),
               style.contains("display:none") || style.contains("visibility:hidden") {
                doomed.append(node); return false
            }
            if let role = node.attribute("role")?.lowercased(), Self.junkRoles.contains(role), !holdsArticle(node) {
                doomed.append(node); return false
            }
            if !["body", "a", "article", "main", "html", "head"].contains(tag) {
                let v = names[key(node)]
                if !v.isEmpty, Self.containsAny(v, Self.unlikely), !Self.containsAny(v, Self.maybe),
                   !holdsArticle(node) {
                    doomed.append(node); return false
                }
            }
            return true
        }
        for node in doomed {
            node.remove()
        }
    }

    // MARK: measuring and scoring

    @discardableResult
    private mutating func measure(_ node: Node) -> Stats {
        var s = Stats()
        var child = node.firstChild
        var space = true
        while let c = child {
            if c.isText, let content = c.content {
                var p = content
                while p.pointee != 0 {
                    let b = p.pointee
                    if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                        if !space { s.text += 1; space = true }
                    } else {
                        s.text += 1
                        space = false
                        if b == 0x2C { s.commas += 1 }
                    }
                    p += 1
                }
            } else if c.isElement {
                let inner = measure(c)
                s.text += inner.text
                s.commas += inner.commas
                s.links += name(c) == "a" ? inner.text : inner.links
                space = false
            }
            child = c.next
        }
        stats[key(node)] = s
        return s
    }

    private func linkDensity(_ node: Node) -> Double {
        let s = stats[key(node)]
        guard s.text > 0 else { return 0 }
        return Double(s.links) / Double(s.text)
    }

    private mutating func classWeight(_ node: Node) -> Int {
        if let w = weights[key(node)] { return w }
        var w = 0
        for v in [classes[key(node)], ids[key(node)]] where !v.isEmpty {
            if Self.containsAny(v, Self.negative) { w -= 25 }
            if Self.containsAny(v, Self.positive) { w += 25 }
        }
        weights[key(node)] = w
        return w
    }

    private mutating func initialScore(_ node: Node) -> Double {
        var s: Double
        switch name(node) {
        case "div", "article", "main", "section": s = 5
        case "pre", "td", "blockquote": s = 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": s = -3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": s = -5
        default: s = 0
        }
        if name(node) == "article" { s += 10 }
        return s + Double(classWeight(node))
    }

    /// Scores every paragraph-like block under `root`, crediting its ancestors.
    private mutating func scoreParagraphs(_ root: Node, into candidates: inout [Node]) {
        var blocks: [(node: Node, own: Bool)] = []
        walkElements(root) { node in
            let tag = name(node)
            switch tag {
            case "p", "pre", "td":
                blocks.append((node, false))
                return false
            case "div", "section", "article", "main", "span", "font", "center":
                if !hasBlockChild(node) {
                    if tag != "span" && tag != "font" { blocks.append((node, false)) }
                    return false
                }
                if ownTextLength(node) >= 25 { blocks.append((node, true)) }
                return true
            default:
                return true
            }
        }
        for (node, own) in blocks {
            let length = own ? ownTextLength(node) : stats[key(node)].text
            guard length >= 25 else { continue }
            if length >= 100, linkDensity(node) < 0.3 {
                var a: Node? = node
                while let n = a { prose[key(n)] += length; a = n.parentElement }
            }
            let commas = own ? 0 : stats[key(node)].commas
            let score = 1 + Double(commas) + Double(min(3, length / 100))
            // Loose text of a div counts for that div as if it were a child paragraph.
            var ancestor: Node? = own ? node : node.parentElement
            var level = 0
            while let a = ancestor, level < 3 {
                if scores[key(a)] == nil {
                    scores[key(a)] = initialScore(a)
                    candidates.append(a)
                }
                let divider = level == 0 ? 1.0 : level == 1 ? 2.0 : Double(level * 3)
                scores[key(a)]! += score / divider
                ancestor = a.parentElement
                level += 1
            }
        }
    }

    private func hasBlockChild(_ node: Node) -> Bool {
        var child = node.firstChild
        while let c = child {
            if c.isElement {
                let tag = name(c)
                if Self.blockTags.contains(tag) || tag == "br" && false { return true }
                if (tag == "span" || tag == "font" || tag == "a"), hasBlockChild(c) { return true }
            }
            child = c.next
        }
        return false
    }

    /// Length of the text directly in `node` and in its inline children (not in its blocks).
    private func ownTextLength(_ node: Node) -> Int {
        var n = 0
        var child = node.firstChild
        while let c = child {
            if c.isText, let content = c.content {
                n += HTMLExtractor.clean(String(cString: content)).utf8.count
            } else if c.isElement, !Self.blockTags.contains(name(c)) {
                n += stats[key(c)].text
            }
            child = c.next
        }
        return n
    }

    private func endsSentence(_ node: Node) -> Bool {
        let t = HTMLExtractor.clean(node.text)
        return t.hasSuffix(".") || t.hasSuffix("!") || t.hasSuffix("?") || t.hasSuffix("”") || t.hasSuffix("\"")
    }

    // MARK: writing

    /// Writes `node`'s text, block by block, dropping link boxes and junk inside the article.
    private mutating func write(_ node: Node, into w: inout TextWriter) {
        let tag = name(node)
        if tag == "br" { w.lineBreak(); return }
        if isJunkInside(node, tag) { return }
        let block = Self.blockTags.contains(tag)
        if block { w.endBlock() }
        var child = node.firstChild
        while let c = child {
            if c.isText, let content = c.content {
                w.append(content)
            } else if c.isElement {
                write(c, into: &w)
            }
            child = c.next
        }
        if block { w.endBlock() }
    }

    private mutating func isJunkInside(_ node: Node, _ tag: String) -> Bool {
        switch tag {
        case "h1", "h2", "h3", "h4", "h5", "h6":
            return classWeight(node) < 0 || linkDensity(node) > 0.33
        case "ul", "ol", "table", "div", "section", "form", "dl", "figure":
            let s = stats[key(node)]
            let density = linkDensity(node)
            let weight = classWeight(node)
            if weight < 0 && s.commas < 10 { return true }
            if weight < 25 && density > 0.5 && s.commas < 10 { return true }
            if weight < 25 && density > 0.2 && s.text < 200 && s.commas < 2 && tag != "table" && tag != "ul" && tag != "ol" { return true }
            return false
        default:
            return false
        }
    }

    // MARK: tree helpers

    /// Numbers the elements under `root` (in `_private`) and reads their tags, classes and ids once.
    private mutating func index(_ root: Node) {
        walkElements(root) { node in
            node.index = tags.count
            tags.append(node.name)
            var c = Array((node.attribute("class") ?? "").utf8)
            var i = Array((node.attribute("id") ?? "").utf8)
            for k in c.indices where c[k] >= 0x41 && c[k] <= 0x5A { c[k] |= 0x20 }
            for k in i.indices where i[k] >= 0x41 && i[k] <= 0x5A { i[k] |= 0x20 }
            classes.append(c)
            ids.append(i)
            names.append(c.isEmpty ? i : i.isEmpty ? c : c + [0x20] + i)
            return true
        }
        stats = Array(repeating: Stats(), count: tags.count)
        scores = Array(repeating: nil, count: tags.count)
        weights = Array(repeating: nil, count: tags.count)
        prose = Array(repeating: 0, count: tags.count)
    }

    @inline(__always)
    private func key(_ node: Node) -> Int { node.index }

    @inline(__always)
    private func name(_ node: Node) -> String { tags[key(node)] }

    /// Whether `haystack` holds any of `patterns` (ASCII, lowercase).
    static func containsAny(_ haystack: [UInt8], _ patterns: [[UInt8]]) -> Bool {
        haystack.withUnsafeBufferPointer { h in
            for p in patterns where p.count <= h.count {
                let first = p[0]
                var i = 0
                while i + p.count <= h.count {
                    if h[i] == first {
                        var j = 1
                        while j < p.count, h[i + j] == p[j] { j += 1 }
                        if j == p.count { return true }
                    }
                    i += 1
                }
            }
            return false
        }
    }

    private func isAncestor(_ a: Node, of node: Node) -> Bool {
        var p = node.parentElement
        while let q = p {
            if q == a { return true }
            p = q.parentElement
        }
        return false
    }

    private func elementChildren(_ node: Node) -> [Node] {
        var out: [Node] = []
        var child = node.firstChild
        while let c = child {
            if c.isElement { out.append(c) }
            child = c.next
        }
        return out
    }

    private func walkElements(_ node: Node, _ visit: (Node) -> Bool) {
        guard visit(node) else { return }
        var child = node.firstChild
        while let c = child {
            let next = c.next
            if c.isElement { walkElements(c, visit) }
            child = next
        }
    }
}

/// Collects text into paragraphs: whitespace collapsed, a blank line between blocks, a line
/// break for `<br>`; a paragraph equal to the headline is left out.
struct TextWriter {
    private var paragraphs: [String] = []
    private var current: [UInt8] = []
    private var space = false
    private let skipping: String

    init(skipping title: String) { skipping = title }

    mutating func append(_ content: UnsafePointer<UInt8>) {
        var p = content
        while p.pointee != 0 {
            let b = p.pointee
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                space = !current.isEmpty && current.last != 0x0A
            } else if b == 0xC2, (p + 1).pointee == 0xA0 {
                space = !current.isEmpty && current.last != 0x0A
                p += 1
            } else {
                if space { current.append(0x20) }
                space = false
                current.append(b)
            }
            p += 1
        }
    }

    mutating func lineBreak() {
        if !current.isEmpty, current.last != 0x0A { current.append(0x0A) }
        space = false
    }

    mutating func endBlock() {
        while current.last == 0x0A { current.removeLast() }
        if !current.isEmpty {
            let paragraph = String(decoding: current, as: UTF8.self)
            if paragraph != skipping { paragraphs.append(paragraph) }
        }
        current.removeAll(keepingCapacity: true)
        space = false
    }

    mutating func finish() -> String {
        endBlock()
        return paragraphs.joined(separator: "\n\n")
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
