//! `--format junit`: a JUnit XML report for CI systems that display test results. Each location
//! of each finding is a failed test case; files that could not be scanned are errored cases; a
//! clean scan is one passing case.

use std::io::{self, Write};

use super::{Report, ReportOptions, ScanReport};
use crate::rules::RuleSet;

/// The JUnit reporter.
pub struct Junit(pub ReportOptions);

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

impl Report for Junit {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        let failures: usize = report.findings.iter().map(|f| f.locations.len()).sum();
        let errors = report.errors.len();
        let tests = (failures + errors).max(1);
        let secs = report.stats.elapsed.as_secs_f64();
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<testsuites name="leakless" tests="{tests}" failures="{failures}" errors="{errors}" time="{secs:.3}">"#
        )?;
        writeln!(
            w,
            r#"  <testsuite name="leakless secret scan" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0" time="{secs:.3}">"#
        )?;
        for f in &report.findings {
            let rule = f.rule(rules);
            let secret = f.secret.shown(self.0.redact);
            for l in &f.locations {
                writeln!(
                    w,
                    r#"    <testcase classname="leakless.{}" name="{}:{}:{}" file="{}" line="{}">"#,
                    esc(&rule.id),
                    esc(&l.path),
                    l.line,
                    l.column,
                    esc(&l.path),
                    l.line
                )?;
                writeln!(
                    w,
                    r#"      <failure type="{}" message="{} ({}{})">confidence {}&#10;fingerprint {}&#10;{}</failure>"#,
                    rule.severity.as_str(),
                    esc(&rule.description),
                    esc(&secret),
                    crate::findings::decoding_chain(&l.decoded)
                        .map_or_else(String::new, |c| format!(", {c}-decoded")),
                    rule.confidence().as_str(),
                    f.fingerprint,
                    esc(&super::hint(rule))
                )?;
                writeln!(w, "    </testcase>")?;
            }
        }
        for e in &report.errors {
            writeln!(
                w,
                r#"    <testcase classname="leakless" name="scan {}">"#,
                esc(&e.path)
            )?;
            writeln!(w, r#"      <error message="{}"/>"#, esc(&e.message))?;
            writeln!(w, "    </testcase>")?;
        }
        if failures + errors == 0 {
            writeln!(
                w,
                r#"    <testcase classname="leakless" name="no secrets found"/>"#
            )?;
        }
        writeln!(w, "  </testsuite>")?;
        writeln!(w, "</testsuites>")
    }
}
