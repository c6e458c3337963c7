//! `leakless rules check`: every rule's examples must match it and its negative examples must not.

use crate::matching::{Input, MatchOptions, RawMatch, Scanner, Scratch};
use crate::rules::RuleSet;

/// A problem found by [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Rule id.
    pub rule: String,
    /// File the rule came from.
    pub source: String,
    /// What is wrong.
    pub message: String,
    /// `true`: a failure; `false`: a warning (e.g. a rule without examples).
    pub fatal: bool,
}

/// Truncates an example for messages (examples hold fake secrets, but keep lines short).
fn clip(s: &str) -> String {
    let one_line = s.replace('\n', "\\n");
    if one_line.chars().count() > 80 {
        one_line.chars().take(77).collect::<String>() + "..."
    } else {
        one_line
    }
}

/// Checks every rule of `set`. A rule without examples or negative examples is a warning.
pub fn check(set: &RuleSet) -> Vec<Problem> {
    let scanner = Scanner::new(
        set,
        MatchOptions {
            inline_allow: false,
            ignore_rule_paths: true,
            archives: None,
            ..MatchOptions::default()
        },
    );
    let mut scratch = Scratch::default();
    let mut problems = Vec::new();
    for (idx, rule) in set.rules().iter().enumerate() {
        let mut problem = |message: String, fatal: bool| {
            problems.push(Problem {
                rule: rule.id.clone(),
                source: rule.source.clone(),
                message,
                fatal,
            });
        };
        if let Some(Err(e)) = rule.regex() {
            problem(e.to_string(), true);
            continue;
        }
        if rule.examples.is_empty() {
            problem("has no examples".into(), false);
        }
        if rule.negative_examples.is_empty() {
            problem("has no negative_examples".into(), false);
        }
        let hits = |text: &str, scratch: &mut Scratch| -> bool {
            if rule.regex_src.is_none() && rule.detector.is_none() {
                let allowed = rule.allowlists.iter().any(|a| {
                    a.allows(&crate::rules::AllowQuery {
                        path: Some(text),
                        commit: None,
                        secret: text.as_bytes(),
                        full_match: text.as_bytes(),
                        line: b"",
                    })
                });
                return !allowed && rule.path.as_ref().is_some_and(|p| p.is_match(text.as_bytes()));
            }
            let mut out: Vec<RawMatch> = Vec::new();
            scanner.scan(
                Input {
                    data: text.as_bytes(),
                    path: None,
                    commit: None,
                },
                scratch,
                &mut out,
            );
            out.iter().any(|m| m.rule as usize == idx)
        };
        for ex in &rule.examples {
            if !rule.keywords.is_empty()
                && (rule.regex_src.is_some() || rule.detector.is_some())
                && !rule
                    .keywords
                    .iter()
                    .any(|k| ex.to_ascii_lowercase().contains(k.as_str()))
            {
                problem(
                    format!("example contains none of its keywords: {}", clip(ex)),
                    true,
                );
            } else if !hits(ex, &mut scratch) {
                problem(format!("example does not match: {}", clip(ex)), true);
            }
        }
        for ex in &rule.negative_examples {
            if hits(ex, &mut scratch) {
                problem(format!("negative example matches: {}", clip(ex)), true);
            }
        }
    }
    problems
}
