//! Archives opened in memory and their members scanned, so a key shipped inside `dist/app.zip`,
//! a `.jar`, a wheel or a `backup.tar.gz` is found like one in a plain file.
//!
//! Every source (working tree, git blobs, stdin) hands a blob here before its binary check; the
//! format is told by magic bytes, not by name (zip and its kin `jar`/`war`/`whl`/`nupkg`/`apk`,
//! tar, gzip, bzip2, xz; a compressed tar is one layer). Members are read into memory and scanned
//! as files named `outer!member` (`dist/app.zip!config/.env`, nested: `a.zip!inner.tar.gz!x/.env`);
//! nothing is ever written to disk. Archives are hostile input: members are read through a
//! counting reader that stops at the first of the limits in [`ArchiveLimits`] (nesting depth,
//! total inflated bytes, entry count, per-member compression ratio, member size), so a zip bomb
//! costs at most those bytes and is reported as a skip. Encrypted, truncated or corrupt archives,
//! members whose names leave the archive (`../../x`, `/etc/x`) and symbolic links are skipped
//! with a one-line reason. Binary members (`.class`, images) are passed over silently.

use std::io::{self, Cursor, Read};

use super::is_binary;
use crate::matching::{ArchiveLimits, Input, RawMatch, Scanner, Scratch};

/// Why an archive, or a member of one, was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArchiveSkip {
    /// Truncated or corrupt.
    Corrupt,
    /// Encrypted (no password is ever tried).
    Encrypted,
    /// A compression method the reader does not support.
    Unsupported,
    /// A member name that is absolute or climbs out of the archive (`../../x`).
    PathTraversal,
    /// A symbolic or hard link member.
    Link,
    /// A member inflating more than the ratio limit allows (a zip bomb).
    Bomb,
    /// The archive's total inflated bytes reached the limit.
    TotalSizeLimit,
    /// The archive's entry count reached the limit.
    EntryLimit,
    /// Archives nested deeper than the limit.
    TooDeep,
    /// A member larger than the member size limit.
    MemberTooLarge,
}

impl ArchiveSkip {
    /// Parses [`ArchiveSkip::code`] back (a saved report).
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Corrupt,
            Self::Encrypted,
            Self::Unsupported,
            Self::PathTraversal,
            Self::Link,
            Self::Bomb,
            Self::TotalSizeLimit,
            Self::EntryLimit,
            Self::TooDeep,
            Self::MemberTooLarge,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Machine-readable reason (JSON `skipped[].reason`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Corrupt => "archive_corrupt",
            Self::Encrypted => "archive_encrypted",
            Self::Unsupported => "archive_unsupported",
            Self::PathTraversal => "archive_path_traversal",
            Self::Link => "archive_link",
            Self::Bomb => "archive_ratio_limit",
            Self::TotalSizeLimit => "archive_total_size_limit",
            Self::EntryLimit => "archive_entry_limit",
            Self::TooDeep => "archive_depth_limit",
            Self::MemberTooLarge => "archive_member_too_large",
        }
    }

    /// One-line reason, as reports show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Corrupt => "truncated or corrupt archive",
            Self::Encrypted => "encrypted",
            Self::Unsupported => "unsupported compression",
            Self::PathTraversal => "member path leaves the archive",
            Self::Link => "link member",
            Self::Bomb => "compression ratio over the limit (zip bomb?)",
            Self::TotalSizeLimit => "archive inflates past the total size limit",
            Self::EntryLimit => "archive has more entries than the limit",
            Self::TooDeep => "archive nested deeper than the limit",
            Self::MemberTooLarge => "member larger than the size limit",
        }
    }
}

/// An archive format, told by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// zip, jar, war, ear, whl, nupkg, apk, aar, ...
    Zip,
    /// POSIX/GNU tar.
    Tar,
    /// gzip (a `.tar.gz` is opened as one layer).
    Gzip,
    /// bzip2.
    Bzip2,
    /// xz.
    Xz,
}

/// The archive format of `data`, if any.
pub fn sniff(data: &[u8]) -> Option<Kind> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b, 0x08]) {
        Some(Kind::Gzip)
    } else if data.len() >= 10
        && data.starts_with(b"BZh")
        && data[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
    {
        Some(Kind::Bzip2)
    } else if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Some(Kind::Xz)
    } else if is_tar(data) {
        Some(Kind::Tar)
    } else {
        None
    }
}

fn is_tar(data: &[u8]) -> bool {
    data.len() >= 512 && (data[257..262] == *b"ustar")
}

/// A member that was not scanned: its path inside the archive (`None`: the archive itself) and why.
pub type Note = (Option<String>, ArchiveSkip);

/// What scanning an archive gave.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Members and archives not scanned.
    pub notes: Vec<Note>,
    /// Members scanned.
    pub members: u64,
    /// Bytes of members scanned.
    pub bytes: u64,
}

/// Opens the archive `input.data` (named `input.path`) and scans its members, appending matches
/// (with [`RawMatch::member`] set) to `out`. `None` when the data is not an archive or archives are
/// off (`--no-archives`): the caller treats it as any other blob.
pub fn scan(
    scanner: &Scanner<'_>,
    input: Input<'_>,
    scratch: &mut Scratch,
    out: &mut Vec<RawMatch>,
) -> Option<Scanned> {
    let limits = scanner.options().archives?;
    let kind = sniff(input.data)?;
    let outer = input.path.unwrap_or("-");
    let mut w = Walk {
        scanner,
        limits,
        commit: input.commit,
        outer,
        scratch,
        out,
        inflated: 0,
        entries: 0,
        result: Scanned::default(),
    };
    let name = base_name(outer);
    if let Err(skip) = w.open(kind, input.data, "", &name, 1) {
        w.result.notes.push((None, skip));
    }
    Some(w.result)
}

/// The file name inside a compressed file: `app.log.gz` -> `app.log`, `x.tgz` -> `x.tar`.
fn base_name(path: &str) -> String {
    let name = path.rsplit(['/', '!']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    for (ext, repl) in [(".tgz", ".tar"), (".tbz2", ".tar"), (".txz", ".tar")] {
        if lower.ends_with(ext) {
            return format!("{}{repl}", &name[..name.len() - ext.len()]);
        }
    }
    for ext in [".gz", ".bz2", ".xz"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// A member name as shown: control characters replaced (names are untrusted and reach terminals).
fn clean_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Whether a member name is absolute or climbs out of the archive.
fn escapes(name: &str) -> bool {
    let mut depth: i64 = 0;
    if name.starts_with('/') || name.starts_with('\\') || name.as_bytes().get(1) == Some(&b':') {
        return true;
    }
    for part in name.split(['/', '\\']) {
        match part {
            ".." => depth -= 1,
            "" | "." => {}
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// One walk over a top-level archive and everything nested in it.
struct Walk<'w, 's, 'r> {
    scanner: &'s Scanner<'r>,
    limits: ArchiveLimits,
    commit: Option<&'w str>,
    outer: &'w str,
    scratch: &'w mut Scratch,
    out: &'w mut Vec<RawMatch>,
    /// Bytes inflated so far (all levels).
    inflated: u64,
    /// Entries met so far (all levels).
    entries: u64,
    result: Scanned,
}

/// Why reading stopped early.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Total,
    Ratio,
    Member,
}

/// A reader that counts what it inflates and stops (with an error) at the first limit.
struct Capped<'a, R> {
    inner: R,
    read: u64,
    /// Bytes this reader may still give before the walk's total budget is spent.
    budget: u64,
    /// Compressed bytes behind this stream (for the ratio), 0: no ratio check.
    compressed: u64,
    max_ratio: u64,
    /// Largest single read allowed (a member), `u64::MAX`: none.
    member_cap: u64,
    stop: &'a mut Option<Stop>,
}

/// Memory the xz decoder may use (its dictionary); xz files made by `xz -9` need 65 MiB.
const XZ_MEMLIMIT: u64 = 80 << 20;

/// Ratio checks start past this many inflated bytes (small members compress well legitimately).
const RATIO_FLOOR: u64 = 1 << 20;

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let why = if self.read > self.budget {
            Some(Stop::Total)
        } else if self.compressed > 0
            && self.read > RATIO_FLOOR
            && self.read / self.compressed.max(1) > self.max_ratio
        {
            Some(Stop::Ratio)
        } else if self.read > self.member_cap {
            Some(Stop::Member)
        } else {
            None
        };
        if let Some(w) = why {
            *self.stop = Some(w);
            return Err(io::Error::other("archive limit"));
        }
        Ok(n)
    }
}

fn stop_reason(stop: Option<Stop>) -> Option<ArchiveSkip> {
    stop.map(|s| match s {
        Stop::Total => ArchiveSkip::TotalSizeLimit,
        Stop::Ratio => ArchiveSkip::Bomb,
        Stop::Member => ArchiveSkip::MemberTooLarge,
    })
}

impl Walk<'_, '_, '_> {
    fn budget(&self) -> u64 {
        self.limits.max_total_bytes.saturating_sub(self.inflated)
    }

    /// Counts an entry; `Err` once the entry limit is passed.
    fn entry(&mut self) -> Result<(), ArchiveSkip> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveSkip::EntryLimit);
        }
        Ok(())
    }

    /// Opens an archive of `kind` held in `data`. `prefix` is its own member path (`""` at the top),
    /// `name` the name a single compressed file's content gets.
    fn open(
        &mut self,
        kind: Kind,
        data: &[u8],
        prefix: &str,
        name: &str,
        depth: u8,
    ) -> Result<(), ArchiveSkip> {
        if depth > self.limits.max_depth {
            return Err(ArchiveSkip::TooDeep);
        }
        let compressed = data.len() as u64;
        match kind {
            Kind::Zip => self.zip(data, prefix, depth),
            Kind::Tar => self.stream(data, 0, prefix, name, depth),
            Kind::Gzip => self.stream(
                flate2::read::MultiGzDecoder::new(data),
                compressed,
                prefix,
                name,
                depth,
            ),
            Kind::Bzip2 => self.stream(
                bzip2::read::MultiBzDecoder::new(data),
                compressed,
                prefix,
                name,
                depth,
            ),
            Kind::Xz => {
                // The header names the dictionary size; cap what a hostile one makes us allocate.
                let stream =
                    liblzma::stream::Stream::new_stream_decoder(XZ_MEMLIMIT, liblzma::stream::CONCATENATED)
                        .map_err(|_| ArchiveSkip::Unsupported)?;
                self.stream(
                    liblzma::read::XzDecoder::new_stream(data, stream),
                    compressed,
                    prefix,
                    name,
                    depth,
                )
            }
        }
    }

    fn member_path(prefix: &str, name: &str) -> String {
        let name = clean_name(name);
        if prefix.is_empty() {
            name
        } else {
            format!("{prefix}!{name}")
        }
    }

    fn note(&mut self, member: String, why: ArchiveSkip) {
        self.result.notes.push((Some(member), why));
    }

    /// A zip archive: the central directory is read from memory; each member is inflated through
    /// a [`Capped`] reader.
    fn zip(&mut self, data: &[u8], prefix: &str, depth: u8) -> Result<(), ArchiveSkip> {
        let mut zip = zip::ZipArchive::new(Cursor::new(data)).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(_) => ArchiveSkip::Unsupported,
            _ => ArchiveSkip::Corrupt,
        })?;
        for i in 0..zip.len() {
            self.entry()?;
            let (name, skip, compressed) = match zip.by_index_raw(i) {
                Err(_) => return Err(ArchiveSkip::Corrupt),
                Ok(f) => {
                    let name = String::from_utf8_lossy(f.name_raw()).into_owned();
                    let skip = if f.is_dir() {
                        continue;
                    } else if f.is_symlink() {
                        Some(ArchiveSkip::Link)
                    } else if escapes(&name) || f.enclosed_name().is_none() {
                        Some(ArchiveSkip::PathTraversal)
                    } else if f.encrypted() {
                        Some(ArchiveSkip::Encrypted)
                    } else if f.size() > self.limits.max_member_size {
                        Some(ArchiveSkip::MemberTooLarge)
                    } else {
                        None
                    };
                    (name, skip, f.compressed_size())
                }
            };
            let member = Self::member_path(prefix, &name);
            if let Some(why) = skip {
                self.note(member, why);
                continue;
            }
            let file = match zip.by_index(i) {
                Ok(f) => f,
                Err(
                    zip::result::ZipError::UnsupportedArchive(_)
                    | zip::result::ZipError::CompressionMethodNotSupported(_),
                ) => {
                    self.note(member, ArchiveSkip::Unsupported);
                    continue;
                }
                Err(_) => {
                    self.note(member, ArchiveSkip::Corrupt);
                    continue;
                }
            };
            let mut stop = None;
            let mut capped = Capped {
                inner: file,
                read: 0,
                budget: self.budget(),
                compressed: compressed.max(1),
                max_ratio: self.limits.max_ratio,
                member_cap: self.limits.max_member_size,
                stop: &mut stop,
            };
            let mut buf = Vec::new();
            let res = capped.read_to_end(&mut buf);
            self.inflated += capped.read;
            match (res, stop_reason(stop)) {
                (_, Some(ArchiveSkip::TotalSizeLimit)) => return Err(ArchiveSkip::TotalSizeLimit),
                (_, Some(why)) => self.note(member, why),
                (Err(_), None) => self.note(member, ArchiveSkip::Corrupt),
                (Ok(_), None) => self.member(&member, &buf, depth)?,
            }
        }
        Ok(())
    }

    /// A stream (tar, or a compressed file that may hold a tar): read through a [`Capped`] reader;
    /// a tar inside is walked entry by entry, anything else is one member called `name`.
    fn stream(
        &mut self,
        reader: impl Read,
        compressed: u64,
        prefix: &str,
        name: &str,
        depth: u8,
    ) -> Result<(), ArchiveSkip> {
        let mut stop = None;
        let budget = self.budget();
        let mut capped = Capped {
            inner: reader,
            read: 0,
            budget,
            compressed,
            max_ratio: self.limits.max_ratio,
            member_cap: u64::MAX,
            stop: &mut stop,
        };
        let mut head = Vec::with_capacity(512);
        let res = (&mut capped).take(512).read_to_end(&mut head);
        if res.is_err() {
            let read = capped.read;
            self.inflated += read;
            return Err(stop_reason(stop).unwrap_or(ArchiveSkip::Corrupt));
        }
        if is_tar(&head) {
            let (res, read) = {
                let mut tar = tar::Archive::new(Cursor::new(head).chain(&mut capped));
                let res = self.tar_entries(&mut tar, prefix, depth);
                drop(tar);
                (res, capped.read)
            };
            self.inflated += read;
            return match (res, stop_reason(stop)) {
                (_, Some(why)) => Err(why),
                (r, None) => r,
            };
        }
        let member = Self::member_path(prefix, name);
        let mut buf = head;
        let max = self.limits.max_member_size;
        let res = (&mut capped)
            .take(max.saturating_add(1).saturating_sub(buf.len() as u64))
            .read_to_end(&mut buf);
        self.inflated += capped.read;
        match (res, stop_reason(stop)) {
            (_, Some(why)) => Err(why),
            (Err(_), None) => Err(ArchiveSkip::Corrupt),
            (Ok(_), None) if buf.len() as u64 > max => {
                self.note(member, ArchiveSkip::MemberTooLarge);
                Ok(())
            }
            (Ok(_), None) => self.member(&member, &buf, depth),
        }
    }

    /// The entries of a tar stream.
    fn tar_entries<R: Read>(
        &mut self,
        tar: &mut tar::Archive<R>,
        prefix: &str,
        depth: u8,
    ) -> Result<(), ArchiveSkip> {
        let entries = tar.entries().map_err(|_| ArchiveSkip::Corrupt)?;
        for entry in entries {
            self.entry()?;
            let Ok(mut entry) = entry else {
                return Err(ArchiveSkip::Corrupt);
            };
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let member = Self::member_path(prefix, &name);
            let kind = entry.header().entry_type();
            if kind.is_dir()
                || kind.is_pax_global_extensions()
                || kind.is_pax_local_extensions()
                || kind.is_gnu_longname()
                || kind.is_gnu_longlink()
            {
                continue;
            }
            if kind.is_symlink() || kind.is_hard_link() {
                self.note(member, ArchiveSkip::Link);
                continue;
            }
            if !kind.is_file() && !kind.is_contiguous() && !kind.is_gnu_sparse() {
                continue; // devices, FIFOs: no content
            }
            if escapes(&name) {
                self.note(member, ArchiveSkip::PathTraversal);
                continue;
            }
            let size = entry.size();
            if size > self.limits.max_member_size {
                self.note(member, ArchiveSkip::MemberTooLarge);
                continue; // the tar reader skips the unread data
            }
            let mut buf = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
            if entry.read_to_end(&mut buf).is_err() {
                return Err(ArchiveSkip::Corrupt);
            }
            self.member(&member, &buf, depth)?;
        }
        Ok(())
    }

    /// One member's content: a nested archive is opened, text is scanned, binary is passed over.
    fn member(&mut self, member: &str, data: &[u8], depth: u8) -> Result<(), ArchiveSkip> {
        if let Some(kind) = sniff(data) {
            let name = base_name(member);
            return match self.open(kind, data, member, &name, depth + 1) {
                Err(ArchiveSkip::TotalSizeLimit) => Err(ArchiveSkip::TotalSizeLimit),
                Err(why) => {
                    self.note(member.to_string(), why);
                    Ok(())
                }
                Ok(()) => Ok(()),
            };
        }
        if data.is_empty() || is_binary(data) {
            return Ok(());
        }
        self.result.members += 1;
        self.result.bytes += data.len() as u64;
        let path = format!("{}!{member}", self.outer);
        let first = self.out.len();
        self.scanner.scan(
            Input {
                data,
                path: Some(&path),
                commit: self.commit,
            },
            self.scratch,
            self.out,
        );
        for m in &mut self.out[first..] {
            m.member = Some(member.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(base_name("logs/app.log.gz"), "app.log");
        assert_eq!(base_name("a.zip!x/b.tgz"), "b.tar");
        assert_eq!(base_name("dump.sql.xz"), "dump.sql");
        assert!(escapes("../../x"));
        assert!(escapes("a/../../x"));
        assert!(escapes("/etc/passwd"));
        assert!(escapes("C:\\x"));
        assert!(!escapes("a/../b"));
        assert!(!escapes("config/.env"));
        assert_eq!(clean_name("a\x1b[31mb"), "a\u{fffd}[31mb");
    }

    /// Every truncation and every single-byte corruption of small archives is a skip or a scan,
    /// never a panic or a hang.
    #[test]
    fn truncated_and_corrupted_archives_never_panic() {
        use crate::matching::MatchOptions;
        use crate::rules::RuleSet;
        use std::io::Write;
        let rules = RuleSet::new(Vec::new(), Vec::new());
        let scanner = Scanner::new(&rules, MatchOptions::default());
        let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zw.start_file("a/b.env", opts).expect("start");
        zw.write_all(b"TOKEN=abc\n".repeat(20).as_slice()).expect("write");
        let zip = zw.finish().expect("finish").into_inner();
        let mut tb = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(10);
        h.set_cksum();
        tb.append_data(&mut h, "x/.env", &b"TOKEN=abc\n"[..])
            .expect("append");
        let tar = tb.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("gz");
        let tgz = gz.finish().expect("gz");
        for data in [&zip, &tgz] {
            for k in 0..data.len() {
                let mut bad = data.clone();
                bad[k] ^= 0x5a;
                for d in [&data[..k], &bad[..]] {
                    let mut out = Vec::new();
                    let input = Input {
                        data: d,
                        path: Some("t"),
                        commit: None,
                    };
                    let _ = scan(&scanner, input, &mut Scratch::default(), &mut out);
                }
            }
        }
    }

    #[test]
    fn sniffs_magic() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(sniff(&[0x1f, 0x8b, 0x08, 0]), Some(Kind::Gzip));
        assert_eq!(sniff(b"hello"), None);
    }
}
