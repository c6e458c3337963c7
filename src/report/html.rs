//! `--format html`: the audit report a migration team reads — one self-contained file.
//!
//! A lead moving an organisation to a secrets manager needs to *see* the leak: how many secrets of
//! which providers, still in `HEAD` or only in history, introduced when and by whom, in which
//! repositories, and (with a `migrate` report) which are already moved. Everything is in one file
//! with inline CSS and JS and a Content-Security-Policy that forbids every request, so it opens
//! from `file://` in an air-gapped browser and cannot call home.
//!
//! The overview (tiles, the introductions-over-time chart as inline SVG, top lists, repository
//! table) is rendered here, so it reads without JS. The findings table is data — one compact JSON
//! array per finding in a non-executed `<script type="application/json">` — that the inline
//! script filters, sorts and renders 100 rows at first (more as the table is scrolled: laying out
//! the table is most of the cost of opening) with `textContent` only: 25,000 findings stay a few
//! MB and open in well under a second. Hostile text (paths, authors, rule text from a
//! config) is HTML-escaped here and never reaches `innerHTML` there; `<` in the data is written as
//! `\u003c`, so nothing in it can close the script element.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Report, ReportOptions, ScanReport};
use crate::findings::Finding;
use crate::migrate::report::{MigrationReport, Status};
use crate::rules::RuleSet;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Rows in each "top" list.
const TOP: usize = 10;

/// Where a finding stands in a migration (`--migration migrate.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationState {
    /// Verified in the store and every place in the repository rewritten or untracked.
    Moved,
    /// Needs a person: a conflict, a failed or impossible store write, or a place migrate
    /// could not rewrite.
    Manual,
    /// Not moved yet (not in the migration, skipped, or only planned by a dry run).
    Left,
}

impl MigrationState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Moved => "moved",
            Self::Manual => "manual",
            Self::Left => "left",
        }
    }
}

/// Each fingerprint's state in a migration report (fingerprints it does not name are left).
pub fn migration_states(m: &MigrationReport) -> HashMap<String, MigrationState> {
    let mut out = HashMap::new();
    for s in &m.secrets {
        let state = match s.status {
            Status::Conflict | Status::Failed | Status::Unstorable => MigrationState::Manual,
            _ if s.sites.iter().any(|site| site.action == "manual") => MigrationState::Manual,
            st if st.verified() && m.applied => MigrationState::Moved,
            _ => MigrationState::Left,
        };
        for fp in &s.fingerprints {
            // One fingerprint in several entries: the least advanced state wins.
            let e = out.entry(fp.clone()).or_insert(state);
            if state > *e {
                *e = state;
            }
        }
    }
    out
}

/// The HTML reporter.
pub struct Html {
    opts: ReportOptions,
    /// Leave committer names and emails out.
    pub hide_committers: bool,
    /// Migration state per fingerprint, when a migrate report was given.
    pub migration: Option<HashMap<String, MigrationState>>,
}

impl Html {
    /// A reporter with committers shown and no migration.
    pub fn new(opts: ReportOptions) -> Self {
        Self {
            opts,
            hide_committers: false,
            migration: None,
        }
    }
}

/// `s` safe in HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let s = super::escape(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Pushes `c`, as a character reference when HTML gives it a meaning (`&<>"'`).
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// A rotation URL usable as a link: plain `https://` of URL characters; `None` otherwise.
pub fn safe_url(url: &str) -> Option<&str> {
    let ok = url.starts_with("https://")
        && url.len() <= 512
        && url.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'&' | b'=' | b'%' | b'+'
                )
        });
    ok.then_some(url)
}

/// The rule table of the embedded data: `[id, description, severity, confidence, provider,
/// rotate URL or null, fix hint]`.
type RuleRow<'a> = (
    &'a str,
    &'a str,
    &'static str,
    &'static str,
    &'a str,
    Option<&'a str>,
    String,
);

/// One finding of the embedded data (see report.js for the field order).
#[derive(Serialize)]
struct Row<'a>(
    u32,                  // rule index
    Option<bool>,         // in HEAD
    i64,                  // repository index (-1: none)
    &'a str,              // path
    usize,                // line
    &'a str,              // commit id (short)
    &'a str,              // commit date (YYYY-MM-DD)
    &'a str,              // author
    String,               // secret as shown
    &'a str,              // fingerprint
    u64,                  // locations
    usize,                // repositories it appears in
    Option<&'static str>, // migration state
    &'a str,              // key
    u32,                  // validation: index into the verdicts table (0: not checked)
);

/// A finding's validation as the table shows it: `live`, `dead`, or `undecided` (no validator
/// decided, or the check failed); `None` when it was not checked.
fn validation_state(f: &Finding) -> Option<&'static str> {
    use crate::findings::ValidationStatus as V;
    f.validation.as_ref().map(|v| match v.status {
        V::Live => "live",
        V::Dead => "dead",
        V::Unknown | V::Error => "undecided",
    })
}

/// The findings table's columns (report.js defines each by this name and makes it sortable).
fn columns(repositories: bool, migration: bool, validated: bool) -> Vec<&'static str> {
    let mut c = vec!["Severity", "Confidence", "Provider", "Rule", "State"];
    if validated {
        c.push("Validation");
    }
    if repositories {
        c.push("Repository");
    }
    c.extend(["Location", "Introduced"]);
    if migration {
        c.push("Migration");
    }
    c.extend(["Secret", "Fix"]);
    c
}

/// The earliest introducing commit of a finding (git scans).
fn introduced(f: &Finding) -> Option<&crate::findings::CommitInfo> {
    f.locations
        .iter()
        .filter_map(|l| l.commit.as_deref())
        .min_by(|a, b| {
            a.date
                .get(..10)
                .cmp(&b.date.get(..10))
                .then_with(|| a.id.cmp(&b.id))
        })
}

fn dir_of(path: &str) -> &str {
    let path = path.split('!').next().unwrap_or(path);
    path.rfind('/').map_or(".", |i| &path[..i])
}

fn top(counts: HashMap<&str, usize>) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.truncate(TOP);
    v
}

fn top_list(out: &mut String, title: &str, what: &str, items: &[(&str, usize)]) {
    let _ = write!(out, "<section class=\"top\"><h3>{}</h3>", esc(title));
    if items.is_empty() {
        out.push_str("<p class=\"muted\">none</p></section>");
        return;
    }
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    out.push_str("<ol>");
    for (name, n) in items {
        let pct = n * 100 / max;
        let _ = write!(
            out,
            "<li><span class=\"name\" title=\"{0}\">{0}</span><span class=\"bar\"><span style=\"width:{pct}%\"></span></span><span class=\"n\">{n} {1}</span></li>",
            esc(name),
            esc(what)
        );
    }
    out.push_str("</ol></section>");
}

/// The introductions-over-time chart: findings per month of their first introducing commit (per
/// year when the history spans more than 20 years), as an accessible inline SVG.
fn chart(findings: &[Finding]) -> String {
    let mut months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
    for f in findings {
        let Some(c) = introduced(f) else { continue };
        let (Some(y), Some(m)) = (
            c.date.get(..4).and_then(|y| y.parse::<i32>().ok()),
            c.date.get(5..7).and_then(|m| m.parse::<u32>().ok()),
        ) else {
            continue;
        };
        if (1..=12).contains(&m) {
            *months.entry((y, m)).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) else {
        return "<p class=\"muted\">No commit dates (not a git history scan).</p>".to_string();
    };
    let by_year = last.0 - first.0 > 20;
    let mut buckets: Vec<(String, usize)> = Vec::new();
    if by_year {
        for y in first.0..=last.0 {
            let n = months.range((y, 1)..=(y, 12)).map(|(_, n)| n).sum();
            buckets.push((y.to_string(), n));
        }
    } else {
        let (mut y, mut m) = first;
        while (y, m) <= last {
            buckets.push((format!("{y}-{m:02}"), months.get(&(y, m)).copied().unwrap_or(0)));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
    }
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (w, h, pad) = (760.0_f64, 180.0_f64, 28.0_f64);
    let right = 48.0_f64;
    #[allow(clippy::cast_precision_loss)]
    let bw = ((w - pad - right) / buckets.len() as f64).min(48.0);
    let total: usize = buckets.iter().map(|b| b.1).sum();
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{total} findings introduced between {} and {}, per {}</title>",
        h + 20.0,
        esc(&buckets[0].0),
        esc(&buckets[buckets.len() - 1].0),
        if by_year { "year" } else { "month" }
    );
    let _ = write!(
        svg,
        "<line x1=\"{pad}\" y1=\"{h}\" x2=\"{w}\" y2=\"{h}\" class=\"axis\"/><text x=\"0\" y=\"12\" class=\"lbl\">{max}</text><text x=\"0\" y=\"{h}\" class=\"lbl\">0</text>"
    );
    let label_every = (buckets.len() / 8).max(1);
    for (i, (label, n)) in buckets.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let (x, bh) = (pad + i as f64 * bw, (*n as f64 / max as f64) * (h - 10.0));
        if *n > 0 {
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" class=\"bar\"><title>{}: {n}</title></rect>",
                h - bh,
                (bw - 1.0).max(0.5),
                esc(label)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{x:.1}\" y=\"{}\" class=\"lbl\">{}</text>",
                h + 14.0,
                esc(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn tile(out: &mut String, value: impl std::fmt::Display, label: &str, class: &str) {
    let _ = write!(
        out,
        "<div class=\"tile {class}\"><div class=\"v\">{value}</div><div class=\"l\">{}</div></div>",
        esc(label)
    );
}

/// JSON for a `<script type="application/json">`: `<` written as `\u003c` (no `</script>`, no
/// `<!--`), and the line separators JS once rejected as `\u2028`/`\u2029`.
fn script_json(v: &impl Serialize) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string(v)?
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

fn csp_hash(script: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

impl Html {
    fn overview(&self, report: &ScanReport, rules: &RuleSet, out: &mut String) {
        let fs = &report.findings;
        let mut fps: Vec<&str> = fs.iter().map(|f| f.fingerprint.as_str()).collect();
        fps.sort_unstable();
        fps.dedup();
        let mut providers: HashMap<&str, usize> = HashMap::new();
        let mut files: HashMap<&str, usize> = HashMap::new();
        let mut dirs: HashMap<&str, usize> = HashMap::new();
        let mut committers: HashMap<&str, usize> = HashMap::new();
        for f in fs {
            let rule = f.rule(rules);
            *providers
                .entry(rule.provider.as_deref().unwrap_or("other"))
                .or_default() += 1;
            for l in &f.locations {
                *files.entry(l.path.as_str()).or_default() += 1;
                *dirs.entry(dir_of(&l.path)).or_default() += 1;
            }
            if let Some(c) = introduced(f) {
                *committers.entry(c.author_name.as_str()).or_default() += 1;
            }
        }
        let in_head = fs.iter().filter(|f| f.in_head == Some(true)).count();
        let history = fs.iter().filter(|f| f.in_head == Some(false)).count();
        out.push_str("<section class=\"tiles\" aria-label=\"Overview\">");
        tile(out, fs.len(), "findings", "");
        tile(out, fps.len(), "distinct secrets", "");
        tile(out, providers.len(), "providers", "");
        tile(out, files.len(), "files", "");
        if in_head + history > 0 {
            tile(out, in_head, "still in HEAD", "warn");
            tile(out, history, "history only", "");
        }
        if !report.repositories.is_empty() {
            tile(out, report.repositories.len(), "repositories", "");
        }
        // `--validate`: how many findings the providers called live, dead, or could not decide.
        if fs.iter().any(|f| f.validation.is_some()) {
            use crate::findings::ValidationStatus as V;
            let count = |want: &[V]| {
                fs.iter()
                    .filter(|f| f.validation.as_ref().is_some_and(|v| want.contains(&v.status)))
                    .count()
            };
            tile(out, count(&[V::Live]), "live (validated)", "warn");
            tile(out, count(&[V::Dead]), "dead (validated)", "");
            tile(out, count(&[V::Unknown, V::Error]), "validation undecided", "");
        }
        if let Some(m) = &self.migration {
            let state = |s| {
                fs.iter()
                    .filter(|f| m.get(&f.fingerprint).copied().unwrap_or(MigrationState::Left) == s)
                    .count()
            };
            let (moved, manual, left) = (
                state(MigrationState::Moved),
                state(MigrationState::Manual),
                state(MigrationState::Left),
            );
            let pct = (moved * 100).checked_div(fs.len()).unwrap_or(100);
            let _ = write!(
                out,
                "<div class=\"tile wide\"><div class=\"v\">{pct}%</div><div class=\"l\">migrated: {moved} moved, {manual} manual, {left} left</div><div class=\"progress\" role=\"progressbar\" aria-label=\"migration progress\" aria-valuemin=\"0\" aria-valuemax=\"100\" aria-valuenow=\"{pct}\"><span style=\"width:{pct}%\"></span></div></div>"
            );
        }
        if !report.errors.is_empty() {
            tile(out, report.errors.len(), "could not be scanned", "warn");
        }
        out.push_str("</section>");
        out.push_str("<section aria-labelledby=\"h-time\"><h2 id=\"h-time\">Introduced over time</h2>");
        out.push_str(&chart(fs));
        out.push_str("</section><section class=\"tops\" aria-label=\"Top lists\">");
        top_list(out, "Top providers", "findings", &top(providers));
        top_list(out, "Top files", "locations", &top(files));
        top_list(out, "Top directories", "locations", &top(dirs));
        if !self.hide_committers {
            top_list(
                out,
                "Top committers (introducing commit)",
                "findings",
                &top(committers),
            );
        }
        out.push_str("</section>");
        if !report.repositories.is_empty() {
            out.push_str("<section aria-labelledby=\"h-repos\"><h2 id=\"h-repos\">Repositories</h2><table class=\"repos\"><thead><tr><th scope=\"col\">Repository</th><th scope=\"col\">Findings</th><th scope=\"col\">In HEAD</th><th scope=\"col\">Commits</th><th scope=\"col\">Files scanned</th><th scope=\"col\">Errors</th><th scope=\"col\">Status</th></tr></thead><tbody>");
            for r in &report.repositories {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&r.name),
                    r.findings,
                    r.findings_in_head,
                    r.commits,
                    r.files_scanned,
                    r.errors,
                    r.failed
                        .as_deref()
                        .map_or_else(|| "scanned".to_string(), |why| format!("failed: {}", esc(why)))
                );
            }
            out.push_str("</tbody></table></section>");
        }
    }

    fn data(&self, report: &ScanReport, rules: &RuleSet) -> Result<String, serde_json::Error> {
        let mut rule_rows: Vec<RuleRow<'_>> = Vec::new();
        let mut rule_index: HashMap<u32, u32> = HashMap::new();
        let mut repo_index: HashMap<&str, i64> = HashMap::new();
        let mut repos: Vec<&str> = Vec::new();
        let mut rows = Vec::with_capacity(report.findings.len());
        // Verdicts as `[state, "status checked_at: detail"]`, interned (most findings of a
        // provider share one); entry 0 is "not checked".
        let mut verdicts: Vec<Option<(&'static str, String)>> = vec![None];
        let mut verdict_index: HashMap<(&'static str, String), u32> = HashMap::new();
        for f in &report.findings {
            let rule = f.rule(rules);
            let ri = *rule_index.entry(f.rule).or_insert_with(|| {
                rule_rows.push((
                    &rule.id,
                    &rule.description,
                    rule.severity.as_str(),
                    rule.confidence().as_str(),
                    rule.provider.as_deref().unwrap_or(""),
                    rule.rotate.as_deref().and_then(safe_url),
                    if rule.is_file_rule() {
                        "untrack the file (git rm --cached), then leakless migrate".to_string()
                    } else {
                        "rotate it, then move it to a secrets store (leakless migrate)".to_string()
                    },
                ));
                u32::try_from(rule_rows.len() - 1).unwrap_or(u32::MAX)
            });
            let Some(first) = f.locations.first() else {
                continue;
            };
            let repo = first.repository.as_deref().map_or(-1, |r| {
                *repo_index.entry(r).or_insert_with(|| {
                    repos.push(r);
                    i64::try_from(repos.len() - 1).unwrap_or(i64::MAX)
                })
            });
            let mut in_repos: Vec<&str> = f
                .locations
                .iter()
                .filter_map(|l| l.repository.as_deref())
                .collect();
            in_repos.sort_unstable();
            in_repos.dedup();
            let commit = introduced(f);
            rows.push(Row(
                ri,
                f.in_head,
                repo,
                &first.path,
                first.line,
                commit.map_or("", |c| c.id.get(..12).unwrap_or(&c.id)),
                commit.map_or("", |c| c.date.get(..10).unwrap_or(&c.date)),
                if self.hide_committers {
                    ""
                } else {
                    commit.map_or("", |c| c.author_name.as_str())
                },
                f.secret.shown(self.opts.redact),
                &f.fingerprint,
                f.locations.len() as u64 + f.more_locations,
                in_repos.len(),
                self.migration.as_ref().map(|m| {
                    m.get(&f.fingerprint)
                        .copied()
                        .unwrap_or(MigrationState::Left)
                        .as_str()
                }),
                f.key.as_deref().unwrap_or(""),
                validation_state(f).map_or(0, |state| {
                    let detail = f.validation.as_ref().map_or_else(String::new, |v| {
                        format!("{} {}: {}", v.status.as_str(), v.checked_at, v.detail)
                    });
                    let next = u32::try_from(verdicts.len()).unwrap_or(u32::MAX);
                    *verdict_index.entry((state, detail.clone())).or_insert_with(|| {
                        verdicts.push(Some((state, detail)));
                        next
                    })
                }),
            ));
        }
        #[derive(Serialize)]
        struct Data<'a> {
            rules: Vec<RuleRow<'a>>,
            repos: Vec<&'a str>,
            committers: bool,
            migration: bool,
            validated: bool,
            verdicts: Vec<Option<(&'static str, String)>>,
            f: Vec<Row<'a>>,
        }
        script_json(&Data {
            rules: rule_rows,
            repos,
            committers: !self.hide_committers,
            migration: self.migration.is_some(),
            validated: verdicts.len() > 1,
            verdicts,
            f: rows,
        })
    }
}

impl Report for Html {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let raw = !self.opts.redact && report.findings.iter().any(|f| f.secret.is_known());
        let mut body = String::new();
        let n = report.findings.len();
        let _ = write!(
            body,
            "<header><h1>leakless audit report</h1><p class=\"muted\">{} · {} · leakless {}</p><button type=\"button\" id=\"theme\" aria-label=\"Switch light or dark theme\">◐ theme</button></header>",
            if n == 1 { "1 finding".to_string() } else { format!("{n} findings") },
            if report.repositories.is_empty() {
                format!("{} files scanned", report.stats.files_scanned)
            } else {
                format!("{} repositories", report.repositories.len())
            },
            env!("CARGO_PKG_VERSION")
        );
        if raw {
            body.push_str("<div class=\"banner\" role=\"alert\"><strong>This report contains secrets in full</strong> (made with <code>--no-redact</code>). Anyone who can open this file can use them: do not share, upload or keep it.</div>");
        }
        body.push_str("<main>");
        self.overview(report, rules, &mut body);
        let mig = self.migration.is_some();
        let validated = report.findings.iter().any(|f| f.validation.is_some());
        let _ = write!(
            body,
            "<section aria-labelledby=\"h-findings\"><h2 id=\"h-findings\">Findings</h2>\
<form class=\"filters\" role=\"search\" id=\"filters\">\
<label>Search <input type=\"search\" id=\"q\" placeholder=\"rule, provider, path, commit, author…\"></label>\
<label>Severity <select id=\"f-sev\"><option value=\"\">any</option><option>critical</option><option>high</option><option>medium</option><option>low</option><option>info</option></select></label>\
<label>Confidence <select id=\"f-conf\"><option value=\"\">any</option><option>high</option><option>medium</option><option>low</option></select></label>\
<label>State <select id=\"f-head\"><option value=\"\">any</option><option value=\"head\">in HEAD</option><option value=\"history\">history only</option></select></label>\
{}{}{}\
</form><p id=\"count\" aria-live=\"polite\"></p>\
<div class=\"scroll\" id=\"scroll\"><table id=\"findings\"><caption class=\"sr\">Findings, filterable and sortable</caption><thead><tr>{}</tr></thead><tbody></tbody></table><div id=\"end\"></div></div>\
<button type=\"button\" id=\"more\" hidden>Show more</button>\
<noscript><p>The findings table needs JavaScript; the overview above does not.</p></noscript></section>",
            if report.repositories.is_empty() {
                String::new()
            } else {
                "<label>Repository <select id=\"f-repo\"><option value=\"\">any</option></select></label>".to_string()
            },
            if validated {
                "<label>Validation <select id=\"f-val\"><option value=\"\">any</option><option>live</option><option>dead</option><option>undecided</option><option value=\"unchecked\">not checked</option></select></label>"
            } else {
                ""
            },
            if mig {
                "<label>Migration <select id=\"f-mig\"><option value=\"\">any</option><option>moved</option><option>manual</option><option>left</option></select></label>"
            } else {
                ""
            },
            columns(!report.repositories.is_empty(), mig, validated)
                .iter()
                .map(|c| format!("<th scope=\"col\">{c}</th>"))
                .collect::<String>()
        );
        if !report.errors.is_empty() {
            body.push_str("<section aria-labelledby=\"h-errors\"><h2 id=\"h-errors\">Could not be scanned</h2><ul class=\"errors\">");
            for e in report.errors.iter().take(1000) {
                let _ = write!(
                    body,
                    "<li><code>{}</code>: {}</li>",
                    esc(&e.path),
                    esc(&e.message)
                );
            }
            if report.errors.len() > 1000 {
                let _ = write!(body, "<li>… and {} more</li>", report.errors.len() - 1000);
            }
            body.push_str("</ul></section>");
        }
        body.push_str("</main>");
        let data = self.data(report, rules).map_err(io::Error::other)?;
        let csp = format!(
            "default-src 'none'; style-src 'unsafe-inline'; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            csp_hash(JS)
        );
        write!(
            w,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>leakless audit report</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n<script type=\"application/json\" id=\"data\">{data}</script>\n<script>{JS}</script>\n</body>\n</html>\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let s = script_json(&("</script><script>alert(1)</script>", "<!--", "\u{2028}")).expect("json");
        assert!(!s.contains('<') && !s.contains('\u{2028}'), "{s}");
        let back: (String, String, String) = serde_json::from_str(&s).expect("still JSON");
        assert_eq!(back.0, "</script><script>alert(1)</script>");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href='x'>&\"\x1b"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x1b"
        );
        assert_eq!(safe_url("https://x.test/a?b=1"), Some("https://x.test/a?b=1"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("https://x.test/\"><script>"), None);
    }

    #[test]
    fn migration_states_take_the_least_advanced() {
        let m: MigrationReport = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "store": "dotenv", "applied": true, "resumed": false,
            "secrets": [
                {"key": "A", "location": "l", "store_path": "p", "env": "dev", "status": "moved", "rules": [],
                 "fingerprints": ["f1", "f2"], "providers": [], "rotate": [], "fetch": "", "sites": []},
                {"key": "B", "location": "l", "store_path": "p", "env": "dev", "status": "conflict", "rules": [],
                 "fingerprints": ["f2"], "providers": [], "rotate": [], "fetch": "", "sites": []},
                {"key": "C", "location": "l", "store_path": "p", "env": "dev", "status": "moved", "rules": [],
                 "fingerprints": ["f3"], "providers": [], "rotate": [], "fetch": "",
                 "sites": [{"path": "x", "line": 1, "action": "manual"}]}
            ],
            "files": [], "manual_steps": [], "rotation": [], "purge": null, "skipped": [], "errors": []
        }))
        .expect("migration report");
        let s = migration_states(&m);
        assert_eq!(s["f1"], MigrationState::Moved);
        assert_eq!(s["f2"], MigrationState::Manual);
        assert_eq!(s["f3"], MigrationState::Manual);
    }
}
