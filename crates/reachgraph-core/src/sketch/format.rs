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

/// The header bytes of a file of `total` bytes.
pub(crate) fn header_bytes(header: Header, total: u64) -> [u8; HEADER_BYTES] {
    let mut out = [0u8; HEADER_BYTES];
    out[..8].copy_from_slice(MAGIC);
    out[8..10].copy_from_slice(&VERSION.to_le_bytes());
    out[10] = header.kind;
    out[11] = header.lg_k;
    out[12] = HASH_FN;
    // Bytes 13..16 are reserved (zero).
    out[16..24].copy_from_slice(&header.seed.to_le_bytes());
    out[24..32].copy_from_slice(&header.accounts.to_le_bytes());
    out[32..40].copy_from_slice(&total.to_le_bytes());
    out
}

/// Bytes an entry takes: its id, records, payload length and payload.
pub(crate) fn entry_bytes(name: &str, payload_len: usize) -> usize {
    MIN_ENTRY_BYTES + name.len() + payload_len
}

/// Appends an entry's fields up to its payload (which the caller appends next).
pub(crate) fn push_entry_head(out: &mut Vec<u8>, name: &str, records: u64, payload_len: usize) {
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&records.to_le_bytes());
    out.extend_from_slice(&(payload_len as u32).to_le_bytes());
}

/// Appends a bottom-k entry: the id, records and the hashes as the payload.
pub(crate) fn push_kmv_entry(out: &mut Vec<u8>, name: &str, records: u64, hashes: &[u64]) {
    push_entry_head(out, name, records, 8 * hashes.len());
    for h in hashes {
        out.extend_from_slice(&h.to_le_bytes());
    }
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
        .map(|(name, _, len)| entry_bytes(name, len))
        .sum();
    let total = HEADER_BYTES + body + CRC_BYTES;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&header_bytes(header, total as u64));
    for (i, (name, records, len)) in entries.enumerate() {
        push_entry_head(&mut out, name, records, len);
        let before = out.len();
        payload(i, &mut out);
        debug_assert_eq!(out.len() - before, len);
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// An account id as error messages show it: quoted, and cut short when long (an id can be
/// megabytes of garbage in a damaged file).
pub(crate) fn shown(name: &str) -> String {
    const MAX: usize = 64;
    if name.len() <= MAX {
        return format!("{name:?}");
    }
    let mut end = MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes)", &name[..end], name.len())
}

/// Bytes of the trailing checksum.
pub(crate) const CRC_BYTES: usize = 4;
/// The fewest bytes an entry takes: id length, records and payload length, all empty.
const MIN_ENTRY_BYTES: usize = 4 + 8 + 4;

/// Reads the body between the header and the checksum. Every length is checked against the
/// bytes that remain before it is used, so no field can make a read run past the end.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    input: &'a str,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &dyn Fn() -> String) -> Result<&'a [u8]> {
        let rest = self.remaining();
        if n > rest {
            return Err(Error::CorruptSketch {
                input: self.input.to_string(),
                offset: self.pos as u64,
                reason: format!(
                    "{} needs {n} bytes, only {rest} remain before the checksum",
                    what()
                ),
            });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64> {
        let b = self.take(8, what)?;
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        Ok(u64::from_le_bytes(w))
    }
}

fn u64_at(bytes: &[u8], o: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[o..o + 8]);
    u64::from_le_bytes(w)
}

/// Reads and checks a whole file: header, length, checksum, entries.
///
/// Nothing read from the bytes is trusted before it is checked against the bytes actually
/// present: the announced length against the input's, the account count against what the
/// body could hold (at least [`MIN_ENTRY_BYTES`] each), every entry's lengths against what
/// remains. So no input can panic, loop, or size an allocation beyond its own length.
pub(crate) fn read_container<'a>(
    bytes: &'a [u8],
    input: &'a str,
) -> Result<(Header, Vec<EntryRef<'a>>)> {
    let corrupt = |offset: usize, reason: String| Error::CorruptSketch {
        input: input.to_string(),
        offset: offset as u64,
        reason,
    };
    if bytes.len() >= MAGIC.len() && &bytes[..MAGIC.len()] != MAGIC {
        return Err(corrupt(
            0,
            "not a reachgraph sketch file (bad magic)".into(),
        ));
    }
    if bytes.len() < HEADER_BYTES {
        return Err(Error::TruncatedSketch {
            input: input.to_string(),
            what: "the header".into(),
            expected: HEADER_BYTES as u64,
            found: bytes.len() as u64,
        });
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
    if let Some(i) = (13..16).find(|&i| bytes[i] != 0) {
        return Err(corrupt(
            i,
            format!("reserved byte {i} is {}, not 0", bytes[i]),
        ));
    }
    let seed = u64_at(bytes, 16);
    let accounts = u64_at(bytes, 24);
    let total = u64_at(bytes, 32);
    let least = (HEADER_BYTES + CRC_BYTES) as u64;
    if total < least {
        return Err(corrupt(
            32,
            format!("total length {total} is shorter than a header and checksum ({least} bytes)"),
        ));
    }
    let len = bytes.len() as u64;
    if len < total {
        return Err(Error::TruncatedSketch {
            input: input.to_string(),
            what: "the file".into(),
            expected: total,
            found: len,
        });
    }
    if len > total {
        return Err(corrupt(
            // `total < len`, so it fits in a usize.
            total as usize,
            format!(
                "{} bytes after the end the header announces ({total})",
                len - total
            ),
        ));
    }
    let body_end = bytes.len() - CRC_BYTES;
    let want = u32::from_le_bytes([
        bytes[body_end],
        bytes[body_end + 1],
        bytes[body_end + 2],
        bytes[body_end + 3],
    ]);
    let got = crc32fast::hash(&bytes[..body_end]);
    if want != got {
        return Err(corrupt(
            body_end,
            format!("checksum mismatch (stored {want:08x}, computed {got:08x})"),
        ));
    }
    let body = (body_end - HEADER_BYTES) as u64;
    let most = body / MIN_ENTRY_BYTES as u64;
    if accounts > most {
        return Err(corrupt(
            24,
            format!(
                "account count {accounts} cannot fit in the {body} bytes of entries (at most \
                 {most} entries of {MIN_ENTRY_BYTES} bytes or more)"
            ),
        ));
    }
    let mut c = Cursor {
        bytes: &bytes[..body_end],
        pos: HEADER_BYTES,
        input,
    };
    // Bounded by the check above: at most one entry per 16 bytes of input.
    let mut entries = Vec::with_capacity(accounts as usize);
    for i in 0..accounts {
        let len = c.u32(&|| format!("entry {i}: the account id length"))? as usize;
        let at = c.pos;
        let name = c.take(len, &|| format!("entry {i}: the account id ({len} bytes)"))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| corrupt(at, format!("entry {i}: the account id is not UTF-8")))?;
        let records = c.u64(&|| format!("entry {i} ({}): the record count", shown(name)))?;
        let plen = c.u32(&|| format!("entry {i} ({}): the payload length", shown(name)))? as usize;
        let offset = c.pos as u64;
        let payload = c.take(plen, &|| {
            format!("entry {i} ({}): the payload ({plen} bytes)", shown(name))
        })?;
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
            format!(
                "{} unread bytes after the {accounts} entries the header announces",
                body_end - c.pos
            ),
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
