//! `--build-id`: a `build_id` custom section, last in the module, holding a hash of the whole
//! output (wasm-ld's `BuildIdSection` and `writeBuildId`). The section is written with a
//! placeholder of spaces; once the file is complete, the hash of every byte (placeholder
//! included) replaces it.
//!
//! The hash is taken in 1 MiB chunks, then over the chunks' hashes: `fast` uses XXH3-64 and
//! turns the 8 bytes into a version-5 UUID; `sha1` (or `tree`) is SHA-1 both times; `uuid` is
//! random; `0x...` is the given bytes.

use crate::config::BuildId;
use std::io::{Read, Seek, SeekFrom, Write};
use wasm_encoder::Encode;

const CHUNK: usize = 1 << 20;

/// The namespace wasm-ld hashes `fast` build ids in, so that ours equal its own.
const UUID_NAMESPACE: [u8; 16] = [
    0xA1, 0xFA, 0x48, 0x2D, 0x0E, 0x22, 0x03, 0x8D, 0x33, 0x8B, 0x52, 0x1C, 0xD6, 0xD2, 0x12, 0xB2,
];

/// The body of the `build_id` section as first written (size, then placeholder or the given
/// bytes), or `None` without `--build-id`.
pub fn section_body(kind: &BuildId) -> Option<Vec<u8>> {
    let id: Vec<u8> = match kind {
        BuildId::None => return None,
        BuildId::Hex(bytes) => bytes.clone(),
        _ => vec![b' '; size(kind)],
    };
    let mut out = Vec::with_capacity(id.len() + 5);
    (id.len() as u64).encode(&mut out);
    out.extend_from_slice(&id);
    Some(out)
}

fn size(kind: &BuildId) -> usize {
    match kind {
        BuildId::Sha1 => 20,
        BuildId::Hex(bytes) => bytes.len(),
        _ => 16,
    }
}

/// Replaces the placeholder at the end of the finished `file` with the build id.
pub fn finish(file: &mut (impl Read + Write + Seek), kind: &BuildId) -> std::io::Result<()> {
    let id = match kind {
        BuildId::None | BuildId::Hex(_) => return Ok(()),
        BuildId::Uuid => random_uuid()?,
        BuildId::Fast | BuildId::Sha1 => {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut bytes)?;
            if matches!(kind, BuildId::Fast) {
                fast(&bytes)
            } else {
                sha1_tree(&bytes)
            }
        }
    };
    let end = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(end - id.len() as u64))?;
    file.write_all(&id)
}

/// XXH3 of each chunk, XXH3 of those, as a version-5 UUID.
fn fast(bytes: &[u8]) -> Vec<u8> {
    let hashes: Vec<u8> = bytes
        .chunks(CHUNK)
        .flat_map(|c| xxhash_rust::xxh3::xxh3_64(c).to_le_bytes())
        .collect();
    let file_hash = xxhash_rust::xxh3::xxh3_64(&hashes).to_le_bytes();
    let mut sha = sha1_smol::Sha1::new();
    sha.update(&UUID_NAMESPACE);
    sha.update(&file_hash);
    let mut uuid = sha.digest().bytes()[..16].to_vec();
    set_uuid_version(&mut uuid, 5);
    uuid
}

/// SHA-1 of each chunk, SHA-1 of those.
fn sha1_tree(bytes: &[u8]) -> Vec<u8> {
    let hashes: Vec<u8> = bytes
        .chunks(CHUNK)
        .flat_map(|c| sha1_smol::Sha1::from(c).digest().bytes())
        .collect();
    sha1_smol::Sha1::from(&hashes).digest().bytes().to_vec()
}

/// A random (version-4) UUID.
fn random_uuid() -> std::io::Result<Vec<u8>> {
    let mut uuid = vec![0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut uuid)?;
    set_uuid_version(&mut uuid, 4);
    Ok(uuid)
}

/// The version nibble and the RFC 4122 variant bits.
fn set_uuid_version(uuid: &mut [u8], version: u8) {
    uuid[6] = (version << 4) | (uuid[6] & 0x0f);
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_carry_their_version_and_variant() {
        let id = fast(b"some module bytes");
        assert_eq!(id.len(), 16);
        assert_eq!(id[6] >> 4, 5);
        assert_eq!(id[8] & 0xc0, 0x80);
    }

    #[test]
    fn section_bodies_hold_the_size_first() {
        assert_eq!(section_body(&BuildId::Sha1).unwrap()[0], 20);
        assert_eq!(
            section_body(&BuildId::Hex(vec![0xde, 0xad])).unwrap(),
            [2, 0xde, 0xad]
        );
        assert!(section_body(&BuildId::None).is_none());
    }
}
