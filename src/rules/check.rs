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

/// Keywords shorter than this (and made only of letters and digits) are too frequent in code.
const MIN_KEYWORD_LEN: usize = 4;

/// A window this small (widened to whole lines) keeps a frequent keyword cheap.
const LINE_WINDOW: usize = 64;

/// Words that occur in most code bases: as a rule keyword each occurrence costs a regex search.
const COMMON_WORDS: &[&str] = &[
    "access",
    "account",
    "api",
    "auth",
    "_auth",
    "authorization",
    "bearer",
    "client",
    "config",
    "credential",
    "credentials",
    "curl",
    "http",
    "https",
    "key",
    "login",
    "machine",
    "pass",
    "passwd",
    "password",
    "private",
    "pwd",
    "secret",
    "seed",
    "token",
    "user",
    "username",
    "wallet",
];

/// The first keyword of a regex rule that will be hit too often to be a useful prefilter: a
/// common word, or a short all-alphanumeric one. Rules restricted by `path` or searched only on
/// the keyword's line (`window <= LINE_WINDOW`) are exempt: for them a frequent keyword is cheap.
fn costly_keyword(rule: &crate::rules::Rule) -> Option<&str> {
    if rule.regex_src.is_none() || rule.path.is_some() || rule.window <= LINE_WINDOW {
        return None;
    }
    rule.keywords
        .iter()
        .find(|k| {
            COMMON_WORDS.contains(&k.as_str())
                || (k.len() < MIN_KEYWORD_LEN && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
        .map(String::as_str)
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
        if let Some(kw) = costly_keyword(rule) {
            problem(
                format!(
                    "keyword '{kw}' is a common word or shorter than {MIN_KEYWORD_LEN} characters: every \
                     occurrence runs the regex on a {}-byte window; use a longer, distinctive keyword, \
                     a `path`, or `window = {LINE_WINDOW}` or less for a regex that matches within one line",
                    rule.window
                ),
                false,
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::syntax::RuleSpec;
    use crate::rules::Rule;

    fn rule(keywords: &[&str], path: Option<&str>, window: Option<usize>) -> Rule {
        let spec = RuleSpec {
            id: "r".into(),
            regex: Some("x([a-z]{8})".into()),
            keywords: keywords.iter().map(|k| (*k).to_string()).collect(),
            path: path.map(str::to_string),
            window,
            ..RuleSpec::default()
        };
        Rule::from_spec(spec, "t.toml").expect("valid")
    }

    #[test]
    fn common_or_short_keywords_are_flagged_unless_cheap() {
        assert_eq!(costly_keyword(&rule(&["Password"], None, None)), Some("password"));
        assert_eq!(costly_keyword(&rule(&["acme_", "ibm"], None, None)), Some("ibm"));
        assert_eq!(costly_keyword(&rule(&["acme_api_key", "hf_"], None, None)), None);
        assert_eq!(
            costly_keyword(&rule(&["token"], Some("(?:^|/)\\.npmrc$"), None)),
            None
        );
        assert_eq!(costly_keyword(&rule(&["token"], None, Some(64))), None);
        assert_eq!(costly_keyword(&rule(&["token"], None, Some(65))), Some("token"));
    }
}
