// hubmine explorer: every page reads the JSON API and writes data into the page as text, never as HTML.
(function () {
  "use strict";
  var RELATION_COLORS = {finetune: "#2563eb", adapter: "#16a34a", quantized: "#d97706", merge: "#9333ea",
    unknown: "#64748b", collapsed: "#cbd5e1"};
  var SEVERITY = {violation: 0, review: 1, warning: 2};
  var params = new URLSearchParams(location.search);
  var scope = params.get("scope") || localStorage.getItem("hubmine-scope") || "all";
  var app = document.getElementById("app");

  function el(tag, attrs) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null) return;
      if (k === "text") e.textContent = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i] != null) e.append(arguments[i]);
    return e;
  }
  // plotly renders a few HTML-like tags in labels: entity-escape every data string handed to it
  function plain(s) {
    return String(s === null || s === undefined ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function api(path, extra) {
    var u = new URL(path, location.origin);
    u.searchParams.set("scope", scope);
    Object.keys(extra || {}).forEach(function (k) { u.searchParams.set(k, extra[k]); });
    return fetch(u).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || r.statusText);
        return j;
      });
    });
  }
  function modelPath(id) { return id.split("/").map(encodeURIComponent).join("/"); }
  function modelHref(id) { return "/models/" + modelPath(id) + (scope !== "all" ? "?scope=" + scope : ""); }
  function modelLink(id) { return el("a", {href: modelHref(id), text: id}); }
  function fmt(v, col) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") {
      if (/share|rate/.test(col || "")) return (100 * v).toFixed(1) + "%";
      if (Number.isInteger(v)) return v.toLocaleString("en-US");
      return v.toLocaleString("en-US", {maximumSignificantDigits: 4});
    }
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (Array.isArray(v)) return v.join(", ");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function status(text, isError) {
    var s = document.getElementById("status");
    if (!s) return;
    s.textContent = text;
    s.className = isError ? "status error" : "status";
  }
  function section(title) {
    var s = el("section", {}, el("h2", {text: title}));
    app.append(s);
    return s;
  }

  // -- tables: sort (click a header), filter, page, download as CSV -------------------------------------
  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function table(parent, title, cols, rows, opts) {
    opts = opts || {};
    var pageSize = opts.pageSize || 100, shown = pageSize, sortCol = null, sortDir = 1, filter = "";
    var count = el("span", {class: "count"});
    var input = el("input", {type: "search", placeholder: "filter rows", "aria-label": "filter " + title});
    var download = el("button", {type: "button", text: "CSV", title: "download these rows as CSV"});
    var tbl = el("table", {"data-table": opts.name || title});
    var more = el("button", {type: "button", text: "show more"});
    parent.append(el("div", {class: "tools"}, el("h3", {text: title}), count, input, download), tbl, more);
    function visible() {
      var f = filter.toLowerCase();
      var out = rows.filter(function (r) {
        return !f || cols.some(function (c) { return fmt(r[c], c).toLowerCase().indexOf(f) >= 0; });
      });
      if (sortCol !== null) {
        out.sort(function (a, b) {
          var x = a[sortCol], y = b[sortCol];
          if (x === y) return 0;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sortDir;
        });
      }
      return out;
    }
    function render() {
      var vis = visible();
      tbl.textContent = "";
      var head = el("tr");
      cols.forEach(function (c) {
        var mark = sortCol === c ? (sortDir > 0 ? " ▲" : " ▼") : "";
        head.append(el("th", {text: c + mark, onclick: function () {
          sortDir = sortCol === c ? -sortDir : 1;
          sortCol = c;
          render();
        }}));
      });
      tbl.append(el("thead", {}, head));
      var body = el("tbody");
      vis.slice(0, shown).forEach(function (r) {
        var tr = el("tr");
        cols.forEach(function (c) {
          var v = r[c], td = el("td", {class: typeof v === "number" ? "num" : (String(v || "").length > 60 ? "long" : null)});
          var link = opts.links && opts.links[c] && v ? opts.links[c](r) : null;
          if (link) td.append(el("a", {href: link, text: fmt(v, c)}));
          else {
            var text = fmt(v, c);
            td.textContent = text.length > 160 ? text.slice(0, 157) + "…" : text;
            if (text.length > 160) td.title = text;
          }
          if (c === "severity") td.className = "sev-" + v;
          tr.append(td);
        });
        body.append(tr);
      });
      tbl.append(body);
      count.textContent = (vis.length === rows.length ? "" : vis.length.toLocaleString("en-US") + " of ") +
        rows.length.toLocaleString("en-US") + " rows" + (opts.total ? " (" + opts.total + ")" : "");
      more.hidden = vis.length <= shown;
      more.textContent = "show all " + vis.length.toLocaleString("en-US");
    }
    input.addEventListener("input", function () { filter = input.value; shown = pageSize; render(); });
    more.addEventListener("click", function () { shown = Infinity; render(); });
    download.addEventListener("click", function () {
      var lines = [cols.map(csvCell).join(",")].concat(visible().map(function (r) {
        return cols.map(function (c) { return csvCell(r[c]); }).join(",");
      }));
      var blob = new Blob([lines.join("\n") + "\n"], {type: "text/csv"});
      var a = el("a", {href: URL.createObjectURL(blob), download: (opts.name || title).replace(/[^\w.-]+/g, "_") + ".csv"});
      document.body.append(a);
      a.click();
      a.remove();
    });
    render();
    return tbl;
  }

  // -- charts: axis titles, a legend where colour means something, the models covered, why one is empty --
  function chart(parent, spec) {
    var box = el("div", {class: "chart-box"});
    parent.append(box);
    if (!spec.traces.length || spec.traces.every(function (t) { return !(t.x || t.values || []).length; })) {
      box.append(el("div", {class: "empty", text: spec.title + ": no data. " + spec.empty}));
      return;
    }
    var div = el("div", {class: "chart"});
    box.append(div, el("p", {class: "covers", text: spec.covers}));
    var layout = Object.assign({title: {text: plain(spec.title)}, height: spec.height || 400,
      margin: {l: spec.left || 80, r: 20, t: 50, b: 60}, showlegend: !!spec.legend,
      xaxis: Object.assign({title: {text: spec.x}}, spec.xaxis || {}),
      yaxis: Object.assign({title: {text: spec.y}, automargin: true}, spec.yaxis || {})}, spec.layout || {});
    Plotly.newPlot(div, spec.traces, layout, {responsive: true, displaylogo: false});
  }
  function barChart(parent, title, rows, label, value, axes, covers, empty) {
    chart(parent, {title: title, x: axes[0], y: axes[1], covers: covers, empty: empty,
      height: Math.max(300, 26 * rows.length + 120), left: 180,
      traces: [{type: "bar", orientation: "h", y: rows.map(function (r) { return plain(r[label]); }),
        x: rows.map(function (r) { return r[value]; }), marker: {color: "#2563eb"},
        hovertemplate: "%{y}: %{x:,}<extra></extra>"}],
      yaxis: {autorange: "reversed", type: "category"}, xaxis: {tickformat: ","}});
  }

  // -- search box on every page ---------------------------------------------------------------------
  function setupSearch() {
    var q = document.getElementById("q"), box = document.getElementById("suggest"), timer = null, seq = 0;
    var sel = document.getElementById("scope");
    sel.value = scope;
    sel.addEventListener("change", function () {
      localStorage.setItem("hubmine-scope", sel.value);
      var u = new URL(location.href);
      u.searchParams.set("scope", sel.value);
      location.href = u.toString();
    });
    q.value = document.body.dataset.page === "index" ? (params.get("q") || "") : "";
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        if (!q.value.trim()) { box.textContent = ""; return; }
        api("/api/models", {q: q.value, limit: 12}).then(function (hits) {
          if (mine !== seq) return;
          box.textContent = "";
          hits.forEach(function (h) {
            box.append(el("a", {href: modelHref(h.id), class: "hit"}, h.id,
              el("small", {text: fmt(h.downloads) + " downloads" + (h.synthetic ? " · synthetic" : "")})));
          });
          if (!hits.length) box.append(el("a", {text: "no model id contains “" + q.value + "”"}));
        }).catch(function (e) { box.textContent = e.message; });
      }, 150);
    });
    document.getElementById("search").addEventListener("submit", function (ev) {
      var first = box.querySelector("a.hit");
      if (first) { ev.preventDefault(); location.href = first.href; }
    });
  }

  // -- index ----------------------------------------------------------------------------------------
  function card(value, label) { return el("div", {class: "card"}, el("b", {text: fmt(value)}), el("span", {text: label})); }
  function renderIndex(d) {
    var latest = d.crawls[0], head = d.headline[0] || {}, prev = d.headline[1];
    if (!latest) { status("No finished crawl in this warehouse: run `hubmine crawl` (or `make demo`).", true); return; }
    status("Latest crawl " + latest.crawl_id + " of " + latest.endpoint + ", finished " + latest.finished_at +
      " (" + latest.mode + (latest.history ? ", history via " + latest.history : "") + "); showing " + d.scope + " models.");
    var viol = d.violations.find(function (v) { return v.severity === "violation"; }) || {};
    var s = section("Latest crawl");
    s.append(el("div", {class: "cards"}, card(head.models, "models"), card(head.synthetic_models, "of them synthetic"),
      card(head.downloads, "downloads (last 30 days)"), card(d.lineage.lineage_edges, "lineage edges"),
      card(d.families.families, "families"), card(d.families.largest_family, "models in the largest family"),
      card(viol.models || 0, "models with a license violation"), card(head.licenses, "distinct licenses"),
      card((latest.api_requests || 0) + (latest.resolver_requests || 0) + (latest.git_requests || 0), "requests the crawl made")));
    var c = section("What changed since the previous crawl");
    if (!prev) {
      c.append(el("p", {text: "This is the first finished crawl in the warehouse: there is no previous crawl to compare with."}));
    } else {
      var p = d.crawls[1];
      c.append(el("p", {text: "Compared with crawl " + p.crawl_id + " (finished " + p.finished_at + "): models " +
        fmt(prev.models) + " → " + fmt(head.models) + ", downloads " + fmt(prev.downloads) + " → " + fmt(head.downloads) + "."}));
      table(c, "license changes", ["model_id", "previous_license", "license", "downloads"], d.license_changes,
        {links: {model_id: function (r) { return modelHref(r.model_id); }}, name: "license_changes"});
    }
    table(c, "model events of the latest crawl", ["event", "models"], d.changes, {name: "events"});
    var ch = section("Licenses and lineage");
    var covered = d.licenses_top.reduce(function (a, r) { return a + r.models; }, 0);
    barChart(ch, "Most declared licenses", d.licenses_top, "license", "models", ["models", "license"],
      "covers " + fmt(covered) + " of " + fmt(head.models) + " models (the 15 most declared licenses)", "No models in this scope.");
    var edges = d.relations.reduce(function (a, r) { return a + r.edges; }, 0);
    barChart(ch, "Declared lineage edges by relation", d.relations, "relation", "edges", ["declared edges", "relation"],
      "covers " + fmt(edges) + " declared edges of " + fmt(d.lineage.derived_models) + " derived models",
      "No model in this scope declares a base model.");
  }

  // -- one model --------------------------------------------------------------------------------------
  function facts(parent, pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") return;
      dl.append(el("dt", {text: p[0]}), el("dd", {}, p[1] instanceof Node ? p[1] : fmt(p[1], p[0])));
    });
    parent.append(dl);
  }
  function graphChart(parent, g) {
    var pos = {};
    g.nodes.forEach(function (n) { pos[n.id] = n; });
    var traces = [], byRel = {};
    g.edges.forEach(function (e) { (byRel[e.relation] = byRel[e.relation] || []).push(e); });
    Object.keys(byRel).sort().forEach(function (rel) {
      var xs = [], ys = [];
      byRel[rel].forEach(function (e) { xs.push(pos[e.parent].x, pos[e.child].x, null); ys.push(pos[e.parent].y, pos[e.child].y, null); });
      traces.push({type: "scatter", mode: "lines", x: xs, y: ys, hoverinfo: "skip", name: plain(rel) + " (" + byRel[rel].length + ")",
        line: {color: RELATION_COLORS[rel] || "#64748b", width: rel === "collapsed" ? 1 : 1.6, dash: rel === "collapsed" ? "dot" : "solid"}});
    });
    var bad = g.edges.filter(function (e) { return e.findings && e.findings.some(function (f) { return f.severity === "violation"; }); });
    if (bad.length) {
      var bx = [], by = [];
      bad.forEach(function (e) { bx.push(pos[e.parent].x, pos[e.child].x, null); by.push(pos[e.parent].y, pos[e.child].y, null); });
      traces.push({type: "scatter", mode: "lines", x: bx, y: by, hoverinfo: "skip", name: "license violation (" + bad.length + ")",
        line: {color: "#dc2626", width: 4, dash: "dash"}, opacity: 0.6});
    }
    var kinds = [["model", function (n) { return n.generation === 0; }, "star", "#111827", 18],
      ["merge (several parents)", function (n) { return n.merge && n.generation !== 0; }, "diamond", "#9333ea", 11],
      ["collapsed models", function (n) { return n.collapsed; }, "square", "#94a3b8", 12],
      ["model not crawled", function (n) { return !n.collapsed && !n.crawled && !n.merge && n.generation !== 0; }, "circle-open", "#64748b", 9],
      ["relative", function (n) { return !n.collapsed && n.crawled && !n.merge && n.generation !== 0; }, "circle", "#2563eb", 9]];
    kinds.forEach(function (k) {
      var ns = g.nodes.filter(k[1]);
      if (!ns.length) return;
      traces.push({type: "scatter", mode: "markers+text", name: k[0] + " (" + ns.length + ")",
        x: ns.map(function (n) { return n.x; }), y: ns.map(function (n) { return n.y; }),
        text: ns.map(function (n) {
          if (!n.label) return "";
          return n.collapsed || n.generation === 0 ? plain(n.id) : plain(n.id.split("/").pop().slice(0, 40));
        }),
        textposition: k[0] === "model" ? "top center" : "bottom center", textfont: {size: k[0] === "model" ? 14 : 10},
        customdata: ns.map(function (n) { return n.collapsed ? "" : n.id; }),
        hovertext: ns.map(function (n) {
          return n.collapsed ? plain(n.id) : plain(n.id) + "<br>generation " + n.generation + "<br>license: " + plain(n.license || "?") +
            "<br>downloads: " + fmt(n.downloads) + (n.merge ? "<br>merge of " + n.parents + " parents" : "");
        }), hoverinfo: "text", marker: {symbol: k[2], color: k[3], size: k[4]}});
    });
    var rows = g.nodes.length ? (Math.max.apply(null, g.nodes.map(function (n) { return n.y; })) -
      Math.min.apply(null, g.nodes.map(function (n) { return n.y; }))) : 0;
    chart(parent, {title: "Lineage of " + g.id + ": " + g.shown + " of " + g.total + " models shown" +
        (g.hidden ? " (" + g.hidden + " collapsed)" : ""),
      x: "models of one generation (a wide generation wraps onto several rows)",
      y: "generation (− ancestors, + descendants)", legend: true, height: Math.max(420, 70 * rows + 200),
      covers: "covers " + fmt(g.total) + " models: the model, its ancestors and descendants through declared lineage " +
        "(edge colour = relation; click a model to open it)", empty: "",
      traces: traces, xaxis: {showticklabels: false, zeroline: false, showgrid: false},
      yaxis: {tickvals: g.ticks.map(function (t) { return t.y; }), zeroline: false,
        ticktext: g.ticks.map(function (t) { return (t.generation > 0 ? "+" : "") + t.generation + " (" + t.models + ")"; })}});
    var div = parent.querySelector(".chart");
    if (div && div.on) div.on("plotly_click", function (ev) {
      var id = ev.points && ev.points[0] && ev.points[0].customdata;
      if (id) location.href = modelHref(id);
    });
  }
  function relativesTable(parent, title, items, nodes) {
    var info = {};
    nodes.forEach(function (n) { info[n.id] = n; });
    var rows = items.map(function (i) {
      var n = info[i.id] || {};
      return {id: i.id, generation: i.generation, relation: i.relation, license: n.license, downloads: n.downloads,
        crawled: i.crawled};
    });
    table(parent, title + " (" + items.length + ")", ["id", "generation", "relation", "license", "downloads", "crawled"], rows,
      {links: {id: function (r) { return modelHref(r.id); }}, name: title});
  }
  function edgeRows(g) {
    return g.edges.filter(function (e) { return e.relation !== "collapsed"; }).map(function (e) {
      var worst = (e.findings || []).slice().sort(function (a, b) { return SEVERITY[a.severity] - SEVERITY[b.severity]; })[0] || {};
      return {parent: e.parent, child: e.child, relation: e.relation, declared: e.sources || "",
        inferred: e.inferred || "", weights: e.weights ? e.weights + (e.agrees === false ? " (disagrees)" : "") : "",
        parent_license: (pos(g, e.parent) || {}).license, child_license: (pos(g, e.child) || {}).license,
        severity: worst.severity || "", rule: worst.rule || "", clause: worst.clause || ""};
    }).sort(function (a, b) {
      return (a.severity ? SEVERITY[a.severity] : 9) - (b.severity ? SEVERITY[b.severity] : 9);
    });
  }
  function pos(g, id) { return g.nodes.find(function (n) { return n.id === id; }); }
  function historyChart(parent, hist) {
    chart(parent, {title: "Downloads across crawls", x: "crawl finished", y: "downloads (last 30 days)",
      covers: "covers this model in " + hist.length + " crawl" + (hist.length === 1 ? "" : "s"),
      empty: hist.length === 1 ? "Only one crawl has listed this model: a history needs two or more."
        : "No crawl has listed this model (it is only named as a base by other models).",
      traces: hist.length > 1 ? [{type: "scatter", mode: "lines+markers", x: hist.map(function (h) { return h.finished_at; }),
        y: hist.map(function (h) { return h.downloads; })}] : [], yaxis: {tickformat: ","}});
  }
  function renderModel(id) {
    Promise.all([api("/api/models/" + modelPath(id)), api("/api/models/" + modelPath(id) + "/family"),
      api("/api/models/" + modelPath(id) + "/graph"), api("/api/features")]).then(function (res) {
      var m = res[0], fam = res[1], g = res[2], features = res[3], f = m.facts || {};
      document.getElementById("title").textContent = m.id;
      status(m.note || "");  // an earlier id or another letter case: say which model is shown
      var top = el("p");
      top.append(el("span", {class: "badge " + (f.synthetic ? "synthetic" : ""), text: m.crawled ? (f.synthetic ? "synthetic" : "real") : "not crawled"}));
      var bomHref = "/api/models/" + modelPath(m.id) + "/bom";
      top.append(features.bom ? el("a", {href: bomHref, id: "bom", text: "BOM (CycloneDX)"})
        : el("span", {id: "bom", class: "badge", title: "GET " + bomHref + " answers 404 until `hubmine bom` exists",
          text: "BOM: not available in this installation"}));
      app.append(top);
      var s = section("Facts");
      facts(s, [["author", f.author], ["downloads", f.downloads], ["likes", f.likes], ["license", f.license],
        ["task", f.pipeline_tag], ["library", f.library_name], ["parameters", f.parameters], ["languages", f.languages],
        ["datasets", f.datasets], ["base models (card)", f.base_models], ["base_model_relation", f.base_model_relation],
        ["created", f.created_at], ["last modified", f.last_modified], ["sha", f.sha], ["spaces using it", f.spaces_count],
        ["gated", f.gated]]);
      var lic = section("License");
      table(lic, "license as resolved", ["position", "license_raw", "license_id", "spdx", "category", "license_name", "license_link", "resolution"],
        m.licenses, {name: "license"});
      var gs = section("Family");
      graphChart(gs, g);
      relativesTable(gs, "ancestors", fam.ancestors, g.nodes);
      relativesTable(gs, "descendants", fam.descendants, g.nodes);
      var es = section("Licenses along the lineage and the evidence of each edge");
      es.append(el("p", {class: "covers", text: "edges among the " + g.shown + " models shown; declared = card/tag, " +
        "inferred = config files or names, weights = verdict of `hubmine weights check`; violations first"}));
      table(es, "lineage edges", ["severity", "rule", "parent", "parent_license", "child", "child_license", "relation",
        "declared", "inferred", "weights", "clause"], edgeRows(g), {name: "edges",
        links: {parent: function (r) { return modelHref(r.parent); }, child: function (r) { return modelHref(r.child); }}});
      var w = section("Weights");
      if (m.weights.length || m.weight_matches.length) {
        table(w, "weight verdicts", ["parent_id", "child_id", "declared_relation", "relation", "confidence", "agrees", "direction", "flags", "crawl_id"], m.weights, {name: "weights"});
        table(w, "nearest checkpoints by fingerprint", ["child_id", "parent_id", "relation", "distance", "reason", "crawl_id"], m.weight_matches, {name: "weight_matches"});
      } else w.append(el("p", {class: "empty", text: "No weight check covers this model: `hubmine weights check` samples declared edges within a budget."}));
      var cs = section("Card facts");
      var c = m.card || {};
      facts(cs, [["card length (characters)", c.length], ["YAML front matter", c.has_front_matter], ["YAML parsed", c.yaml_ok],
        ["YAML error", c.yaml_error], ["sections", c.sections], ["autogenerated", c.autogenerated]]);
      if (!m.card) cs.append(el("p", {class: "empty", text: "No card in the warehouse (a metadata-only crawl reads no cards)."}));
      table(cs, "CO2 and hardware (as declared)", ["co2_grams", "valid", "reason", "source", "training_type", "hardware_used",
        "hw_model", "hours_used", "geographical_location", "cloud_provider", "raw"], m.energy, {name: "energy"});
      var h = section("History across crawls");
      historyChart(h, m.history);
      table(h, "per crawl", ["crawl_id", "finished_at", "sha", "license", "downloads", "likes"], m.history, {name: "history"});
      table(h, "events", ["crawl_id", "finished_at", "event", "detail"], m.events, {name: "events"});
    }).catch(function (e) { status(e.message, true); });
  }

  // -- licenses and families ----------------------------------------------------------------------------
  function renderLicenses() {
    Promise.all([api("/api/licenses/rules"), api("/api/licenses/violations", {limit: 5000})]).then(function (res) {
      var rules = res[0], viol = res[1];
      status("License findings of the latest analysed crawl on declared lineage edges, violations first (" + scope + " models).");
      var s = section("Findings by rule");
      var sev = {};
      rules.forEach(function (r) { (sev[r.severity] = sev[r.severity] || []).push(r); });
      var colors = {violation: "#dc2626", review: "#d97706", warning: "#64748b"};
      var models = rules.reduce(function (a, r) { return a + r.models; }, 0);
      chart(s, {title: "License findings by rule", x: "findings (derivative edges)", y: "rule", legend: true,
        left: 220, height: Math.max(300, 28 * rules.length + 140), covers: "covers " + fmt(models) +
        " derivative models with a finding (a model counts once per rule)",
        empty: "No findings: run `hubmine analyze`, or no derivative in this scope breaks an upstream clause.",
        traces: Object.keys(sev).sort(function (a, b) { return SEVERITY[a] - SEVERITY[b]; }).map(function (k) {
          return {type: "bar", orientation: "h", name: plain(k), marker: {color: colors[k] || "#64748b"},
            y: sev[k].map(function (r) { return plain(r.rule_id); }), x: sev[k].map(function (r) { return r.findings; })};
        }), yaxis: {autorange: "reversed", type: "category"}, xaxis: {tickformat: ","}});
      table(s, "rules", ["severity", "rule_id", "findings", "models"], rules, {name: "rules"});
      var v = section("Findings");
      table(v, "license findings", ["severity", "rule_id", "child_id", "child_license", "parent_id", "parent_license",
        "relation", "clause", "source_url"], viol, {name: "license_violations", pageSize: 50,
        total: viol.length >= 5000 ? "the first 5,000: /api/licenses/violations?format=csv&limit=5000" : "",
        links: {child_id: function (r) { return modelHref(r.child_id); }, parent_id: function (r) { return modelHref(r.parent_id); }}});
    }).catch(function (e) { status(e.message, true); });
  }
  function renderFamilies() {
    Promise.all([api("/api/families/sizes"), api("/api/families", {limit: 1000})]).then(function (res) {
      var sizes = res[0], fams = res[1];
      status("Families of the latest analysed crawl (" + scope + " models); any model's family is on its page.");
      var s = section("Family sizes");
      var n = sizes.reduce(function (a, r) { return a + r.families; }, 0);
      var models = sizes.reduce(function (a, r) { return a + r.families * r.size; }, 0);
      chart(s, {title: "Families by size", x: "family size (models, log scale)", y: "families (log scale)",
        covers: "covers " + fmt(n) + " families holding " + fmt(models) + " models",
        empty: "No families: run `hubmine analyze`, or no model in this scope declares a base model.",
        traces: [{type: "scatter", mode: "markers", x: sizes.map(function (r) { return r.size; }),
          y: sizes.map(function (r) { return r.families; }), marker: {color: "#2563eb"}}],
        xaxis: {type: "log"}, yaxis: {type: "log"}});
      table(s, "largest families", ["family_id", "size", "depth", "max_breadth", "leaves", "merges", "licenses",
        "top_license", "synthetic"], fams, {name: "families", total: fams.length >= 1000 ? "the 1,000 largest" : "",
        links: {family_id: function (r) { return modelHref(r.family_id); }}});
    }).catch(function (e) { status(e.message, true); });
  }

  setupSearch();
  var kind = document.body.dataset.page;
  if (kind === "index") api("/api/index").then(renderIndex).catch(function (e) { status(e.message, true); });
  else if (kind === "model") renderModel(document.body.dataset.id);
  else if (kind === "licenses") renderLicenses();
  else if (kind === "families") renderFamilies();
})();
