//! Session cookies: what the sign-in page sets in exchange for a token.
//!
//! A session is a signed cookie, not a server-side record, so every replica that shares the
//! auth file's key accepts it and a restart keeps people signed in. Its claims are the
//! token's name, role and hash (a session ends as soon as its token is revoked), an expiry,
//! and the CSRF token that every change made with the cookie must repeat in a header. The
//! signature is HMAC-SHA256, checked in constant time. The cookie is `HttpOnly` (scripts
//! cannot read it), `SameSite=Strict` (no other site's page sends it) and `Secure` when the
//! console is reached over HTTPS.

use aws_lc_rs::hmac;
use berth_shared::access::Role;
use serde::{Deserialize, Serialize};

use super::tokens::{from_hex, hex};

/// The cookie's name.
pub const COOKIE_NAME: &str = "berth_session";

/// How long a session lasts: a working day.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;

/// What a session cookie says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The token's name.
    #[serde(rename = "n")]
    pub name: String,
    /// Its role when the session started.
    #[serde(rename = "r")]
    pub role: Role,
    /// The token's hash: the session ends when the token is revoked.
    #[serde(rename = "t")]
    pub token_hash: String,
    /// Expiry, in seconds since the epoch.
    #[serde(rename = "e")]
    pub expires: i64,
    /// The CSRF token changes must carry.
    #[serde(rename = "c")]
    pub csrf: String,
}

/// The key that signs and checks session cookies.
#[derive(Debug, Clone)]
pub struct SessionKey(hmac::Key);

impl SessionKey {
    /// A key from the auth file's secret bytes.
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// The cookie value carrying `claims`: `hex(json).hex(signature)`.
    pub fn seal(&self, claims: &Claims) -> String {
        let payload = hex(&serde_json::to_vec(claims).unwrap_or_default());
        let tag = hmac::sign(&self.0, payload.as_bytes());
        format!("{payload}.{}", hex(tag.as_ref()))
    }

    /// The claims of a cookie value this key signed and that has not expired at `now` (in
    /// seconds since the epoch); `None` for anything else.
    pub fn open(&self, cookie: &str, now: i64) -> Option<Claims> {
        let (payload, tag) = cookie.split_once('.')?;
        hmac::verify(&self.0, payload.as_bytes(), &from_hex(tag)?).ok()?;
        let claims: Claims = serde_json::from_slice(&from_hex(payload)?).ok()?;
        (claims.expires > now).then_some(claims)
    }
}

/// The `Set-Cookie` value starting a session.
pub fn set_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}"
    )
}

/// The `Set-Cookie` value ending a session.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session cookie's value among a request's `Cookie` headers.
pub fn cookie_value<'a>(cookie_headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    cookie_headers
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            name: "ana".to_owned(),
            role: Role::Deployer,
            token_hash: "ab".repeat(32),
            expires: 1_000,
            csrf: "cd".repeat(16),
        }
    }

    #[test]
    fn a_sealed_session_opens_with_its_key_until_it_expires() {
        let key = SessionKey::new(&[7; 32]);
        let cookie = key.seal(&claims());
        assert_eq!(key.open(&cookie, 999), Some(claims()));
        assert_eq!(key.open(&cookie, 1_000), None, "expired");
        assert_eq!(
            SessionKey::new(&[8; 32]).open(&cookie, 999),
            None,
            "another key"
        );
    }

    #[test]
    fn a_tampered_cookie_is_refused() {
        let key = SessionKey::new(&[7; 32]);
        let cookie = key.seal(&claims());
        let mut forged = claims();
        forged.role = Role::Admin;
        let (_, tag) = cookie.split_once('.').unwrap();
        let forged_payload = hex(&serde_json::to_vec(&forged).unwrap());
        for bad in [
            format!("{forged_payload}.{tag}"),
            cookie.replace('.', ""),
            format!("{cookie}00"),
            String::new(),
            "zz.zz".to_owned(),
        ] {
            assert_eq!(key.open(&bad, 0), None, "{bad}");
        }
    }

    #[test]
    fn the_cookie_is_found_among_others_and_set_safely() {
        let headers = ["theme=dark; berth_session=abc.def", "other=1"];
        assert_eq!(cookie_value(headers.into_iter()), Some("abc.def"));
        assert_eq!(cookie_value(["berth_sessionx=1"].into_iter()), None);
        let set = set_cookie("v", true);
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(!set_cookie("v", false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
