//! The matcher: keyword prefilter → rule regexes on windows → secret filters.
//!
//! For each blob, one pass of an ASCII-case-insensitive Aho-Corasick automaton over every rule
//! keyword finds the candidate rules and where they may match. Only those rules' regexes run, and
//! only on a window around each keyword hit (the rule's `window` bytes either side, widened to whole
//! lines, overlapping windows merged). The captured secret must then pass the rule's entropy floor,
//! the built-in placeholder filter, the rule's and the global allowlists, and the inline-allow
//! comment check. Then the assignment detector ([`assign`]) finds secrets by the key they are
//! assigned to, decodes base64 values and pairs ids with secrets. Line and column are computed only
//! for the matches that survive.

pub mod assign;
mod budget;
pub use budget::FACTOR as BUDGET_FACTOR;
pub mod checksum;
pub mod decode;
pub mod entropy;
pub mod filter;
mod keyword_tables;
mod necessary;
pub mod prefilter;
mod runs;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use memchr::memchr_iter;

use crate::rules::{AllowQuery, RuleSet};

/// Markers that suppress a match when they stand in a comment after it (see `inline_allowed`).
pub const INLINE_ALLOW_MARKERS: &[&str] = &["leakless:allow", "gitleaks:allow", "pragma: allowlist secret"];

/// Whether `hay` holds an inline allow marker. The searchers are built once: `memmem::find`
/// builds one per call, which over every candidate match of a tree scan cost ~1% of its time.
fn has_allow_marker(hay: &[u8]) -> bool {
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            INLINE_ALLOW_MARKERS
                .iter()
                .map(memchr::memmem::Finder::new)
                .collect()
        });
    FINDERS.iter().any(|f| f.find(hay).is_some())
}

/// Default of `--max-decode-depth`: how deep decoded content is decoded again (base64 in base64:
/// a docker `auth` inside a Kubernetes `.dockerconfigjson`).
pub const MAX_DECODE_DEPTH: u8 = 2;

pub use decode::Decoding;

/// Lines longer than this are not widened further when a window is extended to line boundaries.
const MAX_LINE_EXTEND: usize = 4096;

/// Substring test on bytes. The callers test a candidate value or line for short words, many
/// per candidate: `memmem::find` builds a searcher per call once the haystack passes 64 bytes
/// (~1% of a tree scan), so this is [`find`].
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// The first occurrence of `needle` in `hay`, without a searcher: a needle of 1 to 16 bytes is
/// found by `memchr` of its first byte and a comparison of the rest.
#[inline]
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [first, rest @ ..] if rest.len() < 16 => {
            memchr_iter(*first, hay).find(|&i| hay[i + 1..].starts_with(rest))
        }
        _ => memchr::memmem::find(hay, needle),
    }
}

/// Start of every non-overlapping occurrence of `needle` in `hay`, in order, as
/// `memmem::find_iter` gives them but without the searcher it builds on every call ([`find`]).
pub(crate) fn find_iter<'a>(hay: &'a [u8], needle: &'a [u8]) -> Occurrences<'a> {
    Occurrences { hay, needle, at: 0 }
}

/// The iterator of [`find_iter`].
pub(crate) struct Occurrences<'a> {
    hay: &'a [u8],
    needle: &'a [u8],
    /// Where the search resumes.
    at: usize,
}

impl Iterator for Occurrences<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let start = self.at + find(self.hay.get(self.at..)?, self.needle)?;
        self.at = start + self.needle.len().max(1);
        Some(start)
    }
}

/// Options for the matcher.
#[derive(Debug, Clone, Copy)]
pub struct MatchOptions {
    /// Honour `leakless:allow`, `gitleaks:allow` and `pragma: allowlist secret` on a line.
    pub inline_allow: bool,
    /// Run path-restricted rules on content whatever its path (for `rules check`).
    pub ignore_rule_paths: bool,
    /// How deep encoded content (base64, hex, escapes) is decoded and rescanned; 0: never.
    pub max_decode_depth: u8,
    /// Archive members are opened and scanned within these limits (`None`: `--no-archives`).
    /// The sources read it (see `source::archive`); it travels with the matcher so that every
    /// source sees the same settings.
    pub archives: Option<ArchiveLimits>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self {
            inline_allow: true,
            ignore_rule_paths: false,
            max_decode_depth: MAX_DECODE_DEPTH,
            archives: Some(ArchiveLimits::default()),
        }
    }
}

/// Limits on opening archives, so that a zip bomb is a reported skip and never exhausts memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Archives inside archives are opened this deep (1: only the outer archive's members).
    pub max_depth: u8,
    /// Bytes inflated from one top-level archive, all members and nesting levels together.
    pub max_total_bytes: u64,
    /// Entries read from one top-level archive, all nesting levels together.
    pub max_entries: u64,
    /// A member inflating to more than this many times its compressed size (once past 1 MiB) is
    /// a bomb.
    pub max_ratio: u64,
    /// Largest member scanned (bytes); bigger ones are skipped.
    pub max_member_size: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_depth: 4,
            max_total_bytes: 256 * 1024 * 1024,
            max_entries: 100_000,
            max_ratio: 250,
            max_member_size: 10 * 1024 * 1024,
        }
    }
}

/// One content to scan.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The bytes.
    pub data: &'a [u8],
    /// The path it is known by (for path-scoped rules and allowlists).
    pub path: Option<&'a str>,
    /// The commit it was found in (for commit allowlists).
    pub commit: Option<&'a str>,
}

/// A secret found in one blob, before findings are grouped.
#[derive(Clone)]
pub struct RawMatch {
    /// Index of the rule in the [`RuleSet`].
    pub rule: u32,
    /// The raw secret bytes. Never printed unless the user asks for it.
    pub secret: Vec<u8>,
    /// Byte offset of the secret in the blob.
    pub start: usize,
    /// Byte offset one past the secret.
    pub end: usize,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based column (Unicode scalar values) of the secret's first character.
    pub column: usize,
    /// 1-based line of the secret's last byte.
    pub end_line: usize,
    /// Column one past the secret's last character (exclusive, SARIF style).
    pub end_column: usize,
    /// The key the secret is assigned to, when it sits in a `KEY = value` assignment.
    pub key: Option<String>,
    /// The id this secret is paired with (`*_CLIENT_ID` for a `*_CLIENT_SECRET`).
    pub paired_with: Option<Paired>,
    /// Inside an archive: the member's path (nested archives joined by `!`), shown after the
    /// blob's path as `dist/app.zip!config/.env`.
    pub member: Option<String>,
    /// The decodings undone to find the secret, outermost first (empty: found as written).
    pub decoded: Vec<Decoding>,
    /// The line the secret is on, every match on it replaced by its redacted preview, cut to
    /// [`CONTEXT_CHARS`] around the secret (for triage; control characters are escaped by the
    /// reports that print it).
    pub context: Option<String>,
}

/// One token, one finding: when a provider's own rule and a provider-less one (`generic*`, `jwt`)
/// report the same secret at overlapping places (a Home Assistant token the generic `jwt` rule
/// also matches), only the provider's rule keeps it. Two rules of the same kind both stay (that
/// is a catalog overlap to fix in the rules, not to hide). Spans are compared after sorting by
/// start, so a file with many findings costs `O(n log n)`, not `O(n²)`.
fn drop_double_reports(rules: &[crate::rules::Rule], out: &mut Vec<RawMatch>, first: usize) {
    let new = &out[first..];
    if new.len() < 2 {
        return;
    }
    let specific = |m: &RawMatch| {
        let r = &rules[m.rule as usize];
        match r.provider.as_deref() {
            Some("generic" | "jwt") => false,
            Some(_) => true,
            None => !(r.id.starts_with("generic") || r.id == "jwt"),
        }
    };
    let mut order: Vec<usize> = (0..new.len()).filter(|&i| new[i].end > new[i].start).collect();
    order.sort_by_key(|&i| (new[i].start, new[i].end));
    let mut drop = vec![false; new.len()];
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            let (a, b) = (&new[i], &new[j]);
            if b.start >= a.end {
                break;
            }
            if drop[i] || drop[j] || a.rule == b.rule || a.member != b.member || a.secret != b.secret {
                continue;
            }
            match (specific(a), specific(b)) {
                (false, true) => drop[i] = true,
                (true, false) => drop[j] = true,
                _ => {}
            }
        }
    }
    let mut k = 0;
    out.retain(|_| {
        let keep = k < first || !drop[k - first];
        k += 1;
        keep
    });
}

/// The non-secret half of an id/secret pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Paired {
    /// The id's key (`INFISICAL_CLIENT_ID`).
    pub key: String,
    /// A redacted preview of the id's value.
    pub preview: String,
    /// The id's value (validation sends it with the secret, as the provider's login needs both;
    /// never reported).
    pub value: crate::findings::Secret,
}

impl RawMatch {
    /// A match of `rule` at `start..end` (line and column filled in later).
    pub fn new(rule: u32, secret: Vec<u8>, start: usize, end: usize) -> Self {
        Self {
            rule,
            secret,
            start,
            end,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            key: None,
            paired_with: None,
            member: None,
            decoded: Vec::new(),
            context: None,
        }
    }

    /// The path shown for this match found in the blob at `path`: `path!member` inside archives.
    pub fn display_path<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        match &self.member {
            Some(m) => format!("{path}!{m}").into(),
            None => path.into(),
        }
    }
}

impl std::fmt::Debug for RawMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawMatch")
            .field("rule", &self.rule)
            .field("secret", &"<redacted>")
            .field("line", &self.line)
            .field("column", &self.column)
            .field("key", &self.key)
            .field("member", &self.member)
            .field("decoded", &self.decoded)
            .finish()
    }
}

/// Per-thread scratch space, reused between blobs.
#[derive(Debug, Default)]
pub struct Scratch {
    hits: prefilter::Hits,
    /// Byte ranges of detector keyword hits in the current blob.
    detector_hits: Vec<(usize, usize)>,
    windows: Vec<(u32, usize, usize)>,
    last: Vec<u32>,
    touched: Vec<u32>,
    /// Per rule, for the current blob: 0 = path not yet checked, 1 = path allowed, 2 = not.
    path_state: Vec<u8>,
    path_touched: Vec<u32>,
}

/// Runs a [`RuleSet`] over blobs. Cheap to share between threads (`&Scanner` is `Sync`).
#[derive(Debug)]
pub struct Scanner<'r> {
    rules: &'r RuleSet,
    opts: MatchOptions,
    /// Per rule, on first use: the budgeted form of a rule without keywords or from a config
    /// (`None`: a built-in keyword rule, searched freely).
    budgeted: Vec<OnceLock<Option<budget::Budgeted>>>,
    /// Per rule, on first use: the literals every match needs (`None`: none known), checked on
    /// each window before the regex runs (see `necessary.rs`).
    necessary: Vec<OnceLock<Option<necessary::Necessary>>>,
    /// Rules that ran out of budget: rule → (blobs, first path).
    exhausted: Mutex<BTreeMap<u32, (u64, String)>>,
}

/// A rule that spent its work budget (see [`Scanner::exhausted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSpent {
    /// The rule's index in the [`RuleSet`].
    pub rule: u32,
    /// In how many blobs it stopped early.
    pub blobs: u64,
    /// The first of them (in the order the scan met them).
    pub first_path: String,
}

impl<'r> Scanner<'r> {
    /// A scanner over `rules`.
    pub fn new(rules: &'r RuleSet, opts: MatchOptions) -> Self {
        Self {
            rules,
            opts,
            budgeted: std::iter::repeat_with(OnceLock::new)
                .take(rules.rules().len())
                .collect(),
            necessary: std::iter::repeat_with(OnceLock::new)
                .take(rules.rules().len())
                .collect(),
            exhausted: Mutex::new(BTreeMap::new()),
        }
    }

    /// The rules that stopped early on some blob because they spent their work budget (rules
    /// without keywords and rules from a config run within one; see `budget.rs`).
    pub fn exhausted(&self) -> Vec<BudgetSpent> {
        self.exhausted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(&rule, (blobs, first))| BudgetSpent {
                rule,
                blobs: *blobs,
                first_path: first.clone(),
            })
            .collect()
    }

    fn note_exhausted(&self, rule: u32, path: Option<&str>) {
        let mut map = self
            .exhausted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map
            .entry(rule)
            .or_insert_with(|| (0, path.unwrap_or("<input>").to_string()));
        entry.0 += 1;
    }

    /// The budgeted search of rule `idx`, if it runs within a budget.
    fn budgeted(&self, idx: u32, src: &str) -> Option<&budget::Budgeted> {
        self.budgeted
            .get(idx as usize)?
            .get_or_init(|| {
                let rule = &self.rules.rules()[idx as usize];
                let trusted = rule.from_builtin_pack() && !self.rules.always_rules().contains(&idx);
                // A pattern the regex crate compiled compiles here too (same syntax and limits);
                // were it not to, the rule would run unbudgeted rather than not at all.
                (!trusted)
                    .then(|| budget::Budgeted::new(src, crate::rules::REGEX_SIZE_LIMIT))
                    .flatten()
            })
            .as_ref()
    }

    /// The necessary-literal check of rule `idx` (regex source `src`), if it has one.
    fn necessary(&self, idx: u32, src: &str) -> Option<&necessary::Necessary> {
        self.necessary
            .get(idx as usize)?
            .get_or_init(|| {
                let hir = crate::rules::engine::parse_hir(src).ok()?;
                Some(necessary::Necessary::new(&hir)).filter(|n| !n.is_empty())
            })
            .as_ref()
    }

    /// The rules.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// The options.
    pub fn options(&self) -> &MatchOptions {
        &self.opts
    }

    /// Scans one blob, appending surviving matches to `out`.
    pub fn scan(&self, input: Input<'_>, scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        self.scan_depth(input, scratch, out, 0, None);
    }

    /// [`Scanner::scan`] at a decoding depth, with an optional format for the assignment detector.
    pub(crate) fn scan_depth(
        &self,
        input: Input<'_>,
        scratch: &mut Scratch,
        out: &mut Vec<RawMatch>,
        depth: u8,
        hint: Option<assign::parse::Format>,
    ) {
        let data = input.data;
        // Decoded content (depth > 0) has the path of the blob it came from, which passed these
        // checks already, and the rescans drop path-only findings: no path regex runs per run.
        if let Some(path) = input.path.filter(|_| depth == 0) {
            if let Some(a) = self.rules.global.iter().find(|a| a.allows_path(path)) {
                a.hit();
                return;
            }
        }
        let first_new = out.len();
        if depth == 0 {
            self.path_only(input, out);
        }
        self.collect_windows(data, input.path, scratch);
        let rules = self.rules.rules();
        let windows = std::mem::take(&mut scratch.windows);
        let mut i = 0;
        while i < windows.len() {
            let rule_idx = windows[i].0;
            let mut j = i;
            while j < windows.len() && windows[j].0 == rule_idx {
                j += 1;
            }
            let rule = &rules[rule_idx as usize];
            let path_ok = match (&rule.path, input.path) {
                (None, _) => true,
                _ if self.opts.ignore_rule_paths => true,
                (Some(re), Some(p)) => re.is_match(p.as_bytes()),
                (Some(_), None) => false,
            };
            // The rule's regex is compiled (on first use) only when a window may hold a match.
            let necessary = rule
                .regex_src
                .as_deref()
                .filter(|_| path_ok)
                .and_then(|src| self.necessary(rule_idx, src));
            let may_match =
                |&(_, ws, we): &(u32, usize, usize)| necessary.is_none_or(|n| n.may_match(&data[ws..we]));
            let first = if path_ok {
                windows[i..j].iter().position(may_match).map_or(j, |f| i + f)
            } else {
                j
            };
            if first < j {
                let mut found = |ws: usize, full: (usize, usize), secret: Option<(usize, usize)>| {
                    let Some(secret) = secret else { return };
                    let (s, e) = (ws + secret.0, ws + secret.1);
                    if self.keep_secret(rule_idx, input, &data[s..e], ws + full.0, ws + full.1) {
                        out.push(RawMatch::new(rule_idx, data[s..e].to_vec(), s, e));
                    }
                };
                // A budgeted rule is compiled only in its budgeted form (not twice).
                let budgeted = rule
                    .regex_src
                    .as_deref()
                    .and_then(|src| self.budgeted(rule_idx, src));
                if let Some(b) = budgeted {
                    let mut left = budget::allowance(data.len());
                    for w @ &(_, ws, we) in &windows[first..j] {
                        if !may_match(w) {
                            continue;
                        }
                        let spent = b.search(&data[ws..we], &mut left, |caps| {
                            let span = |g: usize| caps.get_group(g).map(|m| (m.start, m.end));
                            let Some(full) = span(0) else { return };
                            let groups = (1..caps.group_len()).map(span);
                            found(ws, full, secret_span(rule.secret_group, full, span, groups));
                        });
                        if spent.is_err() {
                            self.note_exhausted(rule_idx, input.path);
                            break;
                        }
                    }
                } else if let Some(Ok(re)) = rule.engine() {
                    for w @ &(_, ws, we) in &windows[first..j] {
                        if !may_match(w) {
                            continue;
                        }
                        re.for_each_match(&data[ws..we], |caps| {
                            let span = |g: usize| caps.get_group(g).map(|m| (m.start, m.end));
                            let Some(full) = span(0) else { return };
                            let groups = (1..caps.group_len()).map(span);
                            found(ws, full, secret_span(rule.secret_group, full, span, groups));
                        });
                    }
                }
            }
            i = j;
        }
        scratch.windows = windows;
        scratch.windows.clear();
        assign::detect(self, input, depth, hint, &scratch.detector_hits, out, first_new);
        if depth < self.opts.max_decode_depth {
            self.rescan_unescaped(input, depth, hint, out, first_new);
            self.rescan_encoded(input, depth, out, first_new);
        }
        drop_double_reports(rules, out, first_new);
        locate(data, &mut out[first_new..]);
        add_context(data, &mut out[first_new..]);
    }

    /// Base64 and hex runs anywhere in the input are decoded (when the result is text) and
    /// rescanned; a secret found inside is reported at the encoded run, with the decoding named.
    /// A run where a match of the same rule was already reported (a Kubernetes `Secret` value the
    /// assignment detector decoded) is not reported twice.
    fn rescan_encoded(&self, input: Input<'_>, depth: u8, out: &mut Vec<RawMatch>, first_new: usize) {
        let mut runs = Vec::new();
        decode::encoded_runs(input.data, |r| runs.push(r));
        let mut scratch = Scratch::default();
        let mut inner = Vec::new();
        for run in runs {
            let Some(decoded) = decode::decode_run(input.data, run) else {
                continue;
            };
            inner.clear();
            self.scan_depth(
                Input {
                    data: &decoded,
                    path: input.path,
                    commit: input.commit,
                },
                &mut scratch,
                &mut inner,
                depth + 1,
                Some(assign::parse::Format::Unknown),
            );
            for m in inner.drain(..) {
                if m.end <= m.start {
                    continue; // path-only rules: already reported by the plain scan
                }
                let (s, e) = (run.start, run.end);
                let covered = out[first_new..]
                    .iter()
                    .any(|p| p.rule == m.rule && p.start < e && s < p.end);
                if covered || !self.keep_secret(m.rule, input, &m.secret, s, e) {
                    continue;
                }
                let mut outer = RawMatch::new(m.rule, m.secret, s, e);
                outer.key = m.key;
                outer.paired_with = m.paired_with;
                outer.decoded = std::iter::once(run.kind).chain(m.decoded).collect();
                out.push(outer);
            }
        }
    }

    /// Percent-encoded and JSON-escaped text is unescaped and rescanned; a secret found across an
    /// escape is reported at its encoded place. Matches with no escape inside are left to the
    /// plain scan, and a span a plain match of the same rule already covers is not reported twice.
    fn rescan_unescaped(
        &self,
        input: Input<'_>,
        depth: u8,
        hint: Option<assign::parse::Format>,
        out: &mut Vec<RawMatch>,
        first_new: usize,
    ) {
        let Some(u) = decode::unescape(input.data) else {
            return;
        };
        let mut inner = Vec::new();
        self.scan_depth(
            Input {
                data: &u.bytes,
                path: input.path,
                commit: input.commit,
            },
            &mut Scratch::default(),
            &mut inner,
            depth + 1,
            hint,
        );
        for m in inner {
            if m.end <= m.start {
                continue; // path-only rules: already reported by the plain scan
            }
            let (s, e) = (u.map[m.start], u.map[m.end]);
            if e - s == m.end - m.start {
                continue; // no escape inside: the plain scan saw the same bytes
            }
            let covered = out[first_new..]
                .iter()
                .any(|p| p.rule == m.rule && p.start < e && s < p.end);
            if covered {
                continue;
            }
            let mut outer = RawMatch::new(m.rule, m.secret, s, e);
            outer.key = m.key;
            outer.paired_with = m.paired_with;
            outer.decoded = m.decoded;
            out.push(outer);
        }
    }

    /// Path-only rules: the file itself is the finding.
    fn path_only(&self, input: Input<'_>, out: &mut Vec<RawMatch>) {
        let Some(path) = input.path else { return };
        for &r in self.rules.path_only_rules() {
            let rule = &self.rules.rules()[r as usize];
            let hit = rule.path.as_ref().is_some_and(|re| re.is_match(path.as_bytes()));
            let allowed = rule.allowlists.iter().any(|a| {
                a.allows(&AllowQuery {
                    path: Some(path),
                    commit: input.commit,
                    secret: path.as_bytes(),
                    full_match: path.as_bytes(),
                    line: b"",
                })
            });
            if hit && !allowed {
                let mut m = RawMatch::new(r, path.as_bytes().to_vec(), 0, 0);
                (m.line, m.column, m.end_line, m.end_column) = (1, 1, 1, 1);
                out.push(m);
            }
        }
    }

    /// Fills `scratch.windows` with merged, line-widened `(rule, start, end)` windows, sorted.
    /// A path-restricted rule whose path does not match collects no windows: its keywords are
    /// often common words (`password` for `.netrc`), and hundreds of thousands of windows that
    /// are then dropped cost more than the scan.
    fn collect_windows(&self, data: &[u8], path: Option<&str>, scratch: &mut Scratch) {
        let rules = self.rules.rules();
        scratch.windows.clear();
        if scratch.last.len() < rules.len() {
            scratch.last.resize(rules.len(), 0);
        }
        if scratch.path_state.len() < rules.len() {
            scratch.path_state.resize(rules.len(), 0);
        }
        let check_paths = !self.opts.ignore_rule_paths;
        if let Some(dfa) = self.rules.keyword_automaton() {
            let Scratch {
                hits,
                detector_hits,
                windows,
                last,
                touched,
                path_state,
                path_touched,
            } = scratch;
            detector_hits.clear();
            dfa.for_each(data, hits, |pattern, start, end| {
                if self.rules.is_detector_keyword(pattern) {
                    detector_hits.push((start, end));
                }
                for &r in self.rules.rules_for_keyword(pattern) {
                    if let (Some(re), true) = (&rules[r as usize].path, check_paths) {
                        let state = &mut path_state[r as usize];
                        if *state == 0 {
                            let ok = path.is_some_and(|p| re.is_match(p.as_bytes()));
                            *state = if ok { 1 } else { 2 };
                            path_touched.push(r);
                        }
                        if *state == 2 {
                            continue;
                        }
                    }
                    let w = rules[r as usize].window;
                    let (s, e) = (start.saturating_sub(w), (end + w).min(data.len()));
                    let prev = last[r as usize];
                    if prev > 0 {
                        let win = &mut windows[prev as usize - 1];
                        if s <= win.2 {
                            win.1 = win.1.min(s);
                            win.2 = win.2.max(e);
                            continue;
                        }
                    } else {
                        touched.push(r);
                    }
                    windows.push((r, s, e));
                    last[r as usize] = u32::try_from(windows.len()).unwrap_or(u32::MAX);
                }
            });
        }
        for r in scratch.touched.drain(..) {
            scratch.last[r as usize] = 0;
        }
        for r in scratch.path_touched.drain(..) {
            scratch.path_state[r as usize] = 0;
        }
        for &r in self.rules.always_rules() {
            scratch.windows.push((r, 0, data.len()));
        }
        // Widen to whole lines, then merge what now overlaps.
        for w in &mut scratch.windows {
            w.1 = line_start(data, w.1);
            w.2 = line_end(data, w.2);
        }
        scratch.windows.sort_unstable();
        let mut merged: usize = 0;
        for k in 0..scratch.windows.len() {
            let cur = scratch.windows[k];
            if merged > 0 {
                let prev = &mut scratch.windows[merged - 1];
                if prev.0 == cur.0 && cur.1 <= prev.2 {
                    prev.2 = prev.2.max(cur.2);
                    continue;
                }
            }
            scratch.windows[merged] = cur;
            merged += 1;
        }
        scratch.windows.truncate(merged);
    }

    /// All post-match checks on `secret` (matched at `fs..fe` of the input): entropy,
    /// placeholders, allowlists, inline allow.
    pub(crate) fn keep_secret(
        &self,
        rule_idx: u32,
        input: Input<'_>,
        secret: &[u8],
        fs: usize,
        fe: usize,
    ) -> bool {
        let data = input.data;
        if secret.is_empty() {
            return false;
        }
        let rule = &self.rules.rules()[rule_idx as usize];
        if let Some(min) = rule.entropy {
            if entropy::shannon(secret) < min {
                return false;
            }
        }
        if filter::is_placeholder(secret) {
            return false;
        }
        if rule.checksum.is_some_and(|c| !c.verify(secret)) {
            return false;
        }
        // The line(s) of the match for `regexTarget = "line"` allowlists, at most
        // MAX_LINE_EXTEND bytes either side: reading a whole long line again for every match
        // on it would make a minified file quadratic.
        let line = &data[line_start(data, fs)..line_end(data, fe)];
        if self.opts.inline_allow {
            // Bounded, so no match rescans a long line: the marker must be within
            // MAX_LINE_EXTEND bytes after the match, and the string state is read from the
            // line's start, so a line starting further back than that carries no marker (a
            // minified line cannot hide its secrets).
            let (ls, le) = (line_start(data, fe), line_end(data, fe));
            let whole_line_start = ls == 0 || data[ls - 1] == b'\n';
            if whole_line_start && inline_allowed(&data[ls..le], fe - ls) {
                return false;
            }
        }
        let q = AllowQuery {
            path: input.path,
            commit: input.commit,
            secret,
            full_match: &data[fs..fe],
            line,
        };
        let allowed = rule.allowlists.iter().find(|a| a.allows(&q)).or_else(|| {
            self.rules
                .global
                .iter()
                .filter(|a| a.target_rules.is_empty() || a.target_rules.iter().any(|t| t == &rule.id))
                .find(|a| a.allows(&q))
        });
        if let Some(a) = allowed {
            a.hit();
            return false;
        }
        true
    }
}

/// Comment leaders an allow marker may follow: `#` (shell, Python, YAML, TOML, dotenv), `//`
/// and `/*` (C family, JS, Go, Rust), `--` (SQL, Lua, Haskell), `;` (INI, Lisp, assembly),
/// `<!--` (HTML, XML), `%` (TeX, Erlang), `'` is not one (it opens strings).
const COMMENT_LEADERS: &[&[u8]] = &[b"#", b"//", b"/*", b"--", b";", b"<!--", b"%"];

/// Whether an inline allow marker on `line` suppresses a match ending at byte `end` of it: the
/// marker must stand in a comment **after** the match — past the end of the string holding the
/// secret (if it is in one), behind a comment leader that is separated from the secret's token by
/// whitespace or a closing quote/bracket. A marker inside the string, glued to the token, before
/// the secret, or on an earlier line of a multi-line match (a PEM `BEGIN` line) does not count,
/// so a change cannot hide a secret by writing the marker into the secret's own value.
pub(crate) fn inline_allowed(line: &[u8], end: usize) -> bool {
    let end = end.min(line.len());
    if !has_allow_marker(&line[end..]) {
        return false;
    }
    // Is the match's end inside a quoted string? Quotes open only at a token boundary (so the
    // apostrophe of "don't" is not one) and honour backslash escapes.
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < end {
        let b = line[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') && opens_string(line, i) => {
                quote = Some(b);
            }
            None => {}
        }
        i += 1;
    }
    // Skip the rest of the secret's token: to the string's closing quote, or to whitespace.
    let mut j = end;
    if let Some(q) = quote {
        loop {
            match line.get(j) {
                None => return false, // the string does not close on this line
                Some(b'\\') => j += 2,
                Some(&b) if b == q => {
                    j += 1;
                    break;
                }
                Some(_) => j += 1,
            }
        }
    }
    // Find the first comment leader outside strings that is separated from what precedes it
    // (whitespace, or the end of a string or call: `"tok" # ...`, `f("tok"); // ...`). A
    // leader glued to the token (`tok#leakless:allow`) is part of the token.
    let mut quote: Option<u8> = None;
    let mut k = j;
    while k < line.len() {
        let b = line[k];
        if let Some(q) = quote {
            if b == b'\\' {
                k += 1;
            } else if b == q {
                quote = None;
            }
            k += 1;
            continue;
        }
        let separated = k > 0
            && (line[k - 1].is_ascii_whitespace()
                || matches!(line[k - 1], b'"' | b'\'' | b'`' | b')' | b']' | b'}' | b','));
        if separated {
            if let Some(leader) = COMMENT_LEADERS.iter().find(|l| line[k..].starts_with(l)) {
                let comment = &line[k + leader.len()..];
                return has_allow_marker(comment);
            }
        }
        if matches!(b, b'"' | b'\'' | b'`') && opens_string(line, k) {
            quote = Some(b);
        }
        k += 1;
    }
    false
}

/// Whether the quote at `i` opens a string: at a token boundary (so the apostrophe of "don't"
/// does not), or after a string prefix at one (`b"…"`, `r'…'`, `f"…"`, `rb"…"`).
fn opens_string(line: &[u8], i: usize) -> bool {
    let boundary = |k: usize| k == 0 || !line[k - 1].is_ascii_alphanumeric() && line[k - 1] != b'_';
    let prefix =
        |k: usize| k > 0 && matches!(line[k - 1], b'b' | b'B' | b'r' | b'R' | b'f' | b'F' | b'u' | b'U');
    boundary(i) || (prefix(i) && (boundary(i - 1) || (prefix(i - 1) && boundary(i - 2))))
}

/// The secret of a match: group `secret_group` (none if that group did not take part), else
/// the first non-empty group, else the whole match.
fn secret_span(
    secret_group: Option<usize>,
    full: (usize, usize),
    group: impl Fn(usize) -> Option<(usize, usize)>,
    mut groups: impl Iterator<Item = Option<(usize, usize)>>,
) -> Option<(usize, usize)> {
    match secret_group {
        Some(g) => group(g),
        None => groups.find_map(|g| g.filter(|(s, e)| s < e)).or(Some(full)),
    }
}

fn line_start(data: &[u8], pos: usize) -> usize {
    let lo = pos.saturating_sub(MAX_LINE_EXTEND);
    memchr::memrchr(b'\n', &data[lo..pos]).map_or(lo, |i| lo + i + 1)
}

fn line_end(data: &[u8], pos: usize) -> usize {
    let hi = (pos + MAX_LINE_EXTEND).min(data.len());
    memchr::memchr(b'\n', &data[pos..hi]).map_or(hi, |i| pos + i)
}

/// Characters of a line kept around a secret in [`RawMatch::context`].
pub const CONTEXT_CHARS: usize = 160;

/// Fills in [`RawMatch::context`]: each line that holds a match is built once, with every match
/// on it replaced by its preview, then cut around each match (linear in the line and its
/// matches, so a line of thousands of secrets costs what it holds).
fn add_context(data: &[u8], matches: &mut [RawMatch]) {
    if matches.is_empty() {
        return;
    }
    // A path rule's match (the file itself) has no span and no line.
    let mut order: Vec<usize> = (0..matches.len())
        .filter(|&i| matches[i].start < matches[i].end && matches[i].end <= data.len())
        .collect();
    order.sort_by_key(|&i| (matches[i].start, matches[i].end));
    let mut k = 0;
    while k < order.len() {
        let first = &matches[order[k]];
        let (ls, le) = (line_start(data, first.start), line_end(data, first.start));
        // The matches that start on this line (sorted by start).
        let mut group_end = k;
        while group_end < order.len() && matches[order[group_end]].start < le.max(ls + 1) {
            group_end += 1;
        }
        let group = &order[k..group_end.max(k + 1)];
        let mut line = String::new();
        let mut at: Vec<(usize, usize)> = Vec::with_capacity(group.len());
        let mut pos = ls;
        for &i in group {
            let m = &matches[i];
            let (s, e) = (m.start.clamp(pos, le), m.end.clamp(pos, le));
            line.push_str(&String::from_utf8_lossy(&data[pos..s]));
            let begin = line.chars().count();
            line.push_str(&crate::findings::Secret::new(m.secret.clone()).preview());
            at.push((i, begin));
            pos = pos.max(e);
        }
        line.push_str(&String::from_utf8_lossy(&data[pos.min(le)..le]));
        let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
        for (i, begin) in at {
            let from = begin.saturating_sub(CONTEXT_CHARS / 3);
            let to = (from + CONTEXT_CHARS).min(chars.len());
            let from = to.saturating_sub(CONTEXT_CHARS).min(from);
            let mut cut: String = chars[from..to].iter().collect::<String>().trim().to_string();
            if from > 0 {
                cut.insert(0, '…');
            }
            if to < chars.len() {
                cut.push('…');
            }
            matches[i].context = Some(cut);
        }
        k = group_end.max(k + 1);
    }
}

/// Fills in line/column for matches (any order), walking the blob once.
fn locate(data: &[u8], matches: &mut [RawMatch]) {
    if matches.iter().all(|m| m.line > 0) {
        return;
    }
    let mut order: Vec<usize> = (0..matches.len()).filter(|&i| matches[i].line == 0).collect();
    order.sort_by_key(|&i| matches[i].start);
    // Positions we need: each start and end; compute with an incremental newline count.
    let mut points: Vec<(usize, usize, bool)> = Vec::with_capacity(order.len() * 2);
    for &i in &order {
        points.push((matches[i].start, i, false));
        points.push((matches[i].end, i, true));
    }
    points.sort_unstable();
    let (mut pos, mut line, mut line_begin) = (0usize, 1usize, 0usize);
    // Characters counted from the line's start up to `counted_to`: each point counts only the
    // bytes since the previous one, so many matches on one long line stay linear.
    let (mut counted_to, mut chars) = (0usize, 0usize);
    for (p, i, is_end) in points {
        for nl in memchr_iter(b'\n', &data[pos..p]) {
            line += 1;
            line_begin = pos + nl + 1;
        }
        pos = p;
        if counted_to < line_begin {
            (counted_to, chars) = (line_begin, 0);
        }
        chars += data[counted_to..p].iter().filter(|&&b| b & 0xC0 != 0x80).count();
        counted_to = p;
        let col = 1 + chars;
        let m = &mut matches[i];
        if is_end {
            m.end_line = line;
            m.end_column = col;
        } else {
            m.line = line;
            m.column = col;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn set(regex: &str, keywords: &[&str]) -> RuleSet {
        super::window_tests::set(regex, keywords, None)
    }

    /// `contains` and `find_iter` agree with `memmem` on needles of every length around the
    /// 16-byte switch (empty too),
    /// on haystacks shorter and longer than 64 bytes, with the needle present or absent.
    #[test]
    fn contains_agrees_with_memmem() {
        let mut next = crate::test_rng(0x1234_5678_9abc_def1);
        let mut found = 0;
        for round in 0..4000 {
            let hay: Vec<u8> = (0..next(200)).map(|_| b"ab&;c"[next(5) as usize]).collect();
            let nlen = (round % 20) as usize;
            let needle: Vec<u8> = if nlen <= hay.len() && next(2) == 0 {
                let at = next((hay.len() - nlen + 1) as u64) as usize;
                hay[at..at + nlen].to_vec()
            } else {
                (0..nlen).map(|_| b"ab&;c"[next(5) as usize]).collect()
            };
            let want = memchr::memmem::find(&hay, &needle).is_some();
            found += usize::from(want);
            assert_eq!(contains(&hay, &needle), want, "{hay:?} {needle:?}");
            let all: Vec<usize> = memchr::memmem::find_iter(&hay, &needle).collect();
            assert_eq!(
                find_iter(&hay, &needle).collect::<Vec<_>>(),
                all,
                "{hay:?} {needle:?}"
            );
        }
        assert!(found > 1000 && found < 3900, "both outcomes are tested: {found}");
    }

    pub(super) fn scan(rs: &RuleSet, data: &str) -> Vec<RawMatch> {
        let mut out = Vec::new();
        Scanner::new(rs, MatchOptions::default()).scan(
            Input {
                data: data.as_bytes(),
                path: Some("a.txt"),
                commit: None,
            },
            &mut Scratch::default(),
            &mut out,
        );
        out
    }

    #[test]
    fn finds_with_line_and_column() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        let m = scan(&rs, "first\n  é x = tok_k3j9x8q2m7w1\n");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].secret, b"tok_k3j9x8q2m7w1");
        assert_eq!(
            (m[0].line, m[0].column, m[0].end_line, m[0].end_column),
            (2, 9, 2, 25)
        );
    }

    #[test]
    fn regex_is_lazy() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        let sc = Scanner::new(&rs, MatchOptions::default());
        let run = |data: &str| {
            let input = Input {
                data: data.as_bytes(),
                path: Some("a.txt"),
                commit: None,
            };
            sc.scan(input, &mut Scratch::default(), &mut Vec::new());
        };
        run("nothing here");
        assert!(!rs.rules()[0].is_compiled() && sc.budgeted[0].get().is_none());
        run("tok_ but no match");
        // A rule from a config is compiled once, in its budgeted form.
        assert!(!rs.rules()[0].is_compiled());
        assert!(sc.budgeted[0].get().is_some_and(Option::is_some));
    }

    #[test]
    fn inline_allow_and_placeholder() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        assert!(scan(&rs, "x = tok_k3j9x8q2m7w1 # leakless:allow").is_empty());
        assert!(scan(&rs, "x = tok_xxxxk3j9x8q2").is_empty());
    }

    /// Issue 12: a marker counts only in a comment after the secret.
    #[test]
    fn inline_allow_cannot_be_smuggled() {
        use super::inline_allowed;
        let allowed = |line: &str| {
            let end = line.find("SECRET").expect("test line holds SECRET") + "SECRET".len();
            inline_allowed(line.as_bytes(), end)
        };
        for ok in [
            "x = SECRET # leakless:allow",
            "x = 'SECRET'  # gitleaks:allow",
            "let t = \"token = 'SECRET'\";  // leakless:allow",
            "KEY=\"SECRET\" # pragma: allowlist secret",
            "f(\"SECRET\"); // not real: leakless:allow",
            "x = \"SECRET\"# leakless:allow",
            "select 'SECRET' -- gitleaks:allow",
            "password = SECRET ; leakless:allow",
            "<v>SECRET</v> <!-- leakless:allow -->",
            "# don't worry: SECRET # leakless:allow",
            "//! let t = b\"token = 'SECRET'\";  // leakless:allow",
            "x = rb'SECRET'  # leakless:allow",
        ] {
            assert!(allowed(ok), "{ok}");
        }
        for bad in [
            "x = \"SECRET leakless:allow\"",
            "x = \"SECRET # leakless:allow\"",
            "x = 'SECRET\\' # leakless:allow'",
            "KEY=SECRET leakless:allow",
            "KEY=SECRETleakless:allow",
            "KEY=SECRET#leakless:allow",
            "# leakless:allow\nKEY=SECRET",
            "leakless:allow KEY=SECRET",
            "x = \"SECRET",
            "url=https://h/SECRET%23leakless:allow",
        ] {
            let line = bad.rsplit('\n').next().unwrap_or(bad);
            assert!(!allowed(line), "{bad}");
        }
    }

    #[test]
    fn columns_on_one_long_line_count_characters() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        let text = "é tok_k3j9x8q2m7w1 ü tok_k3j9x8q2m7w2\nab tok_k3j9x8q2m7w3 ".repeat(3);
        let found = scan(&rs, &text);
        assert_eq!(found.len(), 9);
        // Against the obvious (quadratic) count from each line's start.
        let naive = |pos: usize| {
            let before = &text[..pos];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |n| n + 1);
            (line, text[start..pos].chars().count() + 1)
        };
        for m in &found {
            assert_eq!((m.line, m.column), naive(m.start));
            assert_eq!((m.end_line, m.end_column), naive(m.end));
        }
    }

    #[test]
    fn markers_on_very_long_lines_are_not_honoured() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        let short = "x = 'tok_k3j9x8q2m7w1' # leakless:allow";
        assert!(scan(&rs, short).is_empty());
        // The string state cannot be known without reading the whole line: fail safe.
        let long = format!("s = \"{}\"; {short}", "a".repeat(5000));
        assert_eq!(scan(&rs, &long).len(), 1);
    }

    #[test]
    fn marker_on_a_pem_begin_line_does_not_hide_the_key() {
        let rs = set(
            r"-----BEGIN KEY-----\n([A-Za-z0-9]{16})\n-----END KEY-----",
            &["BEGIN KEY"],
        );
        let pem = "-----BEGIN KEY----- # leakless:allow\nk3j9x8q2m7w1Zq4W\n-----END KEY-----\n";
        assert_eq!(
            scan(&rs, pem).len(),
            0,
            "the regex needs the header alone on its line"
        );
        let pem = "-----BEGIN KEY-----\nk3j9x8q2m7w1Zq4W\n-----END KEY----- # leakless:allow\n";
        assert!(scan(&rs, pem).is_empty(), "a marker after the END line counts");
        let rs = set(
            r"-----BEGIN KEY-----[^\n]*\n([A-Za-z0-9]{16})\n-----END KEY-----",
            &["BEGIN KEY"],
        );
        let pem = "-----BEGIN KEY----- # leakless:allow\nk3j9x8q2m7w1Zq4W\n-----END KEY-----\n";
        assert_eq!(
            scan(&rs, pem).len(),
            1,
            "a marker on the BEGIN line does not hide the body"
        );
    }

    #[test]
    fn many_hits_one_finding_each() {
        let rs = set(r"\b(tok_[a-z0-9]{12})\b", &["tok_"]);
        let text = "tok_k3j9x8q2m7w1 tok_k3j9x8q2m7w1\n".repeat(1000);
        assert_eq!(scan(&rs, &text).len(), 2000);
    }
}

/// Keyword windows and the necessary-literal check: a window is skipped only when it cannot hold
/// a match, wherever in the (merged) window the match and its literals lie.
#[cfg(test)]
mod window_tests {
    use crate::rules::{syntax::RuleSpec, Rule, RuleSet};

    pub(super) fn set(regex: &str, keywords: &[&str], window: Option<usize>) -> RuleSet {
        let spec = RuleSpec {
            id: "t".into(),
            regex: Some(regex.into()),
            keywords: keywords.iter().map(|s| (*s).to_string()).collect(),
            window,
            ..RuleSpec::default()
        };
        RuleSet::new(vec![Rule::from_spec(spec, "test").expect("valid")], vec![])
    }

    fn secrets(rs: &RuleSet, data: &str) -> Vec<String> {
        super::tests::scan(rs, data)
            .iter()
            .map(|m| String::from_utf8_lossy(&m.secret).into_owned())
            .collect()
    }

    /// The match starts in one keyword's window and needs a literal (`@`) that only the other
    /// keyword's window holds: the windows merge and the match is found.
    #[test]
    fn match_spanning_two_merged_windows() {
        let rs = set(r"(?s)kwone.{0,80}@([a-z]{8})\b", &["kwone", "kwtwo"], Some(6));
        let text = "x\nkwone = 1\nfiller line\nkwtwo @qzjxkvwm\ny\n";
        assert_eq!(secrets(&rs, text), vec!["qzjxkvwm"]);
        // Without the second keyword the first window (its lines, ± 6 bytes) cannot reach `@`.
        let text = "x\nkwone = 1\nfiller line\nzzzzz @qzjxkvwm\ny\n";
        assert!(secrets(&rs, text).is_empty());
    }

    /// Necessary literals at a window's first and last byte (the blob's edges) still count.
    #[test]
    fn literals_at_window_edges() {
        let rs = set(r"\[tok:([a-z0-9]{10})\]", &["tok:"], Some(8));
        assert_eq!(secrets(&rs, "[tok:k3j9x8q2m7]"), vec!["k3j9x8q2m7"]);
        assert_eq!(secrets(&rs, "a\n[tok:k3j9x8q2m7]\nb"), vec!["k3j9x8q2m7"]);
        // Case-insensitive keyword, case-sensitive literal: the upper-case window is skipped,
        // and a lower-case one on the next line (same merged window) is found.
        assert!(secrets(&rs, "[TOK:k3j9x8q2m7]").is_empty());
        assert_eq!(
            secrets(&rs, "[TOK:k3j9x8q2m7]\n[tok:a3j9x8q2m7]"),
            vec!["a3j9x8q2m7"]
        );
    }

    /// A match needing 63 commas (a Solana keypair array): found when the window holds them,
    /// skipped when it holds 62.
    #[test]
    fn counted_literal() {
        let rs = set(
            r"solkey\s?=\s?(\[(?:[0-9]{1,3},){63}[0-9]{1,3}\])",
            &["solkey"],
            Some(512),
        );
        let nums = |n: usize| {
            (0..n)
                .map(|i| ((i * 37 + 11) % 256).to_string())
                .collect::<Vec<_>>()
        };
        let full = format!("solkey = [{}]", nums(64).join(","));
        assert_eq!(secrets(&rs, &full).len(), 1);
        let short = format!("solkey = [{}]", nums(63).join(","));
        assert!(secrets(&rs, &short).is_empty());
    }
}
