// The findings table of the leakless HTML report: filter, sort and page over the embedded data.
// Every value is set with textContent (never innerHTML): the data comes from scanned content.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  // Row fields (src/report/html.rs, struct Row).
  var RULE = 0, HEAD = 1, REPO = 2, PATH = 3, LINE = 4, COMMIT = 5, DATE = 6, AUTHOR = 7,
    SECRET = 8, FP = 9, LOCS = 10, NREPOS = 11, MIG = 12, KEY = 13, VAL = 14;
  // Validation order when sorting: live first, then undecided, dead, not checked.
  var VALORD = { live: 0, undecided: 1, dead: 2 };
  var SEV = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var CONF = { high: 0, medium: 1, low: 2 };
  // Rows rendered at first and per step: the table's layout is most of the cost of opening a
  // large report, and the scroll box shows ~25 rows; more are rendered as it is scrolled
  // (and by "Show more", for keyboards).
  var PAGE = 100;
  var root = document.documentElement;
  var themeBtn = document.getElementById("theme");
  themeBtn.addEventListener("click", function () {
    var dark = root.dataset.theme ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
  });
  var rule = function (r) { return D.rules[r[RULE]]; };
  var state = function (r) { return r[HEAD] === true ? "in HEAD" : r[HEAD] === false ? "history only" : ""; };
  var repo = function (r) { return r[REPO] >= 0 ? D.repos[r[REPO]] : ""; };
  // Validation: live, dead, undecided, or "" when not checked; and how it was checked.
  var verdict = function (r) { var v = D.verdicts[r[VAL]]; return v ? v[0] : ""; };
  var verdictWhy = function (r) { var v = D.verdicts[r[VAL]]; return v ? v[1] : ""; };
  // Column definitions by header name; the headers themselves are in the page (html.rs).
  var defs = {
    Severity: { key: function (r) { return SEV[rule(r)[2]]; }, show: function (r) { return rule(r)[2]; }, cls: function (r) { return "sev-" + rule(r)[2]; } },
    Confidence: { key: function (r) { return CONF[rule(r)[3]]; }, show: function (r) { return rule(r)[3]; } },
    Provider: { key: function (r) { return rule(r)[4]; }, show: function (r) { return rule(r)[4]; } },
    Rule: { key: function (r) { return rule(r)[0]; }, show: function (r) { return rule(r)[0]; }, title: function (r) { return rule(r)[1]; } },
    State: { key: state, show: state },
    Repository: { key: repo, show: function (r) { return repo(r) + (r[NREPOS] > 1 ? " (+" + (r[NREPOS] - 1) + " more)" : ""); } },
    Location: { key: function (r) { return r[PATH] + "\u0000" + String(r[LINE]).padStart(9, "0"); },
      show: function (r) { return r[PATH] + ":" + r[LINE] + (r[LOCS] > 1 ? " (+" + (r[LOCS] - 1) + ")" : ""); }, cls: function () { return "path"; } },
    Introduced: { key: function (r) { return r[DATE]; },
      show: function (r) { return r[COMMIT] ? r[COMMIT] + " " + r[DATE] + (D.committers && r[AUTHOR] ? " " + r[AUTHOR] : "") : ""; }, cls: function () { return "mono"; } },
    Migration: { key: function (r) { return r[MIG]; }, show: function (r) { return r[MIG]; } },
    Validation: { key: function (r) { var v = verdict(r); return v ? VALORD[v] : 3; }, show: function (r) { return verdict(r) || "not checked"; },
      cls: function (r) { return "val-" + (verdict(r) || "unchecked"); }, title: verdictWhy },
    Secret: { key: function (r) { return r[SECRET]; }, show: function (r) { return r[SECRET]; }, cls: function () { return "mono"; }, title: function (r) { return "fingerprint " + r[FP]; } },
    Fix: { key: function (r) { return rule(r)[6]; }, fix: true }
  };

  var table = document.getElementById("findings");
  var headRow = table.tHead.rows[0];
  var tbody = table.tBodies[0];
  var count = document.getElementById("count");
  var more = document.getElementById("more");
  var sortCol = 0, sortDir = 1, shown = PAGE, view = D.f;
  // Scrolling near the end of the table renders the next rows.
  var end = document.getElementById("end"), scrollBox = document.getElementById("scroll");
  var io = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    if (entries[entries.length - 1].isIntersecting && shown < view.length) { shown += PAGE; render(true); }
  }, { root: scrollBox, rootMargin: "400px" }) : null;

  var cols = [];
  Array.prototype.forEach.call(headRow.cells, function (th, i) {
    var name = th.textContent;
    cols.push(defs[name]);
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = name;
    b.addEventListener("click", function () {
      sortDir = sortCol === i ? -sortDir : 1;
      sortCol = i;
      apply();
    });
    th.replaceChildren(b);
  });

  var repoSel = document.getElementById("f-repo");
  if (repoSel) D.repos.forEach(function (name) { var o = document.createElement("option"); o.textContent = name; repoSel.appendChild(o); });
  var q = document.getElementById("q");
  var fsev = document.getElementById("f-sev");
  var fconf = document.getElementById("f-conf");
  var fhead = document.getElementById("f-head");
  var fmig = document.getElementById("f-mig");
  var fval = document.getElementById("f-val");
  var hay = new Array(D.f.length);
  function text(r, i) {
    if (hay[i] === undefined) {
      var ru = rule(r);
      hay[i] = [ru[0], ru[1], ru[4], r[PATH], repo(r), r[COMMIT], r[DATE], r[AUTHOR], r[FP], r[KEY]].join("\n").toLowerCase();
    }
    return hay[i];
  }
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var sev = fsev.value, conf = fconf.value, head = fhead.value;
    var rp = repoSel ? repoSel.value : "", mg = fmig ? fmig.value : "", vl = fval ? fval.value : "";
    var out = [];
    for (var i = 0; i < D.f.length; i++) {
      var r = D.f[i], ru = rule(r);
      if (sev && ru[2] !== sev) continue;
      if (conf && ru[3] !== conf) continue;
      if (head === "head" && r[HEAD] !== true) continue;
      if (head === "history" && r[HEAD] !== false) continue;
      if (rp && repo(r) !== rp) continue;
      if (mg && r[MIG] !== mg) continue;
      if (vl && (verdict(r) || "unchecked") !== vl) continue;
      if (words.length) {
        var t = text(r, i), ok = true;
        for (var w = 0; w < words.length && ok; w++) ok = t.indexOf(words[w]) >= 0;
        if (!ok) continue;
      }
      out.push(r);
    }
    var key = cols[sortCol].key;
    out.sort(function (a, b) {
      var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
    Array.prototype.forEach.call(headRow.cells, function (th, i) {
      if (i === sortCol) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    view = out;
    shown = PAGE;
    scrollBox.scrollTop = 0;
    render();
  }
  // Renders rows up to `shown`: all of them, or (`append`) only those not rendered yet.
  function render(append) {
    var frag = document.createDocumentFragment();
    var n = Math.min(shown, view.length);
    for (var i = append ? tbody.rows.length : 0; i < n; i++) {
      var r = view[i], tr = document.createElement("tr");
      for (var c = 0; c < cols.length; c++) {
        var col = cols[c], td = document.createElement("td");
        if (col.fix) {
          var ru = rule(r);
          if (ru[5]) {
            var a = document.createElement("a");
            a.href = ru[5];
            a.rel = "noreferrer noopener";
            a.target = "_blank";
            a.textContent = "rotate";
            td.appendChild(a);
            td.appendChild(document.createTextNode(" "));
          }
          var s = document.createElement("span");
          s.className = "muted";
          s.textContent = ru[6];
          td.appendChild(s);
        } else {
          td.textContent = col.show(r) || "";
          if (col.cls) td.className = col.cls(r);
          if (col.title) td.title = col.title(r);
        }
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    if (append) tbody.appendChild(frag);
    else tbody.replaceChildren(frag);
    count.textContent = "Showing " + n + " of " + view.length + " findings" + (view.length !== D.f.length ? " (filtered from " + D.f.length + ")" : "");
    more.hidden = n >= view.length;
    // Observing again reports whether the end is still in view (more rows may fit).
    if (io) { io.unobserve(end); io.observe(end); }
  }
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  more.addEventListener("click", function () { shown += PAGE; render(true); });
  [q, fsev, fconf, fhead, repoSel, fmig, fval].forEach(function (el) {
    if (el) el.addEventListener("input", apply);
  });
  apply();
})();
