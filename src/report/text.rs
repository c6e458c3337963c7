//! Human-readable text: `path:line:col: severity rule-id: description`, the redacted secret,
//! other locations, a fix hint, and a summary line with counts and throughput.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{escape as e, hint, Report, ReportOptions, ScanReport};
use crate::findings::Location;
use crate::rules::{RuleSet, Severity};
use crate::source::SkipReason;

/// Locations listed per finding before "and N more".
const MAX_LOCATIONS_SHOWN: usize = 10;

/// The text reporter.
pub struct Text(pub ReportOptions);

impl Text {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.0.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical | Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low | Severity::Info => "36",
        };
        self.paint(code, s.as_str())
    }
}

/// Text from a config (descriptions, file names) with control characters escaped.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Text {
    /// Which config files are in force (when not just the built-in rules, or with `-v`) and what
    /// the allowlists suppressed (`-v`: each allowlist).
    fn write_config_summary(&self, summary: &super::ConfigSummary, w: &mut dyn Write) -> io::Result<()> {
        let only_builtin = summary.files.len() == 1 && summary.files[0] == crate::rules::BUILTIN_NAME;
        if self.0.verbose || !only_builtin {
            let names = if summary.files.is_empty() {
                "no rule file".to_string()
            } else {
                clean(&summary.files.join(", "))
            };
            writeln!(w, "config: {names} ({} rules)", summary.rules)?;
        }
        let hits = &summary.allowlisted;
        let total: u64 = hits.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return Ok(());
        }
        if self.0.verbose {
            writeln!(
                w,
                "allowlisted: {total} (matches, and files for path allowlists):"
            )?;
            for (label, n) in hits {
                writeln!(w, "  {n:>8}  {}", clean(label))?;
            }
        } else {
            writeln!(
                w,
                "allowlisted: {total} by {} allowlist{} (-v lists them)",
                hits.len(),
                if hits.len() == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

fn human_bytes(n: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let f = n as f64;
    if f >= 1e9 {
        format!("{:.2} GB", f / 1e9)
    } else if f >= 1e6 {
        format!("{:.2} MB", f / 1e6)
    } else if f >= 1e3 {
        format!("{:.1} kB", f / 1e3)
    } else {
        format!("{n} B")
    }
}

/// ` in commit 1a2b3c4d5e6f (2024-01-31T12:00:00+00:00, Name <email>): summary` for git locations.
fn provenance(l: &Location) -> String {
    l.commit.as_ref().map_or_else(String::new, |c| {
        format!(
            " in commit {} ({}, {} <{}>): {}",
            e(c.id.get(..12).unwrap_or(&c.id)),
            e(&c.date),
            e(&c.author_name),
            e(&c.author_email),
            e(&c.summary)
        )
    })
}

impl Report for Text {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        for f in &report.findings {
            let rule = f.rule(rules);
            let Some(first) = f.locations.first() else {
                continue;
            };
            writeln!(
                w,
                "{}: {} {}: {}",
                self.paint(
                    "1",
                    &format!("{}:{}:{}", e(&first.path), first.line, first.column)
                ),
                self.severity(rule.severity),
                self.paint("1", &e(&rule.id)),
                e(&rule.description)
            )?;
            if first.commit.is_some() {
                writeln!(w, "   {}", provenance(first))?;
            }
            let secret = f.secret.shown(self.0.redact);
            let live = match f.in_head {
                Some(true) => "  (still in HEAD)",
                Some(false) => "  (history only)",
                None => "",
            };
            let decoded = crate::findings::decoding_chain(&first.decoded)
                .map_or_else(String::new, |c| format!(" ({c}-decoded)"));
            let validation = f.validation.as_ref().map_or_else(String::new, |v| {
                let status = match v.status {
                    crate::findings::ValidationStatus::Live => self.paint("1;31", "live"),
                    other => other.as_str().to_string(),
                };
                format!("  validation: {status} ({})", e(&v.detail))
            });
            writeln!(
                w,
                "    secret: {}{decoded}  confidence: {}  fingerprint: {}{live}{validation}",
                e(&secret),
                rule.confidence().as_str(),
                f.fingerprint
            )?;
            if let Some(context) = &first.context {
                writeln!(w, "    line: {}", e(context))?;
            }
            if let Some(key) = &f.key {
                let key = e(key);
                match &f.paired_with {
                    Some(p) => writeln!(
                        w,
                        "    key: {key}  paired with: {} = {}",
                        e(&p.key),
                        e(&p.preview)
                    )?,
                    None => writeln!(w, "    key: {key}")?,
                }
            }
            for l in f.locations.iter().skip(1).take(MAX_LOCATIONS_SHOWN) {
                writeln!(
                    w,
                    "    also at {}:{}:{}{}{}",
                    e(&l.path),
                    l.line,
                    l.column,
                    crate::findings::decoding_chain(&l.decoded)
                        .map_or_else(String::new, |c| format!(" ({c}-decoded)")),
                    provenance(l)
                )?;
            }
            let more = (f.locations.len().saturating_sub(MAX_LOCATIONS_SHOWN + 1) as u64) + f.more_locations;
            if more > 0 {
                writeln!(w, "    ... and {more} more")?;
            }
            writeln!(w, "    {}", self.paint("2", &format!("fix: {}", hint(rule))))?;
        }
        if self.0.verbose {
            for s in &report.skipped {
                let why = match s.reason {
                    SkipReason::Binary => "binary".to_string(),
                    SkipReason::TooLarge(n) => format!("too large ({})", human_bytes(n)),
                    SkipReason::Allowlisted => "allowlisted path".to_string(),
                    SkipReason::Archive(why) => why.as_str().to_string(),
                };
                writeln!(w, "skipped {}: {why}", e(&s.path))?;
            }
        }
        if let Some(g) = &report.stats.git {
            if self.0.verbose {
                writeln!(
                    w,
                    "blobs scanned: {} (unique blobs: {})",
                    g.blobs_scanned, g.unique_blobs
                )?;
            }
            let mut by_provider: BTreeMap<&str, usize> = BTreeMap::new();
            for f in &report.findings {
                *by_provider
                    .entry(f.rule(rules).provider.as_deref().unwrap_or("other"))
                    .or_default() += 1;
            }
            let providers: Vec<String> = by_provider.iter().map(|(p, n)| format!("{p}: {n}")).collect();
            write!(
                w,
                "git {}: {} refs, {} commits, {} unique blobs",
                g.mode.as_str(),
                g.refs,
                g.commits,
                g.unique_blobs
            )?;
            if g.mode == crate::source::git::GitMode::History && !g.scanned.is_zero() {
                let secs = g.scanned.as_secs_f64().max(0.001);
                #[allow(clippy::cast_precision_loss)]
                let (blobs, mbs) = (
                    g.blobs_scanned as f64 / secs,
                    report.stats.bytes_scanned as f64 / secs / 1e6,
                );
                write!(
                    w,
                    " ({blobs:.0} blobs/s, {mbs:.1} MB/s; walk {:.2}s, scan {:.2}s, findings {:.2}s)",
                    g.walked.as_secs_f64(),
                    g.scanned.as_secs_f64(),
                    report.stats.elapsed.saturating_sub(g.scanned).as_secs_f64()
                )?;
            }
            if !providers.is_empty() {
                write!(w, "; findings by provider: {}", providers.join(", "))?;
            }
            let live = report.findings.iter().filter(|f| f.in_head == Some(true)).count();
            let gone = report
                .findings
                .iter()
                .filter(|f| f.in_head == Some(false))
                .count();
            if live + gone > 0 {
                write!(w, "; {live} still in HEAD, {gone} in history only")?;
            }
            if g.shallow {
                write!(
                    w,
                    "; shallow clone: history before the shallow boundary was not scanned"
                )?;
            }
            if g.submodules > 0 {
                write!(w, "; {} submodule entries not followed", g.submodules)?;
            }
            if g.lfs_pointers > 0 {
                write!(w, "; {} Git LFS pointers not scanned", g.lfs_pointers)?;
            }
            writeln!(w)?;
        }
        // Summary.
        let mut by_sev: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for f in &report.findings {
            *by_sev
                .entry(std::cmp::Reverse(f.rule(rules).severity))
                .or_default() += 1;
        }
        let st = &report.stats;
        // Whole milliseconds, as the JSON report keeps them, so `leakless report` prints the same.
        let elapsed =
            std::time::Duration::from_millis(u64::try_from(st.elapsed.as_millis()).unwrap_or(u64::MAX));
        let secs = elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = if secs > 0.0 {
            st.bytes_scanned as f64 / secs / 1e6
        } else {
            0.0
        };
        let head = if report.findings.is_empty() {
            self.paint("32", "no leaks found")
        } else {
            let parts: Vec<String> = by_sev
                .iter()
                .map(|(s, n)| format!("{n} {}", s.0.as_str()))
                .collect();
            self.paint(
                "1;31",
                &format!(
                    "{} finding{} ({})",
                    report.findings.len(),
                    if report.findings.len() == 1 { "" } else { "s" },
                    parts.join(", ")
                ),
            )
        };
        let (binary, large, allow) = report
            .skipped
            .iter()
            .fold((0, 0, 0), |(b, l, a), s| match s.reason {
                SkipReason::Binary => (b + 1, l, a),
                SkipReason::TooLarge(_) => (b, l + 1, a),
                SkipReason::Allowlisted => (b, l, a + 1),
                SkipReason::Archive(_) => (b + 1, l, a),
            });
        write!(
            w,
            "{head}; scanned {} file{}, {} in {secs:.2}s ({rate:.1} MB/s)",
            st.files_scanned,
            if st.files_scanned == 1 { "" } else { "s" },
            human_bytes(st.bytes_scanned),
        )?;
        if binary + large + allow > 0 {
            write!(
                w,
                "; skipped {binary} binary, {large} too large, {allow} allowlisted"
            )?;
        }
        if !report.errors.is_empty() {
            write!(
                w,
                "; {} error{}",
                report.errors.len(),
                if report.errors.len() == 1 { "" } else { "s" }
            )?;
        }
        let sup = &report.suppressed;
        if sup.baselined + sup.ignored > 0 {
            write!(
                w,
                "; suppressed {} by baseline, {} by ignore file",
                sup.baselined, sup.ignored
            )?;
        }
        if !sup.stale.is_empty() {
            write!(
                w,
                "; {} stale suppression entr{}{}",
                sup.stale.len(),
                if sup.stale.len() == 1 { "y" } else { "ies" },
                if self.0.report_stale {
                    ""
                } else {
                    " (--report-stale lists them)"
                }
            )?;
        }
        writeln!(w)?;
        self.write_config_summary(&report.config_summary(rules), w)?;
        if self.0.report_stale {
            for s in &sup.stale {
                let detail = if s.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", s.detail)
                };
                writeln!(
                    w,
                    "stale {} entry {}: {}{} matches nothing",
                    s.kind,
                    e(&s.file),
                    s.fingerprint,
                    e(&detail)
                )?;
            }
        }
        for n in &report.notices {
            writeln!(
                w,
                "{} {}: {}",
                self.paint("1;33", "note:"),
                e(&n.file),
                e(&n.message)
            )?;
        }
        Ok(())
    }
}
