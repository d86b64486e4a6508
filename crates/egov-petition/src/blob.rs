//! Attachments' bytes behind one interface ([`BlobStore`]); the default keeps them on the
//! filesystem, content-addressed by SHA-256 (`<dir>/petition/ab/cdef…`), written to a
//! temporary file and renamed into place so a reader never sees half a file.

use egov_core::digest::sha256_hex;
use std::io::Write as _;
use std::path::PathBuf;

/// Where attachments' bytes live (filesystem, object store, …).
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` under their SHA-256 (hex) and returns it. Storing the same bytes twice
    /// is one blob.
    fn put(&self, bytes: &[u8]) -> std::io::Result<String>;
    /// The bytes stored under `sha256`.
    fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>>;
    /// A blob written as its bytes arrive (an upload streamed to storage, never held whole in
    /// memory). Dropped without [`Staged::commit`], it leaves nothing behind.
    fn stage(&self) -> std::io::Result<Box<dyn Staged>>;
}

/// How many leading bytes a staged blob keeps for recognising its type.
pub const HEAD: usize = 8192;

/// A blob being written.
pub trait Staged: Send {
    /// Appends bytes (hashed on the way).
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// The first [`HEAD`] bytes, to recognise the type.
    fn head(&self) -> &[u8];
    /// Bytes written so far.
    fn size(&self) -> u64;
    /// Stores the blob under its SHA-256 (hex), which it returns.
    fn commit(self: Box<Self>) -> std::io::Result<String>;
}

/// A staged file in the store's directory, renamed into place at commit.
struct FsStaged {
    store: FsBlobStore,
    path: PathBuf,
    file: Option<std::fs::File>,
    hash: sha2::Sha256,
    head: Vec<u8>,
    size: u64,
}

impl Staged for FsStaged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use sha2::Digest as _;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        self.hash.update(bytes);
        self.size += bytes.len() as u64;
        match &mut self.file {
            Some(f) => f.write_all(bytes),
            None => Err(std::io::Error::other("the staged blob is closed")),
        }
    }

    fn head(&self) -> &[u8] {
        &self.head
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn commit(mut self: Box<Self>) -> std::io::Result<String> {
        use sha2::Digest as _;
        let file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("the staged blob is closed"))?;
        file.sync_all()?;
        drop(file);
        let sha = hex::encode(std::mem::take(&mut self.hash).finalize());
        let path = self.store.path(&sha)?;
        if path.exists() {
            std::fs::remove_file(&self.path)?;
        } else {
            std::fs::create_dir_all(path.parent().unwrap_or(&self.store.dir))?;
            std::fs::rename(&self.path, &path)?;
        }
        Ok(sha)
    }
}

impl Drop for FsStaged {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.file = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The filesystem store.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    dir: PathBuf,
}

impl FsBlobStore {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir: dir.join("petition"),
        }
    }

    fn path(&self, sha256: &str) -> std::io::Result<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a SHA-256",
            ));
        }
        Ok(self.dir.join(&sha256[..2]).join(&sha256[2..]))
    }
}

impl BlobStore for FsBlobStore {
    fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok(sha);
        }
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent)?;
        let mut tmp = tempfile_in(parent)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(sha)
    }

    fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(sha256)?)
    }

    fn stage(&self) -> std::io::Result<Box<dyn Staged>> {
        std::fs::create_dir_all(&self.dir)?;
        let (path, file) = tempfile_in(&self.dir)?;
        Ok(Box::new(FsStaged {
            store: self.clone(),
            path,
            file: Some(file),
            hash: <sha2::Sha256 as sha2::Digest>::new(),
            head: Vec::with_capacity(HEAD),
            size: 0,
        }))
    }
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let p = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
    let f = std::fs::File::create(&p)?;
    Ok((p, f))
}

/// The content type of `bytes` recognised by their content (magic numbers), never by the
/// name or the declared type: `None` when not recognised.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    infer::get(bytes).map(|t| t.mime_type())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type_and_same_bytes_are_one_blob() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            Some("application/pdf")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(
            sniff(b"MZ\x90\0 this is an executable"),
            Some("application/vnd.microsoft.portable-executable")
        );
        assert_eq!(sniff(b"just text"), None);
        let dir = std::env::temp_dir().join(format!("egov-blob-{}", uuid::Uuid::new_v4()));
        let store = FsBlobStore::new(dir.clone());
        let a = store.put(b"%PDF-1.7 one").expect("put");
        let b = store.put(b"%PDF-1.7 one").expect("put");
        assert_eq!(a, b);
        assert_eq!(store.get(&a).expect("get"), b"%PDF-1.7 one");
        assert!(store.get("../../etc/passwd").is_err());
        // Streamed in pieces: the same blob as stored at once; a dropped stage leaves nothing.
        let mut staged = store.stage().expect("stage");
        staged.write(b"%PDF-1.7 ").expect("write");
        staged.write(b"one").expect("write");
        assert_eq!((staged.head(), staged.size()), (&b"%PDF-1.7 one"[..], 12));
        assert_eq!(staged.commit().expect("commit"), a);
        let mut dropped = store.stage().expect("stage");
        dropped.write(b"never kept").expect("write");
        drop(dropped);
        let left: Vec<_> = std::fs::read_dir(dir.join("petition"))
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
