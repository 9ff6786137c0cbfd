//! The binary file format of sketch sets, version 1.
//!
//! All integers little-endian.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `RGSKETCH` |
//! | 2 | format version (1) |
//! | 1 | kind: 1 bottom-k, 2 CPC, 3 HLL (8-bit), 4 Theta (compact) |
//! | 1 | `lg_k` |
//! | 1 | hash function: 1 = [`super::hash_key`] as defined in format version 1 |
//! | 3 | reserved (zero) |
//! | 8 | hash seed |
//! | 8 | number of accounts `n` |
//! | 8 | total file length in bytes (so a truncated file is told from a corrupt one) |
//! | … | `n` entries: id length (u32), id (UTF-8), records (u64), payload length (u32), payload |
//! | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! A bottom-k payload is the account's retained hashes as u64, strictly increasing, at most
//! `2^lg_k` of them. A DataSketches payload is the sketch in that library's own serialization.
//! Readers check, in order: magic and version, length (truncated or trailing bytes), checksum,
//! then every entry; each failure is a typed error naming the input and byte offset.

use crate::error::{Error, Result};

/// The magic bytes at the start of every sketch file.
pub const MAGIC: &[u8; 8] = b"RGSKETCH";
/// The format version this build writes and reads.
pub const VERSION: u16 = 1;
/// The hash-function id of [`super::hash_key`].
pub const HASH_FN: u8 = 1;
/// Bytes of the header.
pub const HEADER_BYTES: usize = 40;

/// Kind byte of a bottom-k set.
pub const KIND_KMV: u8 = 1;
/// Kind byte of a CPC set.
pub const KIND_CPC: u8 = 2;
/// Kind byte of an HLL set.
pub const KIND_HLL: u8 = 3;
/// Kind byte of a Theta set.
pub const KIND_THETA: u8 = 4;

/// Name of a kind byte.
pub fn kind_name(kind: u8) -> &'static str {
    match kind {
        KIND_KMV => "bottom-k",
        KIND_CPC => "cpc",
        KIND_HLL => "hll",
        KIND_THETA => "theta",
        _ => "unknown",
    }
}

/// The header fields a reader needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Kind byte.
    pub kind: u8,
    /// `lg_k`.
    pub lg_k: u8,
    /// Hash seed.
    pub seed: u64,
    /// Number of accounts.
    pub accounts: u64,
}

/// One entry, borrowed from the bytes.
pub(crate) struct EntryRef<'a> {
    pub(crate) name: &'a str,
    pub(crate) records: u64,
    pub(crate) payload: &'a [u8],
    /// Byte offset of the payload in the file.
    pub(crate) offset: u64,
}

/// Writes a whole file into a byte vector. `entries` yields `(id, records, payload length,
/// payload writer)`.
pub(crate) fn write_container<'a>(
    header: Header,
    entries: impl Iterator<Item = (&'a str, u64, usize)> + Clone,
    mut payload: impl FnMut(usize, &mut Vec<u8>),
) -> Vec<u8> {
    let body: usize = entries
        .clone()
        .map(|(name, _, len)| 4 + name.len() + 8 + 4 + len)
        .sum();
    let total = HEADER_BYTES + body + 4;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.push(header.kind);
    out.push(header.lg_k);
    out.push(HASH_FN);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&header.seed.to_le_bytes());
    out.extend_from_slice(&header.accounts.to_le_bytes());
    out.extend_from_slice(&(total as u64).to_le_bytes());
    for (i, (name, records, len)) in entries.enumerate() {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&records.to_le_bytes());
        out.extend_from_slice(&(len as u32).to_le_bytes());
        let before = out.len();
        payload(i, &mut out);
        debug_assert_eq!(out.len() - before, len);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    input: &'a str,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let rest = self.bytes.len() - self.pos;
        if n > rest {
            return Err(Error::CorruptSketch {
                input: self.input.to_string(),
                offset: self.pos as u64,
                reason: format!("{what} needs {n} bytes, only {rest} remain before the checksum"),
            });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4"),
        ))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8"),
        ))
    }
}

/// Reads and checks a whole file: header, length, checksum, entries.
pub(crate) fn read_container<'a>(
    bytes: &'a [u8],
    input: &'a str,
) -> Result<(Header, Vec<EntryRef<'a>>)> {
    let corrupt = |offset: usize, reason: String| Error::CorruptSketch {
        input: input.to_string(),
        offset: offset as u64,
        reason,
    };
    if bytes.len() < HEADER_BYTES {
        if bytes.len() >= 8 && &bytes[..8] != MAGIC {
            return Err(corrupt(
                0,
                "not a reachgraph sketch file (bad magic)".into(),
            ));
        }
        return Err(Error::TruncatedSketch {
            input: input.to_string(),
            what: "the header".into(),
            expected: HEADER_BYTES as u64,
            found: bytes.len() as u64,
        });
    }
    if &bytes[..8] != MAGIC {
        return Err(corrupt(
            0,
            "not a reachgraph sketch file (bad magic)".into(),
        ));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != VERSION {
        return Err(corrupt(
            8,
            format!("format version {version}; this build reads version {VERSION}"),
        ));
    }
    let (kind, lg_k, hash_fn) = (bytes[10], bytes[11], bytes[12]);
    if !(KIND_KMV..=KIND_THETA).contains(&kind) {
        return Err(corrupt(10, format!("unknown sketch kind {kind}")));
    }
    if hash_fn != HASH_FN {
        return Err(corrupt(12, format!("unknown hash function {hash_fn}")));
    }
    let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("8"));
    let seed = u64_at(16);
    let accounts = u64_at(24);
    let total = u64_at(32);
    if (bytes.len() as u64) < total {
        return Err(Error::TruncatedSketch {
            input: input.to_string(),
            what: "the file".into(),
            expected: total,
            found: bytes.len() as u64,
        });
    }
    if (bytes.len() as u64) > total {
        return Err(corrupt(
            total as usize,
            format!(
                "{} bytes after the end the header announces ({total})",
                bytes.len() as u64 - total
            ),
        ));
    }
    // A file that announces its own short length must still hold a header and a checksum:
    // the entries start after the header, which would then overlap the checksum.
    if bytes.len() < HEADER_BYTES + 4 {
        return Err(Error::TruncatedSketch {
            input: input.to_string(),
            what: "the header and checksum".into(),
            expected: (HEADER_BYTES + 4) as u64,
            found: bytes.len() as u64,
        });
    }
    let body_end = bytes.len() - 4;
    let want = u32::from_le_bytes(bytes[body_end..].try_into().expect("4"));
    let got = crc32fast::hash(&bytes[..body_end]);
    if want != got {
        return Err(corrupt(
            body_end,
            format!("checksum mismatch (stored {want:08x}, computed {got:08x})"),
        ));
    }
    let mut c = Cursor {
        bytes: &bytes[..body_end],
        pos: HEADER_BYTES,
        input,
    };
    let cap = accounts.min((body_end / 16) as u64) as usize;
    let mut entries = Vec::with_capacity(cap);
    for i in 0..accounts {
        let what = || format!("entry {i}");
        let len = c.u32(&what())? as usize;
        let at = c.pos;
        let name = std::str::from_utf8(c.take(len, &what())?)
            .map_err(|_| corrupt(at, format!("entry {i}: account id is not UTF-8")))?;
        let records = c.u64(&what())?;
        let plen = c.u32(&what())? as usize;
        let offset = c.pos as u64;
        let payload = c.take(plen, &what())?;
        entries.push(EntryRef {
            name,
            records,
            payload,
            offset,
        });
    }
    if c.pos != body_end {
        return Err(corrupt(
            c.pos,
            format!("{} unread bytes after {accounts} entries", body_end - c.pos),
        ));
    }
    Ok((
        Header {
            kind,
            lg_k,
            seed,
            accounts,
        },
        entries,
    ))
}

/// Reads everything from `reader`.
pub(crate) fn read_all<R: std::io::Read>(mut reader: R, input: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| Error::Io {
        input: input.to_string(),
        source: e,
    })?;
    Ok(bytes)
}
