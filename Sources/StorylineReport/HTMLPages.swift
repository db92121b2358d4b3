import Foundation
import StorylineCore
import StorylineIngest
import StorylineText
import StorylineVectors
import StorylineStore

/// The HTML report: self-contained pages (inline CSS and SVG; no fonts, images or scripts from
/// anywhere but the report's own folder), every piece of article text escaped, readable on a phone.
/// The index pages carry a short inline script that filters and sorts all stories (their rows
/// in `stories.js`); without it they are plain pages of 500 stories each.
enum HTMLPages {
    /// Escapes text for HTML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in DisplayText.clean(s).unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `2021-05-12T03:00:00Z` → `2021-05-12 03:00 UTC`.
    static func shortDate(_ iso: String) -> String {
        iso.count >= 16 ? iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC" : iso
    }

    static let palette = ["#2563eb", "#9333ea", "#dc2626", "#059669", "#d97706", "#0891b2", "#4b5563", "#db2777"]

    static let css = """
        :root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--chip:#eef2ff}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
        main{max-width:1100px;margin:0 auto;padding:16px}h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.15rem;margin:1.6em 0 .5em;border-bottom:1px solid var(--line)}
        a{color:#1d4ed8}.muted{color:var(--muted)}.scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}th{font-size:.85rem;color:var(--muted)}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}.card{border:1px solid var(--line);border-radius:8px;padding:12px}
        .card h3{margin:0 0 .3em;font-size:1rem}.chip{display:inline-block;background:var(--chip);border-radius:12px;padding:1px 8px;margin:2px;font-size:.85rem}
        .chip small{color:var(--muted)}form#filters{display:flex;flex-wrap:wrap;gap:6px 14px;margin:0 0 10px;font-size:.9rem}nav.pages{margin:6px 0;font-size:.9rem}svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#374151}
        """

    /// A page. `script`: the index's filters, with the path to the report's root (for `stories.js`).
    static func page(title: String, body: String, script root: String? = nil) -> String {
        let scripts = root.map { "<script src=\"\($0)stories.js\"></script><script>\(indexScript)</script>" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title><style>\(css)</style></head>
        <body><main>
        \(body)
        </main>\(scripts)</body></html>

        """
    }

    /// Stories per page of the index (the pages readable without script).
    static let storiesPerPage = 500

    /// One page of the index: the overview, filters (with script), and stories `page`
    /// (1-based) of the pages in story order. Page 1 is `index.html`; page K `pages/K.html`.
    static func index(_ report: FramingReport, page: Int = 1) -> String {
        let pages = max(1, (report.stories.count + storiesPerPage - 1) / storiesPerPage)
        let root = page == 1 ? "" : "../"
        func pageLink(_ k: Int) -> String { k == 1 ? "\(root)index.html" : "\(root)pages/\(k).html" }
        var body = "<header><h1>How each outlet told each story</h1><p class=\"muted\">\(report.stories.count) stories, \(report.outlets.count) outlets. Generated \(escape(report.generated)) by Storyline.\(report.storylines.isEmpty ? "" : " <a href=\"\(root)storylines.html\">\(report.storylines.count) storylines</a>: who followed each matter up.")\(report.outlet_profiles.isEmpty ? "" : " <a href=\"\(root)outlets.html\">Outlet profiles</a>: how each outlet tells the news across the stories it shares.")</p></header>\n"
        body += "<section id=\"stories\"><h2>Stories</h2>"
        body += filterForm(report)
        var nav = "<nav class=\"pages\" aria-label=\"Pages of stories\">Page \(page) of \(pages)"
        if page > 1 { nav += " · <a href=\"\(pageLink(page - 1))\">← previous</a>" }
        if page < pages { nav += " · <a href=\"\(pageLink(page + 1))\">next →</a>" }
        if pages > 2 { nav += " · " + (1...pages).map { $0 == page ? "<strong>\($0)</strong>" : "<a href=\"\(pageLink($0))\">\($0)</a>" }.joined(separator: " ") }
        nav += "</nav>"
        body += "<div id=\"static\">\(nav)<div class=\"scroll\"><table><thead><tr><th>Story</th><th>Articles</th><th>Outlets</th><th>First reported by</th>"
        body += report.groups.isEmpty ? "" : "<th>Coverage by group</th>"
        body += "</tr></thead><tbody>\n"
        let first = (page - 1) * storiesPerPage
        for s in report.stories[min(first, report.stories.count)..<min(first + storiesPerPage, report.stories.count)] {
            body += "<tr><td><a href=\"\(root)stories/\(s.id).html\">\(escape(s.title))</a><br><span class=\"muted\">\(escape(String((s.first_published ?? "undated").prefix(10))))</span></td>"
            body += "<td>\(s.article_count)</td><td>\(s.outlets.count)</td><td>\(escape(s.first_reported_by ?? "—"))</td>"
            if !report.groups.isEmpty { body += "<td>\(coverageBar(s.coverage, groups: report.groups, width: 160, legend: false))</td>" }
            body += "</tr>\n"
        }
        body += "</tbody></table></div>\(nav)</div><div id=\"found\" hidden></div></section>\n"
        if page > 1 { return self.page(title: "Storyline report, page \(page)", body: body, script: root) }
        body += "<section id=\"outlets\"><h2>Outlets across stories</h2><div class=\"scroll\"><table><thead><tr><th>Outlet</th><th>Group</th><th>Stories</th><th>Articles</th><th>Reported first</th><th>Mean divergence from the story</th></tr></thead><tbody>\n"
        for o in report.outlets {
            body += "<tr><td>\(escape(o.outlet))</td><td>\(escape(o.group ?? ""))</td><td>\(o.stories)</td><td>\(o.articles)</td><td>\(o.first_reports)</td><td>\(o.mean_divergence.map { String(format: "%.2f", $0) } ?? "—")</td></tr>\n"
        }
        body += "</tbody></table></div></section>\n"
        body += "<section id=\"blindspots\"><h2>Blindspots</h2>"
        if report.groups.count < 2 {
            body += "<p class=\"muted\">No outlet groups given: pass <code>--outlets outlets.csv</code> (outlet, group) or <code>--group-field</code>.</p>"
        } else if report.blindspots.isEmpty {
            body += "<p class=\"muted\">No story is covered mostly by one group.</p>"
        } else {
            let listed = report.blindspots.prefix(storiesPerPage)
            if listed.count < report.blindspots.count {
                body += "<p class=\"muted\">The \(listed.count) strongest of \(report.blindspots.count); all are in report.json and, with the filters above, by group.</p>"
            }
            body += "<div class=\"scroll\"><table><thead><tr><th>Story</th><th>Covered by</th><th>Missing</th><th>Coverage</th></tr></thead><tbody>\n"
            for b in listed {
                body += "<tr><td><a href=\"stories/\(b.story).html\">\(escape(b.title))</a></td><td>\(escape(b.covered_by)) (\(Int(b.share * 100))%)</td><td>\(escape(b.missing.joined(separator: ", ")))</td><td>\(coverageBar(b.coverage, groups: report.groups, width: 160, legend: false))</td></tr>\n"
            }
            body += "</tbody></table></div>"
        }
        body += "</section>"
        return self.page(title: "Storyline report", body: body, script: root)
    }

    /// The storylines page: each storyline's steps on a timeline (a column each, in time order) and
    /// a row per outlet marking the steps it covered, with where it dropped the matter.
    static func storylines(_ report: FramingReport) -> String {
        let reported = Set(report.stories.map(\.id))
        var body = "<header><p><a href=\"index.html\">← all stories</a></p><h1>Storylines</h1><p class=\"muted\">\(report.storylines.count) storylines: stories of one matter (an event, its follow-ups weeks later) joined by the names they share. For each outlet, the steps it covered (●) and the step after which it dropped the matter while others went on.</p></header>\n"
        if report.storylines.isEmpty { body += "<p class=\"muted\">No two reported stories share a storyline.</p>" }
        for line in report.storylines {
            body += "<section id=\"storyline-\(line.id)\"><h2>\(escape(line.title)) <small class=\"muted\">storyline \(line.id), \(line.steps.count) steps, \(escape(String((line.first_published ?? "undated").prefix(10)))) – \(escape(String((line.last_published ?? "").prefix(10))))</small></h2>"
            body += "<div class=\"scroll\">\(storylineTimeline(line))</div><div class=\"scroll\"><table><thead><tr><th>Outlet</th>"
            for (k, step) in line.steps.enumerated() {
                let title = reported.contains(step.story) ? "<a href=\"stories/\(step.story).html\">\(escape(step.title))</a>" : escape(step.title)
                body += "<th>\(k + 1). \(escape(String((step.first_published ?? "undated").prefix(10))))<br>\(title)</th>"
            }
            body += "<th>Dropped after</th></tr></thead><tbody>\n"
            for o in line.outlets {
                body += "<tr><td>\(escape(o.outlet))\(o.group.map { " <small class=\"muted\">\(escape($0))</small>" } ?? "")</td>"
                for k in 1...line.steps.count { body += o.steps.contains(k) ? "<td aria-label=\"covered\">●</td>" : "<td></td>" }
                let end = o.dropped_after.map { "step \($0)" } ?? (o.followed_up ? "followed to the last step" : "came in at the last step")
                body += "<td>\(end)</td></tr>\n"
            }
            body += "</tbody></table></div></section>\n"
        }
        return page(title: "Storylines", body: body)
    }

    /// A storyline's steps on a time axis (a numbered guide at each dated step's first article) and
    /// a row per outlet with a dot on each step it covered; undated steps are listed below it.
    static func storylineTimeline(_ line: StorylineCoverage) -> String {
        let times = line.steps.map { $0.first_published.flatMap(ISODate.parse) }
        guard let lo = times.compactMap({ $0 }).min(), let hi = times.compactMap({ $0 }).max() else { return "<p class=\"muted\">No step is dated.</p>" }
        let span = max(hi - lo, 86400)
        let left = 170.0, width = 640.0, row = 22.0, top = 24.0
        func x(_ t: Double) -> Double { left + (t - lo) / span * (width - left - 20) }
        let height = top + Double(line.outlets.count) * row + 24
        var svg = "<svg role=\"img\" aria-label=\"Storyline timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (k, t) in times.enumerated() {
            guard let t else { continue }
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#d1d5db\" stroke-dasharray=\"3 3\"/>", x(t), top - 6, x(t), height - 20)
            svg += String(format: "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%d</text>", x(t), k + 1)
        }
        for (r, o) in line.outlets.enumerated() {
            let y = top + Double(r) * row + 8
            svg += "<text x=\"0\" y=\"\(y + 4)\">\(escape(String(o.outlet.prefix(26))))</text><line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#e5e7eb\"/>"
            for k in o.steps { if let t = times[k - 1] {
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.0f\" r=\"5\" ", x(t), y) + "fill=\"\(palette[r % palette.count])\">"
                    + "<title>\(escape(o.outlet)): step \(k), \(escape(line.steps[k - 1].title))</title></circle>"
            } }
        }
        svg += "<text x=\"\(left)\" y=\"\(Int(height) - 4)\">\(escape(String(ISODate.format(lo).prefix(10))))</text>"
        svg += "<text x=\"\(width - 10)\" y=\"\(Int(height) - 4)\" text-anchor=\"end\">\(escape(String(ISODate.format(hi).prefix(10))))</text></svg>"
        let undated = line.steps.indices.filter { times[$0] == nil }.map { String($0 + 1) }
        return svg + (undated.isEmpty ? "" : "<p class=\"muted\">Undated steps: \(undated.joined(separator: ", ")).</p>")
    }

    /// The filter form: hidden until the script (and its data, `stories.js`) has loaded.
    static func filterForm(_ report: FramingReport) -> String {
        var form = "<form id=\"filters\" hidden><label>Title <input type=\"search\" name=\"q\"></label> "
        form += "<label>Outlet <select name=\"outlet\"><option value=\"\">any</option>"
        for o in report.outlets.map(\.outlet).sorted() { form += "<option>\(escape(o))</option>" }
        form += "</select></label> "
        if !report.groups.isEmpty {
            form += "<label>Covered by <select name=\"group\"><option value=\"\">any group</option>"
            for g in report.groups { form += "<option>\(escape(g))</option>" }
            form += "</select></label> <label>Not covered by <select name=\"missing\"><option value=\"\">—</option>"
            for g in report.groups { form += "<option>\(escape(g))</option>" }
            form += "</select></label> "
        }
        form += "<label>From <input type=\"date\" name=\"from\"></label> <label>to <input type=\"date\" name=\"to\"></label> "
        form += "<label>At least <input type=\"number\" name=\"min\" min=\"1\" value=\"\" style=\"width:5em\"> articles</label> "
        form += "<label>Sort <select name=\"sort\"><option value=\"\">story id</option><option value=\"new\">newest first</option><option value=\"old\">oldest first</option><option value=\"size\">most articles</option><option value=\"outlets\">most outlets</option><option value=\"title\">title</option></select></label></form>"
        return form
    }

    /// The index's script, inline: reads the filters from the form and the address (`#outlet=…&q=…`,
    /// so a filtered view can be linked), filters and sorts `stories.js`'s rows, shows 200 at a time.
    static let indexScript = """
        (function(){var D=window.STORYLINE,f=document.getElementById("filters");if(!D||!f)return;
        var out=document.getElementById("found"),st=document.getElementById("static"),shown=200,R=document.querySelector("script[src$='stories.js']").getAttribute("src").slice(0,-10);
        function get(){var p={};new FormData(f).forEach(function(v,k){if(v)p[k]=v;});return p;}
        function set(p){Array.prototype.forEach.call(f.elements,function(e){if(e.name)e.value=p[e.name]||"";});}
        function fromHash(){var p={};location.hash.slice(1).split("&").forEach(function(kv){var i=kv.indexOf("=");if(i>0)p[decodeURIComponent(kv.slice(0,i))]=decodeURIComponent(kv.slice(i+1).replace(/\\+/g," "));});return p;}
        function el(tag,text,attrs){var e=document.createElement(tag);if(text!=null)e.textContent=text;for(var k in attrs||{})e.setAttribute(k,attrs[k]);return e;}
        function run(){var p=get(),q=(p.q||"").toLowerCase(),o=p.outlet?D.outlets.indexOf(p.outlet):-2,g=p.group?D.groups.indexOf(p.group):-1,m=p.missing?D.groups.indexOf(p.missing):-1,min=+p.min||0;
        var rows=D.stories.filter(function(s){return(!q||s[1].toLowerCase().indexOf(q)>=0)&&(o==-2||s[4].indexOf(o)>=0)&&(g<0||s[6][g]>0)&&(m<0||!s[6][m])&&s[3]>=min&&(!p.from||(s[2]&&s[2]>=p.from))&&(!p.to||(s[2]&&s[2].slice(0,10)<=p.to));});
        var by={new:function(a,b){return(b[2]||"")<(a[2]||"")?-1:1;},old:function(a,b){return(a[2]||"~")<(b[2]||"~")?-1:1;},size:function(a,b){return b[3]-a[3]||a[0]-b[0];},outlets:function(a,b){return b[4].length-a[4].length||a[0]-b[0];},title:function(a,b){return a[1].localeCompare(b[1]);}}[p.sort];
        if(by)rows.sort(by);var filtered=Object.keys(p).length>0;st.hidden=filtered;out.hidden=!filtered;out.textContent="";
        var h=Object.keys(p).map(function(k){return encodeURIComponent(k)+"="+encodeURIComponent(p[k]);}).join("&");if(("#"+h)!=location.hash&&(h||location.hash))history.replaceState(null,"",h?"#"+h:location.pathname);
        if(!filtered)return;out.appendChild(el("p",rows.length+" stories match"+(rows.length>shown?"; the first "+shown+" shown":""),{id:"count","data-count":rows.length}));
        var tb=el("tbody");rows.slice(0,shown).forEach(function(s){var tr=el("tr"),td=el("td");td.appendChild(el("a",s[1],{href:R+"stories/"+s[0]+".html"}));td.appendChild(el("br"));td.appendChild(el("span",(s[2]||"undated").slice(0,10),{"class":"muted"}));tr.appendChild(td);
        tr.appendChild(el("td",s[3]));tr.appendChild(el("td",s[4].map(function(i){return D.outlets[i];}).join(", ")));tr.appendChild(el("td",s[5]<0?"—":D.outlets[s[5]]));
        if(D.groups.length)tr.appendChild(el("td",D.groups.map(function(n,i){return s[6][i]?n+" "+s[6][i]:"";}).filter(String).join(", ")));tb.appendChild(tr);});
        var table=el("table");var hd=el("tr");["Story","Articles","Outlets","First reported by"].concat(D.groups.length?["Coverage by group"]:[]).forEach(function(c){hd.appendChild(el("th",c));});
        var th=el("thead");th.appendChild(hd);table.appendChild(th);table.appendChild(tb);var sc=el("div",null,{"class":"scroll"});sc.appendChild(table);out.appendChild(sc);
        if(rows.length>shown){var more=el("button","Show 200 more",{type:"button"});more.onclick=function(){shown+=200;run();};out.appendChild(more);}}
        f.hidden=false;set(fromHash());f.addEventListener("input",function(){shown=200;run();});f.addEventListener("submit",function(e){e.preventDefault();});window.addEventListener("hashchange",function(){set(fromHash());run();});
        run();document.body.setAttribute("data-ready",Math.round(performance.now()));})();
        """

    /// The rows the index's script filters: `window.STORYLINE = {outlets, groups, stories}`, each
    /// story `[id, title, first published, articles, [outlet indices], first reporter index or -1,
    /// [articles per group]]`. A script file beside the pages (pages opened from disk cannot fetch
    /// JSON); `<` is escaped so no text can close a script.
    static func indexData(_ report: FramingReport) -> String {
        var outletIndex: [String: Int] = [:]
        let outlets = report.outlets.map(\.outlet)
        for (k, o) in outlets.enumerated() { outletIndex[o] = k }
        func js(_ s: String) -> String {
            var out = "\""
            for u in DisplayText.clean(s).unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "<": out += "\\u003c"
                case ">": out += "\\u003e"
                case "&": out += "\\u0026"
                case "\u{2028}": out += "\\u2028"
                case "\u{2029}": out += "\\u2029"
                default:
                    if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        var out = "window.STORYLINE={outlets:[" + outlets.map(js).joined(separator: ",") + "],groups:[" + report.groups.map(js).joined(separator: ",") + "],stories:[\n"
        for s in report.stories {
            let outletIDs = s.outlets.compactMap { outletIndex[$0.outlet] }.map(String.init).joined(separator: ",")
            let coverage = report.groups.map { String(s.coverage[$0] ?? 0) }.joined(separator: ",")
            out += "[\(s.id),\(js(s.title)),\(js(s.first_published ?? "")),\(s.article_count),[\(outletIDs)],\(s.first_reported_by.flatMap { outletIndex[$0] } ?? -1),[\(coverage)]],\n"
        }
        return out + "]};\n"
    }

    static func story(_ s: StoryFraming, report: FramingReport) -> String {
        var body = "<nav><a href=\"../index.html\">← All stories</a></nav>\n<header><h1>\(escape(s.title))</h1><p class=\"muted\">Story \(s.id): \(s.article_count) articles from \(s.outlets.count) outlets"
        if let first = s.first_reported_by { body += "; first reported by <strong>\(escape(first))</strong> at \(escape(s.first_published.map(shortDate) ?? ""))" }
        body += ".</p>"
        if !s.dates_found.isEmpty || s.undated_articles > 0 {
            body += "<p class=\"muted\">" + ReportWriter.datesNote(s, escape: escape) + "</p>"
        }
        body += "</header>\n"
        body += "<section id=\"headlines\"><h2>Headlines side by side</h2><div class=\"scroll\"><table><thead><tr><th>Outlet</th><th>First published</th><th>Headline</th><th>Articles</th></tr></thead><tbody>\n"
        for o in s.outlets {
            body += "<tr><td>\(escape(o.outlet))\(o.group.map { "<br><span class=\"muted\">\(escape($0))</span>" } ?? "")</td><td>\(escape(o.first_published.map(shortDate) ?? "undated"))</td><td>\(o.headlines.map(escape).joined(separator: "<br>"))</td><td>\(o.article_count)</td></tr>\n"
        }
        body += "</tbody></table></div></section>\n"
        body += "<section id=\"timeline\"><h2>Coverage timeline</h2>\(timeline(s))</section>\n"
        body += "<section id=\"coverage\"><h2>Coverage by group</h2>"
        body += report.groups.isEmpty ? "<p class=\"muted\">No outlet groups given.</p>" : coverageBar(s.coverage, groups: report.groups, width: 480, legend: true)
        let bar = String(format: "%.2f", max(s.bar, report.framing.min_z))
        body += "</section>\n<section id=\"framing\"><h2>What each outlet stressed, and left out</h2><p class=\"muted\">\(ReportWriter.methodNote(report.framing, escape: escape)) \(s.bar > report.framing.min_z ? "In this story the bar is z ≥ \(bar): at \(String(format: "%.2f", report.framing.min_z)) chance passed more than 2.5% of its units. " : "")Left out: names, numbers and key words most of the other outlets carry that this outlet never mentions. Loaded language (shown where it differs beyond chance: sentences permuted among the outlets, p-values adjusted over the whole report, q < 0.05): words rated strongly emotional in the VADER lexicon. Similarity: cosine of the outlet's articles with the rest of the story.</p><div class=\"cards\">\n"
        for o in s.outlets {
            body += "<div class=\"card\"><h3>\(escape(o.outlet))</h3>"
            body += "<p class=\"muted\">Similarity to the story: \(o.similarity_to_story.map { String(format: "%.2f", $0) } ?? "—")</p><p class=\"stressed\">"
            body += o.distinctive_terms.isEmpty
                ? "<span class=\"muted\">Nothing stands out: none of the \(o.candidates_tested) words and phrases tested reaches z ≥ \(bar).</span>"
                : o.distinctive_terms.map { t in
                    let stability = t.stability.map { String(format: ", holds in %.0f%% of resamples", $0 * 100) } ?? ""
                    return "<span class=\"chip\" title=\"\(escape(t.kind)): \(t.count) here, \(t.rest_count) in the rest of the story\(stability)\">\(escape(t.term)) <small>\(String(format: "%.1f", t.z))</small></span>"
                }.joined()
            body += "</p>"
            if !o.omitted.isEmpty {
                body += "<p class=\"omitted\"><strong>Left out:</strong> " + o.omitted.map { "\(escape($0.term)) <small class=\"muted\">(\($0.carried_by) of \($0.of))</small>" }.joined(separator: ", ") + "</p>"
            }
            if let l = o.loaded_language, l.q < 0.05 {
                body += "<p class=\"loaded\"><strong>Loaded language:</strong> " + String(format: "%.1f%% of its words, %.1f%% in the rest of the story (p = %.3f, q = %.3f)", l.share * 100, l.rest_share * 100, l.p, l.q)
                    + (l.words.isEmpty ? "" : ": " + l.words.map(escape).joined(separator: ", ")) + "</p>"
            }
            if let first = o.first_quoted { body += "<p><strong>Quotes first:</strong> \(escape(first))</p>" }
            if !o.quoted.isEmpty {
                body += "<p><strong>Quoted:</strong> " + o.quoted.map { "\(escape($0.speaker)) (\($0.count))" }.joined(separator: ", ") + "</p>"
            }
            if !o.others_quote.isEmpty {
                body += "<p class=\"muted\"><strong>Others quote, not this outlet:</strong> " + o.others_quote.map { "\(escape($0.speaker)) (\($0.outlets))" }.joined(separator: ", ") + "</p>"
            }
            body += "</div>\n"
        }
        body += "</div></section>"
        return page(title: s.title, body: body)
    }

    /// One row per outlet, a dot per article, between the story's first and last publication.
    static func timeline(_ s: StoryFraming) -> String {
        let times = s.outlets.flatMap(\.timeline).compactMap(ISODate.parse)
        guard let lo = times.min(), let hi = times.max() else { return "<p class=\"muted\">No article is dated.</p>" }
        let span = max(hi - lo, 3600)
        let left = 170.0, width = 640.0, row = 22.0
        let height = Double(s.outlets.count) * row + 36
        var svg = "<svg role=\"img\" aria-label=\"Coverage timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (k, o) in s.outlets.enumerated() {
            let y = Double(k) * row + 16
            svg += "<text x=\"0\" y=\"\(y + 4)\">\(escape(String(o.outlet.prefix(26))))</text><line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#e5e7eb\"/>"
            for t in o.timeline.compactMap(ISODate.parse) {
                let x = left + (t - lo) / span * (width - left - 20)
                svg += "<circle cx=\(String(format: "\"%.1f\"", x)) cy=\"\(y)\" r=\"5\" fill=\"\(palette[k % palette.count])\"><title>\(escape(o.outlet)) \(escape(ISODate.format(t)))</title></circle>"
            }
        }
        let axis = Double(s.outlets.count) * row + 28
        svg += "<text x=\"\(left)\" y=\"\(axis)\">\(escape(String(ISODate.format(lo).replacingOccurrences(of: "T", with: " ").dropLast(4))))</text>"
        svg += "<text x=\"\(width - 10)\" y=\"\(axis)\" text-anchor=\"end\">\(escape(String(ISODate.format(hi).replacingOccurrences(of: "T", with: " ").dropLast(4))))</text></svg>"
        return svg
    }

    /// A stacked bar of articles per group.
    static func coverageBar(_ coverage: [String: Int], groups: [String], width: Int, legend: Bool) -> String {
        let keys = groups + (coverage["ungrouped"] != nil ? ["ungrouped"] : [])
        let total = Double(max(coverage.values.reduce(0, +), 1))
        let height = legend ? 24 + 18 * keys.count : 14
        var svg = "<svg role=\"img\" aria-label=\"Coverage by group\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" xmlns=\"http://www.w3.org/2000/svg\">"
        var x = 0.0
        for (k, g) in keys.enumerated() {
            let n = coverage[g] ?? 0
            guard n > 0 else { continue }
            let w = Double(width) * Double(n) / total
            svg += "<rect x=\(String(format: "\"%.1f\"", x)) y=\"0\" width=\(String(format: "\"%.1f\"", w)) height=\"14\" fill=\"\(palette[k % palette.count])\"><title>\(escape(g)): \(n)</title></rect>"
            x += w
        }
        if legend {
            for (k, g) in keys.enumerated() {
                let y = 32 + 18 * k
                svg += "<rect x=\"0\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\"/><text x=\"16\" y=\"\(y)\">\(escape(g)): \(coverage[g] ?? 0)</text>"
            }
        }
        return svg + "</svg>"
    }
}
