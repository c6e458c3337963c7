//! `--format markdown`: a report for GitHub job summaries (`$GITHUB_STEP_SUMMARY`) and pull
//! request comments.
//!
//! Two things make it more than a table. **Size**: GitHub refuses a step summary over 1 MiB
//! (and a comment over 65,536 characters), so rows stop before the limit and a last line says how
//! many were left out. **Hostile text**: paths, keys, previews, commit authors and rule text come
//! from the scanned change or its config; every such value is written as HTML character
//! references for everything Markdown or HTML could read as syntax (`|` ends a table cell, a
//! backtick opens a code span, `<` opens a tag, `@name` pings a person, `#12` links an issue,
//! `https:` autolinks), with control characters escaped first, so no value can leave its cell.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{escape, Report, ReportOptions, ScanReport};
use crate::findings::Finding;
use crate::rules::{Rule, RuleSet, Severity};

/// GitHub's limit for one step's job summary.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// Bytes kept free below the limit for the closing lines (notes, errors count, truncation line).
const FOOTER_RESERVE: usize = 4096;

/// The Markdown reporter.
pub struct Markdown {
    opts: ReportOptions,
    limit: usize,
}

impl Markdown {
    /// A reporter that stays within [`STEP_SUMMARY_LIMIT`].
    pub fn new(opts: ReportOptions) -> Self {
        Self::with_limit(opts, STEP_SUMMARY_LIMIT)
    }

    /// A reporter that writes at most `limit` bytes (at least 8 KiB).
    pub fn with_limit(opts: ReportOptions, limit: usize) -> Self {
        Self {
            opts,
            limit: limit.max(2 * FOOTER_RESERVE),
        }
    }
}

/// `s` as inline Markdown text that cannot open any construct: control characters escaped
/// (see [`escape`]), then every character Markdown, GFM tables or HTML give a meaning written as
/// a numeric character reference.
pub fn text(s: &str) -> String {
    let s = escape(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '~' | '#' | '@' | ':' | '!' | '$'
            | '{' | '}' | '=' | '+' | '-' | '.' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => super::html::push_escaped(&mut out, c),
        }
    }
    out
}

/// `s` in a code element (for paths, fingerprints, previews): `<code>` with [`text`] inside.
fn code(s: &str) -> String {
    format!("<code>{}</code>", text(s))
}

/// A rotation link when it is a plain `https://` URL of URL characters only; else its text.
fn rotate_link(url: &str) -> String {
    super::html::safe_url(url).map_or_else(
        || text(url),
        |u| format!("<a href=\"{}\">rotate</a>", u.replace('&', "&amp;")),
    )
}

fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴 critical",
        Severity::High => "🟠 high",
        Severity::Medium => "🟡 medium",
        Severity::Low => "🔵 low",
        Severity::Info => "⚪ info",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Markdown {
    fn row(&self, f: &Finding, rule: &Rule) -> String {
        let Some(first) = f.locations.first() else {
            return String::new();
        };
        let mut place = String::new();
        if let Some(repo) = &first.repository {
            let _ = write!(place, "{} ", text(repo));
        }
        let _ = write!(place, "{}:{}", code(&first.path), first.line);
        let more = f.locations.len() as u64 - 1 + f.more_locations;
        if more > 0 {
            let _ = write!(place, " (+{more} more)");
        }
        let mut repos: Vec<&str> = f
            .locations
            .iter()
            .filter_map(|l| l.repository.as_deref())
            .collect();
        repos.sort_unstable();
        repos.dedup();
        if repos.len() > 1 {
            let _ = write!(place, "<br>in {} repositories", repos.len());
        }
        let state = match f.in_head {
            Some(true) => "in HEAD",
            Some(false) => "history only",
            None => "",
        };
        let commit = first.commit.as_ref().map_or_else(String::new, |c| {
            format!(
                "{} {}",
                code(c.id.get(..12).unwrap_or(&c.id)),
                text(c.date.get(..10).unwrap_or(&c.date))
            )
        });
        let fix = rule
            .rotate
            .as_deref()
            .map_or_else(|| "rotate it".to_string(), rotate_link);
        format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            severity_mark(rule.severity),
            code(&rule.id),
            place,
            code(&f.secret.shown(self.opts.redact)),
            state,
            commit,
            fix
        )
    }
}

impl Report for Markdown {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let mut out = String::new();
        let n = report.findings.len();
        if n == 0 {
            out.push_str("### ✅ leakless: no leaks found\n\n");
        } else {
            let _ = writeln!(out, "### 🚨 leakless: {}\n", plural(n, "finding", "findings"));
        }
        if !self.opts.redact && report.findings.iter().any(|f| f.secret.is_known()) {
            out.push_str(
                "> [!WARNING]\n> This report shows secrets in full (`--no-redact`). Do not share it.\n\n",
            );
        }
        let mut by_sev: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for f in &report.findings {
            *by_sev
                .entry(std::cmp::Reverse(f.rule(rules).severity))
                .or_default() += 1;
        }
        let mut facts: Vec<String> = by_sev
            .iter()
            .map(|(s, n)| format!("{n} {}", s.0.as_str()))
            .collect();
        let head = report.findings.iter().filter(|f| f.in_head == Some(true)).count();
        let gone = report
            .findings
            .iter()
            .filter(|f| f.in_head == Some(false))
            .count();
        if head + gone > 0 {
            facts.push(format!("{head} still in HEAD, {gone} in history only"));
        }
        if !report.repositories.is_empty() {
            facts.push(plural(report.repositories.len(), "repository", "repositories"));
        }
        facts.push(format!(
            "{} scanned",
            plural(report.stats.files_scanned as usize, "file", "files")
        ));
        if !report.errors.is_empty() {
            facts.push(plural(report.errors.len(), "error", "errors"));
        }
        let _ = writeln!(out, "{}\n", facts.join(" · "));
        let budget = self.limit - FOOTER_RESERVE;
        let mut shown = 0;
        if n > 0 {
            out.push_str("| Severity | Rule | Where | Secret | State | Commit | Fix |\n");
            out.push_str("|---|---|---|---|---|---|---|\n");
            for f in &report.findings {
                let row = self.row(f, f.rule(rules));
                if out.len() + row.len() > budget {
                    break;
                }
                out.push_str(&row);
                shown += 1;
            }
            out.push('\n');
        }
        if shown < n {
            let _ = writeln!(
                out,
                "**{} not shown**: this summary stops at GitHub's size limit; the full list is in the JSON or SARIF report.\n",
                plural(n - shown, "finding", "findings")
            );
        }
        let mut footer = String::new();
        if !report.errors.is_empty() {
            let _ = writeln!(
                footer,
                "⚠️ {} could not be scanned (see the full report).\n",
                plural(report.errors.len(), "file", "files")
            );
        }
        for note in &report.notices {
            let _ = writeln!(footer, "ℹ️ {}: {}\n", code(&note.file), text(&note.message));
        }
        if n > 0 {
            footer.push_str("Fix: rotate each credential with its issuer, then move the value to a secrets store (`leakless migrate`).\n");
        }
        // Notices come from the scanned change's config files: cut them rather than pass the limit.
        if out.len() + footer.len() > self.limit {
            let keep = self.limit.saturating_sub(out.len() + 64);
            let mut cut = keep.min(footer.len());
            while !footer.is_char_boundary(cut) {
                cut -= 1;
            }
            footer.truncate(cut);
            footer.push_str("\n\n(notes cut at the size limit)\n");
        }
        out.push_str(&footer);
        w.write_all(out.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_open_a_construct() {
        let hostile = "a|b`c<script>x</script>\n| evil | row |@team #1 https://x.test [l](u) **b** \x1b[2J\\";
        let t = text(hostile);
        for bad in [
            '|', '`', '<', '>', '\n', '\x1b', '@', '[', ']', '(', ')', '*', '\\',
        ] {
            assert!(!t.contains(bad), "{bad:?} in {t}");
        }
        assert!(t.match_indices('#').all(|(i, _)| t[..i].ends_with('&')), "{t}");
        assert!(!t.contains("https:"), "{t}");
        assert!(t.contains("\\x1b") || t.contains("&#92;x1b"), "{t}");
    }

    #[test]
    fn rotate_links_only_plain_https() {
        assert_eq!(
            rotate_link("https://example.test/rotate?a=1&b=2"),
            "<a href=\"https://example.test/rotate?a=1&amp;b=2\">rotate</a>"
        );
        assert!(!rotate_link("javascript:alert(1)").contains("href"));
        assert!(!rotate_link("https://x.test/\"onmouseover=x").contains("href"));
    }
}
