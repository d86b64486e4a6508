//! Hash chains: the one mechanism behind every append-only trail (the privacy access log, the
//! exchange's message log, a document's decision history).
//!
//! Each link stores its sequence number, the previous link's hash and its own hash, which
//! covers its contents and that previous hash. Editing a link breaks its own hash; removing one
//! breaks the sequence or the next link; removing links from the end is found against the
//! head (the last sequence number and hash the trail has issued, kept apart from the links).
//! Retention purges a prefix and leaves a checkpoint (the last purged link's sequence number and
//! hash) from which verification continues.
//!
//! A trail decides what its hash covers ([`Link::recompute`]); this module walks the links.
//! [`FieldHasher`] is the encoding new trails should use: length-prefixed fields, so that no
//! two different records encode alike.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored link of a chain.
pub trait Link {
    fn seq(&self) -> i64;
    fn prev_hash(&self) -> &str;
    /// The hash as stored.
    fn hash(&self) -> &str;
    /// The hash recomputed from the stored contents and link; `Err` names a link that cannot
    /// even be read (an unknown action, say).
    fn recompute(&self) -> Result<String, String>;
}

/// Where verification starts: the beginning, or a retention checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl Checkpoint {
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// The first break found, with the sequence number where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Links whose hash and link were checked.
    pub checked: u64,
    /// The sequence number verification started after (0, or a checkpoint's).
    pub from: i64,
    /// The head's sequence number, when the trail keeps a head.
    pub head_seq: Option<i64>,
    /// The first break; verification stops there.
    pub broken: Option<Break>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }

    /// The first problem in words, if any.
    pub fn problem(&self) -> Option<String> {
        self.broken.as_ref().map(|b| b.problem.clone())
    }
}

/// Walks links in sequence order, one batch at a time: feed every link to
/// [`Verifier::check`] until it returns `false` (a break) or the links run out, then
/// [`Verifier::finish`] against the head.
#[derive(Debug)]
pub struct Verifier {
    next_seq: i64,
    prev: String,
    from: i64,
    checked: u64,
    broken: Option<Break>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::from_checkpoint(Checkpoint::genesis())
    }
}

impl Verifier {
    pub fn from_checkpoint(c: Checkpoint) -> Self {
        Self {
            next_seq: c.seq + 1,
            prev: c.hash,
            from: c.seq,
            checked: 0,
            broken: None,
        }
    }

    /// The last sequence number checked (or the starting point): where the next batch starts.
    pub fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }

    /// Whether verification can go on (no break yet).
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }

    fn fail(&mut self, seq: i64, problem: String) -> bool {
        self.broken = Some(Break { seq, problem });
        false
    }

    /// Checks the next link: its place in the sequence, its link to the one before and its
    /// own hash. `false` once a break is found.
    pub fn check(&mut self, link: &impl Link) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let seq = link.seq();
        if seq != self.next_seq {
            return self.fail(
                self.next_seq,
                format!(
                    "record {} is missing (the next record is {seq})",
                    self.next_seq
                ),
            );
        }
        if link.prev_hash() != self.prev {
            return self.fail(
                seq,
                format!("record {seq} does not link to record {}", seq - 1),
            );
        }
        match link.recompute() {
            Err(e) => return self.fail(seq, e),
            Ok(h) if h != link.hash() => {
                return self.fail(
                    seq,
                    format!("record {seq} was altered: its contents do not match its hash"),
                );
            }
            Ok(_) => {}
        }
        self.checked += 1;
        self.next_seq = seq + 1;
        link.hash().clone_into(&mut self.prev);
        true
    }

    /// Ends the walk. With a head, the last link must be the head's: links removed from the
    /// end are found here.
    pub fn finish(mut self, head: Option<(i64, &str)>) -> Verification {
        if self.broken.is_none()
            && let Some((head_seq, head_hash)) = head
            && (self.last_seq() != head_seq || self.prev != head_hash)
        {
            let last = self.last_seq();
            self.broken = Some(Break {
                seq: last + 1,
                problem: format!(
                    "the log ends at record {last} but its head says {head_seq}: records were removed from the end"
                ),
            });
        }
        Verification {
            checked: self.checked,
            from: self.from,
            head_seq: head.map(|(s, _)| s),
            broken: self.broken,
        }
    }
}

/// SHA-256 over length-prefixed fields: the encoding of a link's contents.
#[derive(Debug, Clone, Default)]
pub struct FieldHasher(Sha256);

impl FieldHasher {
    /// Starts with a domain label that names the trail and its version.
    pub fn new(domain: &str) -> Self {
        let mut h = Self(Sha256::new());
        h.field(domain.as_bytes());
        h
    }

    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_be_bytes());
        self.0.update(bytes);
        self
    }

    /// An optional field: absent and present-but-empty encode differently.
    pub fn optional(&mut self, value: Option<&[u8]>) -> &mut Self {
        match value {
            Some(v) => self.field(b"1").field(v),
            None => self.field(b"0"),
        }
    }

    pub fn hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// SHA-256 over the previous hash, a newline and a canonical body: the encoding of the
/// exchange log and of document histories (kept, since their hashes are already stored and
/// checked by other implementations).
pub fn linked_hash(prev_hash: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct L {
        seq: i64,
        body: String,
        prev: String,
        hash: String,
    }

    impl Link for L {
        fn seq(&self) -> i64 {
            self.seq
        }
        fn prev_hash(&self) -> &str {
            &self.prev
        }
        fn hash(&self) -> &str {
            &self.hash
        }
        fn recompute(&self) -> Result<String, String> {
            if self.body == "unreadable" {
                return Err(format!("record {} cannot be read", self.seq));
            }
            Ok(linked_hash(&self.prev, self.body.as_bytes()))
        }
    }

    fn chain(n: i64) -> Vec<L> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let body = format!("entry {seq}");
                let hash = linked_hash(&prev, body.as_bytes());
                let l = L {
                    seq,
                    body,
                    prev: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                l
            })
            .collect()
    }

    fn verify(links: &[L], head: Option<(i64, &str)>) -> Verification {
        let mut v = Verifier::default();
        for l in links {
            if !v.check(l) {
                break;
            }
        }
        v.finish(head)
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let c = chain(5);
        let r = verify(&c, Some((5, &c[4].hash)));
        assert!(r.intact(), "{r:?}");
        assert_eq!((r.checked, r.from, r.head_seq), (5, 0, Some(5)));
        assert!(verify(&[], Some((0, GENESIS))).intact());
    }

    #[test]
    fn every_kind_of_tampering_is_found_where_it_is() {
        let c = chain(5);
        let head = Some((5, c[4].hash.as_str()));
        let mut edited = c.clone();
        edited[2].body = "entry 3, edited".into();
        let mut relinked = c.clone();
        relinked[3].prev = "f".repeat(64);
        let mut removed = c.clone();
        removed.remove(1);
        let mut unreadable = c.clone();
        unreadable[0].body = "unreadable".into();
        type Case<'a> = (&'a [L], Option<(i64, &'a str)>, i64, &'a str);
        let cases: [Case<'_>; 5] = [
            (&edited, head, 3, "altered"),
            (&relinked, head, 4, "does not link"),
            (&removed, head, 2, "missing"),
            (&c[..3], head, 4, "removed from the end"),
            (&unreadable, head, 1, "cannot be read"),
        ];
        for (links, head, seq, words) in cases {
            let r = verify(links, head);
            let b = r.broken.expect(words);
            assert_eq!(b.seq, seq, "{words}");
            assert!(b.problem.contains(words), "{}", b.problem);
        }
    }

    #[test]
    fn verification_continues_from_a_checkpoint() {
        let c = chain(5);
        let mut v = Verifier::from_checkpoint(Checkpoint {
            seq: 2,
            hash: c[1].hash.clone(),
        });
        for l in &c[2..] {
            assert!(v.check(l));
        }
        let r = v.finish(Some((5, &c[4].hash)));
        assert!(r.intact());
        assert_eq!((r.checked, r.from), (3, 2));
        // A chain without a head (a document's history) ends where its links end.
        assert!(verify(&c[..2], None).intact());
    }

    #[test]
    fn field_encoding_separates_fields() {
        let ab_c = {
            let mut h = FieldHasher::new("t");
            h.field(b"ab").field(b"c");
            h.hex()
        };
        let a_bc = {
            let mut h = FieldHasher::new("t");
            h.field(b"a").field(b"bc");
            h.hex()
        };
        assert_ne!(ab_c, a_bc);
        let none = {
            let mut h = FieldHasher::new("t");
            h.optional(None);
            h.hex()
        };
        let empty = {
            let mut h = FieldHasher::new("t");
            h.optional(Some(b""));
            h.hex()
        };
        assert_ne!(none, empty);
    }
}
