//! Trusting a reverse proxy's identity header (for example an Application Load Balancer that
//! signs users in with OIDC and passes `x-amzn-oidc-identity`), but only from the proxy's own
//! addresses: anyone else who sends the header is ignored, as if they had not.

use std::{net::IpAddr, str::FromStr};

/// An address or a block of addresses (`10.0.0.0/16`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressBlock {
    network: IpAddr,
    prefix: u8,
}

impl AddressBlock {
    /// Whether `address` is in the block (an IPv4-mapped IPv6 address counts as its IPv4 one).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for AddressBlock {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse =
            || format!("{text:?} is not an address or a block of addresses such as 10.0.0.0/16");
        let (address, prefix) = text.trim().split_once('/').unwrap_or((text.trim(), ""));
        let network: IpAddr = address.parse().map_err(|_| refuse())?;
        let longest = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            longest
        } else {
            prefix
                .parse()
                .ok()
                .filter(|p| *p <= longest)
                .ok_or_else(refuse)?
        };
        Ok(Self { network, prefix })
    }
}

/// The identity a proxy sent, cleaned for records: printable ASCII, at most 128 characters;
/// `None` when nothing is left.
pub fn identity_from_header(value: &str) -> Option<String> {
    let clean: String = value
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(128)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_contain_their_addresses_only() {
        let cases = [
            ("10.0.0.0/16", "10.0.200.1", true),
            ("10.0.0.0/16", "10.1.0.1", false),
            ("192.0.2.7", "192.0.2.7", true),
            ("192.0.2.7", "192.0.2.8", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("10.0.0.0/8", "::ffff:10.2.3.4", true),
            ("fd00::/8", "fd12::1", true),
            ("fd00::/8", "fe80::1", false),
            ("10.0.0.0/8", "fd12::1", false),
        ];
        for (block, address, inside) in cases {
            let block: AddressBlock = block.parse().unwrap();
            assert_eq!(
                block.contains(address.parse().unwrap()),
                inside,
                "{block:?} {address}"
            );
        }
        for bad in ["10.0.0.0/33", "proxy", "10.0.0.0/x", ""] {
            assert!(bad.parse::<AddressBlock>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn identities_are_cleaned() {
        assert_eq!(
            identity_from_header(" ana@example.com "),
            Some("ana@example.com".to_owned())
        );
        assert_eq!(identity_from_header("a\nb"), Some("ab".to_owned()));
        assert_eq!(identity_from_header("  "), None);
        assert_eq!(
            identity_from_header(&"x".repeat(500)).map(|s| s.len()),
            Some(128)
        );
    }
}
