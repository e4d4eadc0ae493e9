//! Who is asking, and whether they may: sign-in and roles, decided on the server for every
//! request under `/api/`.
//!
//! A server started without `--auth-file` or `--trusted-proxies` has no sign-in: it serves
//! loopback addresses only ([`crate::cli`] refuses others), and every request is the server's
//! own user with the admin role. With sign-in configured, a request proves who sent it in one
//! of three ways, tried in this order:
//!
//! 1. `Authorization: Bearer <token>`: an API token from the auth file ([`tokens`]), for
//!    scripts and CI. A token that is not valid is a 401, never a fallback to another way.
//! 2. An identity header (`--proxy-identity-header`) from a reverse proxy whose address is one
//!    of `--trusted-proxies` ([`proxy`]); the same header from anyone else is ignored.
//! 3. The session cookie the sign-in page sets in exchange for a token ([`sessions`]). A
//!    change made with the cookie must also carry its CSRF token in the `X-Berth-Csrf`
//!    header, which only Berth's own pages can read.
//!
//! [`authenticate`] finds the [`Identity`] (a 401 when there is none and the endpoint is not
//! public); [`authorize`] then checks its role against the endpoint's requirement
//! ([`policy`]), a 403 naming both when it falls short. The console hides what a role cannot
//! do, but the server decides. `--read-only` refuses every change whatever the role
//! ([`crate::routes`]).

pub mod policy;
pub mod proxy;
pub mod sessions;
pub mod tokens;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{Duration, Instant, SystemTime},
};

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::{
    extract::{FromRequestParts, MatchedPath, Request, State},
    http::{HeaderMap, HeaderName, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use berth_shared::access::{CSRF_HEADER, Role, Session, SignedInVia};

use self::{
    policy::Requirement,
    proxy::AddressBlock,
    sessions::{Claims, SessionKey},
    tokens::{AuthFile, AuthFileError, hex, random_bytes},
};
use crate::error::ApiError;

/// How a server signs people in (from the command line).
#[derive(Debug, Clone, Default)]
pub struct AccessSettings {
    /// The auth file of API tokens (`--auth-file`); none: no token is accepted.
    pub auth_file: Option<PathBuf>,
    /// An auth file's content, given instead of its path (`BERTH_AUTH_JSON`, from a secret
    /// store: every replica then shares its tokens and session key). Read once.
    pub auth_json: Option<SecretText>,
    /// Addresses of reverse proxies whose identity header is trusted (`--trusted-proxies`).
    pub trusted_proxies: Vec<AddressBlock>,
    /// The header carrying a trusted proxy's identity (`--proxy-identity-header`).
    pub proxy_identity_header: Option<HeaderName>,
    /// The role of people a trusted proxy signed in (`--proxy-role`).
    pub proxy_role: Option<Role>,
    /// Whether every change is refused (`--read-only`), reported in each session.
    pub read_only: bool,
}

impl AccessSettings {
    /// Whether these settings require sign-in (and so allow serving non-loopback addresses).
    pub fn signs_in(&self) -> bool {
        self.auth_file.is_some() || self.auth_json.is_some() || self.proxy_identity_header.is_some()
    }
}

/// Text that must not be logged (an auth file's content): its `Debug` says only its length.
#[derive(Clone, Default)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretText({} bytes)", self.0.len())
    }
}

/// Who sent a request and what they may do; every request under `/api/` carries one in its
/// extensions once [`authenticate`] has found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// A token's name, a proxy's identity, or the server's user without sign-in.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// How they proved it.
    pub via: SignedInVia,
    /// With a cookie session, the CSRF token its changes must carry.
    pub csrf: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or_else(|| ApiError::unauthenticated("this request carries no sign-in"))
    }
}

/// The sign-in state of a server, shared by every request.
#[derive(Debug, Clone)]
pub struct Access(Arc<AccessInner>);

#[derive(Debug)]
struct AccessInner {
    settings: AccessSettings,
    /// Who every request is without sign-in.
    local_name: String,
    tokens: Option<TokenStore>,
}

impl Access {
    /// The access of a server with `settings`: reads the auth file, creating it (with a fresh
    /// session key and no token) when it does not exist yet.
    pub fn new(settings: AccessSettings) -> Result<Self, AuthFileError> {
        let tokens = match (&settings.auth_file, &settings.auth_json) {
            (Some(path), _) => Some(TokenStore::open(path)?),
            (None, Some(SecretText(text))) => Some(TokenStore::from_text(text)?),
            (None, None) => None,
        };
        let local_name = std::env::var("USER")
            .ok()
            .filter(|name| tokens::check_name(name).is_ok())
            .unwrap_or_else(|| "local".to_owned());
        Ok(Self(Arc::new(AccessInner {
            settings,
            local_name,
            tokens,
        })))
    }

    /// A server without sign-in (loopback only), read-only or not.
    pub fn open(read_only: bool) -> Self {
        Self(Arc::new(AccessInner {
            settings: AccessSettings {
                read_only,
                ..AccessSettings::default()
            },
            local_name: "local".to_owned(),
            tokens: None,
        }))
    }

    /// Whether requests must prove who they are.
    pub fn signs_in(&self) -> bool {
        self.0.settings.signs_in()
    }

    /// The session answer of `GET /api/session` for `identity`.
    pub fn session(&self, identity: &Identity) -> Session {
        Session {
            name: identity.name.clone(),
            role: identity.role,
            via: identity.via,
            sign_in_required: self.signs_in(),
            csrf_token: identity.csrf.clone(),
            read_only: self.0.settings.read_only,
        }
    }

    /// Exchanges a token for a session: its identity and the cookie value, `None` when the
    /// token is not valid (or this server has no tokens).
    pub fn sign_in(&self, token: &str, now_seconds: i64) -> Option<(Identity, String)> {
        let store = self.0.tokens.as_ref()?;
        let (entry, key) =
            store.with_current(|file, key| Some((file.find(token)?.clone(), key.clone())))?;
        let csrf = hex(&random_bytes::<16>().ok()?);
        let claims = Claims {
            name: entry.name.clone(),
            role: entry.role,
            token_hash: entry.sha256,
            expires: now_seconds + sessions::SESSION_SECONDS,
            csrf: csrf.clone(),
        };
        let identity = Identity {
            name: entry.name,
            role: entry.role,
            via: SignedInVia::Session,
            csrf: Some(csrf),
        };
        Some((identity, key.seal(&claims)))
    }

    /// Whether a request came through a trusted proxy over HTTPS, so cookies must be `Secure`.
    pub fn over_https(&self, request_headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
        self.trusted_peer(peer)
            && request_headers
                .get("x-forwarded-proto")
                .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
    }

    fn trusted_peer(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|peer| {
            self.0
                .settings
                .trusted_proxies
                .iter()
                .any(|block| block.contains(peer.ip()))
        })
    }

    /// Who sent a request: `Ok(None)` when it carries no sign-in at all, an error when it
    /// carries one that is not valid.
    fn identify(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
        now_seconds: i64,
    ) -> Result<Option<Identity>, ApiError> {
        if !self.signs_in() {
            return Ok(Some(Identity {
                name: self.0.local_name.clone(),
                role: Role::Admin,
                via: SignedInVia::Loopback,
                csrf: None,
            }));
        }
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::unauthenticated("the Authorization header is not `Bearer <token>`")
                })?;
            let entry = self
                .0
                .tokens
                .as_ref()
                .and_then(|store| store.with_current(|file, _| file.find(token).cloned()))
                .ok_or_else(|| {
                    ApiError::unauthenticated("the bearer token is not valid (mistyped or revoked)")
                })?;
            return Ok(Some(Identity {
                name: entry.name,
                role: entry.role,
                via: SignedInVia::Token,
                csrf: None,
            }));
        }
        if let Some(header) = &self.0.settings.proxy_identity_header
            && self.trusted_peer(peer)
            && let Some(name) = headers
                .get(header)
                .and_then(|v| v.to_str().ok())
                .and_then(proxy::identity_from_header)
        {
            return Ok(Some(Identity {
                name,
                role: self.0.settings.proxy_role.unwrap_or(Role::Viewer),
                via: SignedInVia::Proxy,
                csrf: None,
            }));
        }
        let cookie = sessions::cookie_value(
            headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        if let Some(cookie) = cookie
            && let Some(store) = &self.0.tokens
        {
            // A session whose token was revoked, or whose signature or expiry fails, is as
            // good as none: the console then shows the sign-in page.
            return Ok(store.with_current(|file, key| {
                let claims = key.open(cookie, now_seconds)?;
                let entry = file.find_hash(&claims.token_hash)?;
                Some(Identity {
                    name: entry.name.clone(),
                    role: entry.role,
                    via: SignedInVia::Session,
                    csrf: Some(claims.csrf),
                })
            }));
        }
        Ok(None)
    }
}

/// The auth file, re-read when it changes on disk (at most once a second), so `berth token
/// create` and `revoke` take effect without a restart.
#[derive(Debug)]
struct TokenStore {
    /// The file it is re-read from; none when it was given as text.
    path: Option<PathBuf>,
    loaded: RwLock<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    file: AuthFile,
    key: SessionKey,
    modified: Option<SystemTime>,
    checked: Instant,
}

/// How often the auth file's modification time is looked at.
const RELOAD_CHECK: Duration = Duration::from_secs(1);

impl TokenStore {
    fn open(path: &Path) -> Result<Self, AuthFileError> {
        let file = match AuthFile::load(path)? {
            Some(file) => file,
            None => {
                let file = AuthFile::new()?;
                file.save(path)?;
                tracing::info!(file = %path.display(), "created an auth file with no token yet");
                file
            }
        };
        let key = SessionKey::new(&file.session_key_bytes().map_err(AuthFileError::Refused)?);
        Ok(Self {
            path: Some(path.to_owned()),
            loaded: RwLock::new(Loaded {
                file,
                key,
                modified: modified(path),
                checked: Instant::now(),
            }),
        })
    }

    /// The tokens of an auth file's content (`BERTH_AUTH_JSON`), never re-read.
    fn from_text(text: &str) -> Result<Self, AuthFileError> {
        let file = AuthFile::parse(text, Path::new("BERTH_AUTH_JSON"))?;
        let key = SessionKey::new(&file.session_key_bytes().map_err(AuthFileError::Refused)?);
        Ok(Self {
            path: None,
            loaded: RwLock::new(Loaded {
                file,
                key,
                modified: None,
                checked: Instant::now(),
            }),
        })
    }

    /// Runs `read` on the current auth file and session key.
    fn with_current<T>(&self, read: impl FnOnce(&AuthFile, &SessionKey) -> T) -> T {
        self.reload_if_changed();
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        read(&loaded.file, &loaded.key)
    }

    fn reload_if_changed(&self) {
        let Some(path) = &self.path else {
            return;
        };
        {
            let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            if loaded.checked.elapsed() < RELOAD_CHECK {
                return;
            }
        }
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        loaded.checked = Instant::now();
        let now_modified = modified(path);
        if now_modified == loaded.modified {
            return;
        }
        match AuthFile::load(path) {
            Ok(Some(file)) => match file.session_key_bytes() {
                Ok(key) => {
                    loaded.key = SessionKey::new(&key);
                    loaded.file = file;
                    loaded.modified = now_modified;
                    tracing::info!(file = %path.display(), "auth file changed: reloaded");
                }
                Err(error) => {
                    tracing::warn!(%error, "auth file changed but is invalid: kept the last one")
                }
            },
            Ok(None) => {
                tracing::warn!(file = %path.display(), "auth file removed: no token is accepted");
                loaded.file.tokens.clear();
                loaded.modified = now_modified;
            }
            Err(error) => {
                tracing::warn!(%error, "auth file changed but cannot be read: kept the last one")
            }
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The current time in seconds since the epoch.
pub fn now_seconds() -> i64 {
    crate::now().0 / 1000
}

/// Finds who sent a request under `/api/` and puts the [`Identity`] in its extensions: a 401
/// when it has none and the endpoint is not public, or when it carries a sign-in that is not
/// valid. A change made with a session cookie must carry the session's CSRF token (a 403
/// otherwise).
pub async fn authenticate(
    State(access): State<Access>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = crate::serve::peer(&request);
    let path = format!("/api{}", request.uri().path());
    let identity = match access.identify(request.headers(), peer, now_seconds()) {
        Ok(identity) => identity,
        Err(error) => return error.into_response(),
    };
    let public = policy::requirement(request.method(), &path) == Requirement::Public;
    let Some(identity) = identity else {
        if public {
            return next.run(request).await;
        }
        return ApiError::unauthenticated("this Berth requires sign-in").into_response();
    };
    if let Some(expected) = &identity.csrf
        && !public
        && !policy::changes_nothing(request.method(), &path)
    {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if verify_slices_are_equal(sent, expected.as_bytes()).is_err() {
            return ApiError::forbidden(format!(
                "a change made with a session cookie must carry the session's CSRF token in the \
                 {CSRF_HEADER} header (the console sends it; scripts should use a bearer token)"
            ))
            .into_response();
        }
    }
    request.extensions_mut().insert(identity);
    next.run(request).await
}

/// Refuses a request whose role falls short of its endpoint's requirement ([`policy`]), with a
/// 403 naming both. Runs after routing, on the matched route.
pub async fn authorize(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let Requirement::Role(needed) = policy::requirement(request.method(), &route) else {
        return next.run(request).await;
    };
    let Some(identity) = request.extensions().get::<Identity>() else {
        return ApiError::unauthenticated("this Berth requires sign-in").into_response();
    };
    if !identity.role.includes(needed) {
        let what = if policy::changes_nothing(request.method(), &route) {
            format!("reading {route}")
        } else {
            policy::operation(request.method(), &route)
        };
        return ApiError::forbidden(format!(
            "{} signed in as a {}; {what} needs the {needed} role",
            identity.name, identity.role
        ))
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn access_with_token(role: Role) -> (Access, String, PathBuf) {
        let directory = std::env::temp_dir().join(format!(
            "berth-access-{}-{}",
            std::process::id(),
            role.as_str()
        ));
        let _ = std::fs::remove_dir_all(&directory);
        let path = directory.join("auth.json");
        let mut file = AuthFile::new().unwrap();
        let token = file
            .create_token("ana", role, berth_shared::time::Timestamp(0))
            .unwrap();
        file.save(&path).unwrap();
        let access = Access::new(AccessSettings {
            auth_file: Some(path),
            auth_json: None,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            proxy_identity_header: Some(HeaderName::from_static("x-amzn-oidc-identity")),
            proxy_role: Some(Role::Viewer),
            read_only: false,
        })
        .unwrap();
        (access, token, directory)
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn an_auth_file_given_as_text_signs_in_like_the_file_and_is_never_logged() {
        let mut file = AuthFile::new().unwrap();
        let token = file
            .create_token("ana", Role::Admin, berth_shared::time::Timestamp(0))
            .unwrap();
        let text = serde_json::to_string(&file).unwrap();
        let settings = AccessSettings {
            auth_json: Some(SecretText(text.clone())),
            ..AccessSettings::default()
        };
        assert!(settings.signs_in());
        let debug = format!("{settings:?}");
        assert!(!debug.contains(&text[..20]), "{debug}");
        let access = Access::new(settings).unwrap();
        let bearer = [("authorization", format!("Bearer {token}"))];
        let identity = access
            .identify(&headers(&bearer), None, 100)
            .unwrap()
            .unwrap();
        assert_eq!(
            (identity.name.as_str(), identity.role),
            ("ana", Role::Admin)
        );
        let broken = AccessSettings {
            auth_json: Some(SecretText("{not json".to_owned())),
            ..AccessSettings::default()
        };
        let error = Access::new(broken).unwrap_err().to_string();
        assert!(error.contains("BERTH_AUTH_JSON"), "{error}");
    }

    #[test]
    fn tokens_proxies_and_sessions_identify_and_nothing_else_does() {
        let (access, token, directory) = access_with_token(Role::Deployer);
        let from = |ip: &str| Some(SocketAddr::new(ip.parse().unwrap(), 40000));
        let who = |pairs: &[(&'static str, String)], peer| {
            access
                .identify(&headers(pairs), peer, 100)
                .map(|i| i.map(|i| (i.name, i.role, i.via)))
        };
        assert_eq!(
            who(&[("authorization", format!("Bearer {token}"))], None),
            Ok(Some(("ana".to_owned(), Role::Deployer, SignedInVia::Token)))
        );
        assert!(who(&[("authorization", "Bearer berth_nope".to_owned())], None).is_err());
        assert!(who(&[("authorization", token.clone())], None).is_err());
        let proxied = [("x-amzn-oidc-identity", "sub-123".to_owned())];
        assert_eq!(
            who(&proxied, from("10.1.2.3")),
            Ok(Some((
                "sub-123".to_owned(),
                Role::Viewer,
                SignedInVia::Proxy
            )))
        );
        assert_eq!(
            who(&proxied, from("192.0.2.1")),
            Ok(None),
            "not a trusted proxy"
        );
        assert_eq!(who(&proxied, None), Ok(None));
        let (signed_in, cookie) = access.sign_in(&token, 100).unwrap();
        assert_eq!(signed_in.via, SignedInVia::Session);
        let with_cookie = [("cookie", format!("{}={cookie}", sessions::COOKIE_NAME))];
        let identity = access
            .identify(&headers(&with_cookie), None, 100)
            .unwrap()
            .unwrap();
        assert_eq!(identity, signed_in);
        assert_eq!(
            access.identify(
                &headers(&with_cookie),
                None,
                100 + sessions::SESSION_SECONDS
            ),
            Ok(None),
            "expired"
        );
        assert!(access.sign_in("berth_wrong", 100).is_none());
        assert_eq!(who(&[], None), Ok(None));
        std::fs::remove_dir_all(directory).unwrap();
    }

    #[test]
    fn revoking_a_token_ends_its_sessions_without_a_restart() {
        let (access, token, directory) = access_with_token(Role::Admin);
        let (_, cookie) = access.sign_in(&token, 100).unwrap();
        let path = directory.join("auth.json");
        let mut file = AuthFile::load(&path).unwrap().unwrap();
        assert!(file.revoke("ana"));
        // Make the change visible to the once-a-second check at once.
        std::thread::sleep(Duration::from_millis(20));
        file.save(&path).unwrap();
        if let Some(store) = &access.0.tokens {
            store.loaded.write().unwrap().checked = Instant::now() - RELOAD_CHECK;
        }
        let with_cookie = [("cookie", format!("{}={cookie}", sessions::COOKIE_NAME))];
        assert_eq!(access.identify(&headers(&with_cookie), None, 100), Ok(None));
        let bearer = [("authorization", format!("Bearer {token}"))];
        assert!(access.identify(&headers(&bearer), None, 100).is_err());
        std::fs::remove_dir_all(directory).unwrap();
    }

    #[test]
    fn without_sign_in_everyone_is_the_local_admin() {
        let access = Access::open(false);
        let identity = access
            .identify(&HeaderMap::new(), None, 0)
            .unwrap()
            .unwrap();
        assert_eq!(
            (identity.role, identity.via),
            (Role::Admin, SignedInVia::Loopback)
        );
    }
}
