//! tenant_access_token issuing and checking.
//!
//! Documented reuse rule (tenant_access_token/internal page): while the current token has
//! at least 30 minutes left the endpoint returns it again (with the remaining `expire`);
//! with less left it issues a new one and the old one stays valid until it expires.
//!
//! Issuing is per case (each case's tokens, validity and reuse are its own, so a case's
//! `token_ttl_seconds` never meets another case's token), while checking is server-wide:
//! clients keep process-wide token caches, and a token cached in one case must still work
//! in the next one whose fixture knows the app.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Remaining validity at or above which the current token is handed out again.
const REUSE_AT_LEAST: Duration = Duration::from_secs(30 * 60);

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenError {
    /// Never issued here.
    Unknown,
    /// Issued, but its validity is over.
    Expired,
}

struct Issued {
    app_id: String,
    expires_at: Instant,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Issued>,
    /// Tokens issued so far per (case, app), the input of the next token string.
    counters: HashMap<(String, String), u64>,
    /// The newest token of each (case, app).
    current: HashMap<(String, String), String>,
}

/// Every token issued by one state.
#[derive(Default)]
pub(super) struct TokenStore {
    inner: Mutex<Inner>,
}

impl TokenStore {
    /// A token of `case` for `app_id` valid for `ttl` from `now`, and its remaining seconds.
    pub(super) fn issue(
        &self,
        case: &str,
        app_id: &str,
        ttl: Duration,
        now: Instant,
    ) -> (String, u64) {
        let scope = (case.to_string(), app_id.to_string());
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let current = inner
            .current
            .get(&scope)
            .and_then(|token| inner.tokens.get(token).map(|issued| (token, issued)));
        if let Some((token, issued)) = current {
            let left = issued.expires_at.saturating_duration_since(now);
            if left >= REUSE_AT_LEAST {
                return (token.clone(), left.as_secs());
            }
        }
        let counter = inner.counters.entry(scope.clone()).or_insert(0);
        *counter += 1;
        let token = token_string(case, app_id, *counter);
        inner.tokens.insert(
            token.clone(),
            Issued {
                app_id: app_id.to_string(),
                expires_at: now + ttl,
            },
        );
        inner.current.insert(scope, token.clone());
        (token, ttl.as_secs())
    }

    /// Start `case` afresh: its next request gets a new token (issued ones stay valid).
    pub(super) fn forget(&self, case: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.current.retain(|(c, _), _| c != case);
    }

    /// The app a token belongs to, if it is known and still valid at `now`.
    pub(super) fn check(&self, token: &str, now: Instant) -> Result<String, TokenError> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.tokens.get(token) {
            None => Err(TokenError::Unknown),
            Some(issued) if now >= issued.expires_at => Err(TokenError::Expired),
            Some(issued) => Ok(issued.app_id.clone()),
        }
    }
}

/// `t-` and 40 hex digits, the shape of the documented example, derived from (case, app, counter).
fn token_string(case: &str, app_id: &str, counter: u64) -> String {
    let digest = Sha256::digest(format!("feishu-tenant-token/{case}/{app_id}/{counter}"));
    format!("t-{}", hex::encode(&digest[..20]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_a_token_with_more_than_thirty_minutes_left() {
        let store = TokenStore::default();
        let now = Instant::now();
        let (first, expire) = store.issue("c1", "cli_a", Duration::from_secs(7200), now);
        assert_eq!(expire, 7200);
        let later = now + Duration::from_secs(100);
        let (again, expire) = store.issue("c1", "cli_a", Duration::from_secs(7200), later);
        assert_eq!(again, first);
        assert_eq!(expire, 7100);
    }

    #[test]
    fn issues_a_new_token_near_expiry_and_keeps_the_old_one_valid() {
        let store = TokenStore::default();
        let now = Instant::now();
        let (first, _) = store.issue("c1", "cli_a", Duration::from_secs(7200), now);
        let later = now + Duration::from_secs(7200 - 60);
        let (second, expire) = store.issue("c1", "cli_a", Duration::from_secs(7200), later);
        assert_ne!(second, first);
        assert_eq!(expire, 7200);
        assert_eq!(store.check(&first, later), Ok("cli_a".to_string()));
        assert_eq!(
            store.check(&first, now + Duration::from_secs(7200)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tokens_are_deterministic_per_app_and_counter() {
        let a = TokenStore::default();
        let b = TokenStore::default();
        let now = Instant::now();
        let ttl = Duration::from_secs(1);
        let (ta, _) = a.issue("c1", "cli_a", ttl, now);
        let (tb, _) = b.issue("c1", "cli_a", ttl, now);
        let (tc, _) = a.issue("c1", "cli_b", ttl, now);
        assert_eq!(ta, tb);
        assert_ne!(ta, tc);
        assert!(ta.starts_with("t-") && ta.len() == 42, "{ta}");
        assert_eq!(a.check("t-nope", now), Err(TokenError::Unknown));
    }

    #[test]
    fn cases_issue_their_own_tokens_valid_everywhere() {
        let store = TokenStore::default();
        let now = Instant::now();
        let (long, _) = store.issue("c1", "cli_a", Duration::from_secs(7200), now);
        // A short-lived case is not handed the other case's long-lived token.
        let (short, expire) = store.issue("c2", "cli_a", Duration::from_secs(1), now);
        assert_ne!(short, long);
        assert_eq!(expire, 1);
        // Both stay valid server-wide until they expire.
        assert_eq!(store.check(&long, now), Ok("cli_a".to_string()));
        assert_eq!(store.check(&short, now), Ok("cli_a".to_string()));
        store.forget("c1");
        let (again, _) = store.issue("c1", "cli_a", Duration::from_secs(7200), now);
        assert_ne!(again, long);
        assert_eq!(store.check(&long, now), Ok("cli_a".to_string()));
    }
}
