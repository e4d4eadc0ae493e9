//! The account the console shows, kept in the page URL as `?source=` (`sandbox`,
//! `aws:eu-west-1`; none means the server's default).
//!
//! The URL is the only record of the choice: every API call and every link the console
//! builds carries the `source` of the page it is on, so a deep link opens the same account
//! and region, and a link never silently changes them. Switching sources loads the console
//! afresh at the new URL ([`switch_to`]), so no data, cache or live stream of the previous
//! source survives the switch.

use berth_shared::sources::{SOURCE_PARAMETER, SourceId};

/// The `source` parameter of the page's URL, if any (decoded, unchecked: the server says
/// in words what is wrong with a bad one).
pub fn chosen() -> Option<String> {
    let search = leptos::prelude::window().location().search().ok()?;
    source_in_query(&search)
}

/// `path` (which may have a query already) with the page's source, for links and API calls.
pub fn link(path: &str) -> String {
    with_source(path, chosen().as_deref())
}

/// Loads the console's overview on `source`.
pub fn switch_to(source: &SourceId) {
    let href = with_source("/clusters", Some(&source.to_string()));
    if let Err(error) = leptos::prelude::window().location().set_href(&href) {
        leptos::logging::warn!("cannot open {href}: {error:?}");
    }
}

/// The `source` value of a query string (`?a=1&source=aws%3Aeu-west-1`).
fn source_in_query(search: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == SOURCE_PARAMETER)
        .map(|(_, value)| decode(value))
        .filter(|value| !value.is_empty())
}

/// `path` with `source=…` added to its query, unless it has one already or there is none.
fn with_source(path: &str, source: Option<&str>) -> String {
    let Some(source) = source else {
        return path.to_owned();
    };
    let (before, query) = path.split_once('?').unwrap_or((path, ""));
    if source_in_query(query).is_some() {
        return path.to_owned();
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("{query}&")
    };
    format!(
        "{before}?{query}{SOURCE_PARAMETER}={}",
        encode_query_value(source)
    )
}

/// Percent-decodes a query value (`+` is a space); malformed escapes are kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], escaped) {
            (_, Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                index += 1;
            }
            (byte, None) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Percent-encodes a query value, keeping the characters of source ids (`aws:eu-west-1`).
pub fn encode_query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_read_from_the_query() {
        for (search, source) in [
            ("", None),
            ("?", None),
            ("?tab=tasks", None),
            ("?source=", None),
            ("?source=sandbox", Some("sandbox")),
            ("?tab=tasks&source=aws:eu-west-1", Some("aws:eu-west-1")),
            ("?source=aws%3Aeu-west-1&q=a", Some("aws:eu-west-1")),
            ("?sources=x&source=a+b%2", Some("a b%2")),
        ] {
            assert_eq!(source_in_query(search).as_deref(), source, "{search}");
        }
    }

    #[test]
    fn links_carry_the_source_once() {
        let ireland = Some("aws:eu-west-1");
        for (path, source, href) in [
            ("/clusters", None, "/clusters"),
            ("/clusters", ireland, "/clusters?source=aws:eu-west-1"),
            (
                "/clusters/web?tab=tasks",
                ireland,
                "/clusters/web?tab=tasks&source=aws:eu-west-1",
            ),
            (
                "/clusters/web?source=sandbox",
                ireland,
                "/clusters/web?source=sandbox",
            ),
            (
                "/api/clusters?",
                ireland,
                "/api/clusters?source=aws:eu-west-1",
            ),
            ("/x", Some("a b&c"), "/x?source=a%20b%26c"),
        ] {
            assert_eq!(with_source(path, source), href, "{path}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        for text in ["sandbox", "aws:us-gov-west-1", "100% sure & more", "é"] {
            assert_eq!(decode(&encode_query_value(text)), text);
        }
    }
}
