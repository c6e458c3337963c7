//! `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`), which
//! the runner turns into annotations on the pull request's diff.

use std::io::{self, Write};

use super::{Report, ReportOptions, ScanReport};
use crate::rules::{RuleSet, Severity};

/// The GitHub annotations reporter.
pub struct Github(pub ReportOptions);

/// Escapes a workflow-command message (and any other control character, which the runner's log
/// would pass to a terminal).
fn data(s: &str) -> String {
    let s = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    super::escape(&s).into_owned()
}

/// Escapes a workflow-command property value.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Report for Github {
    fn write(&self, report: &ScanReport, rules: &RuleSet, w: &mut dyn Write) -> io::Result<()> {
        for f in &report.findings {
            let rule = f.rule(rules);
            let cmd = match rule.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "notice",
            };
            let secret = f.secret.shown(self.0.redact);
            for l in &f.locations {
                writeln!(
                    w,
                    "::{cmd} file={},line={},endLine={},col={},endColumn={},title={}::{}",
                    prop(&l.path),
                    l.line,
                    l.end_line,
                    l.column,
                    l.end_column,
                    prop(&format!("leakless {}", rule.id)),
                    data(&format!(
                        "{} ({secret}{}), confidence {}, fingerprint {}. Fix: {}",
                        rule.description,
                        crate::findings::decoding_chain(&l.decoded)
                            .map_or_else(String::new, |c| format!(", {c}-decoded")),
                        rule.confidence().as_str(),
                        f.fingerprint,
                        super::hint(rule)
                    ))
                )?;
            }
        }
        for e in &report.errors {
            writeln!(
                w,
                "::warning title=leakless could not scan::{}",
                data(&format!("{}: {}", e.path, e.message))
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{data, prop};

    #[test]
    fn escapes() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(prop("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(data("x\x1b[2Jy"), "x\\x1b[2Jy");
    }
}
