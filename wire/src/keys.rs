//! Maps keyed by ARNs and names that the console fills by the tens of thousands on every live
//! change (a delta applied, a cluster laid out): [`KeyMap`] hashes eight bytes per step instead
//! of SipHash's rounds. It is not resistant to chosen keys, so it is for lookups within one
//! computation, never for a map that outlives a request or is filled from a client.

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
};

/// A `HashMap` with [`KeyHasher`].
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A multiply-rotate hasher over 8-byte words (the scheme of rustc's own `FxHasher`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buffer = [0; 8];
            buffer.copy_from_slice(word);
            self.add(u64::from_le_bytes(buffer));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buffer = [0; 8];
            buffer[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buffer));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let arns: Vec<String> = (0..5_000)
            .map(|i| format!("arn:aws:ecs:us-east-1:123456789012:task/big/{i:032x}"))
            .collect();
        let map: KeyMap<&str, usize> = arns
            .iter()
            .enumerate()
            .map(|(i, a)| (a.as_str(), i))
            .collect();
        assert_eq!(map.len(), arns.len());
        for (i, arn) in arns.iter().enumerate() {
            assert_eq!(map.get(arn.as_str()), Some(&i));
        }
        assert_eq!(
            map.get("arn:aws:ecs:us-east-1:123456789012:task/big/"),
            None
        );
        assert_eq!(map.get(""), None);
    }

    #[test]
    fn keys_that_differ_only_in_their_tail_hash_apart() {
        let hash = |text: &str| {
            let mut hasher = KeyHasher::default();
            hasher.write(text.as_bytes());
            hasher.finish()
        };
        assert_ne!(hash("task/a"), hash("task/b"));
        assert_ne!(hash("12345678a"), hash("12345678b"));
    }
}
