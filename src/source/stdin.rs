//! Scanning standard input (or any reader) as one blob.

use std::io::Read;
use std::time::Instant;

use super::{scan_content, Outcome, ScanError, SkipReason, Skipped};
use crate::matching::{Input, Scanner, Scratch};

/// Reads at most `max_size` bytes from `reader` and scans them as the file `name`.
pub fn scan_reader(
    reader: impl Read,
    name: &str,
    max_size: u64,
    scanner: &Scanner<'_>,
    sink: Option<&super::Sink<'_>>,
) -> Outcome {
    let start = Instant::now();
    let mut out = Outcome::default();
    let mut data = Vec::new();
    match reader.take(max_size.saturating_add(1)).read_to_end(&mut data) {
        Err(e) => out.errors.push(ScanError {
            path: name.to_string(),
            message: format!("cannot read: {e}"),
        }),
        Ok(n) if n as u64 > max_size => out.skipped.push(Skipped {
            path: name.to_string(),
            reason: SkipReason::TooLarge(n as u64),
        }),
        Ok(n) => {
            let mut matches = Vec::new();
            let input = Input {
                data: &data,
                path: Some(name),
                commit: None,
            };
            match scan_content(scanner, input, &mut Scratch::default(), &mut matches) {
                Err(reason) => {
                    out.skipped.push(Skipped {
                        path: name.to_string(),
                        reason,
                    });
                    out.stats.elapsed = start.elapsed();
                    return out;
                }
                Ok(notes) => out.skipped.extend(notes),
            }
            if let Some(sink) = sink {
                for m in &matches {
                    sink(name, m);
                }
            }
            out.matches = matches.into_iter().map(|m| (name.to_string(), m)).collect();
            out.stats.files_scanned = 1;
            out.stats.bytes_scanned = n as u64;
        }
    }
    out.stats.elapsed = start.elapsed();
    out
}
