//! Webhook URLs as checked and parsed once: each delivery to a URL seen before skips the parse
//! and the guard's literal-address check (the allowed networks do not change while the client
//! lives; resolved addresses are still checked on every connection).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared::error::Result;

use super::guard::{AllowedNetworks, check_url};

/// URLs remembered before the memory is cleared and starts again.
const REMEMBERED: usize = 4096;

/// A checked URL and the endpoint (scheme, host and port) its slots are kept under.
#[derive(Clone)]
pub struct Checked {
    pub url: reqwest::Url,
    pub endpoint: Arc<str>,
}

#[derive(Default)]
pub struct Urls {
    known: Mutex<HashMap<String, Checked>>,
}

impl Urls {
    /// `url` checked against `allowed`, from memory when it was checked before.
    pub fn check(&self, url: &str, allowed: &AllowedNetworks) -> Result<Checked> {
        if let Some(known) = self.lock().get(url) {
            return Ok(known.clone());
        }
        let parsed = check_url(url, allowed)?;
        let checked = Checked {
            endpoint: endpoint_of(&parsed).into(),
            url: parsed,
        };
        let mut known = self.lock();
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(url.to_owned(), checked.clone());
        Ok(checked)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Checked>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The endpoint a URL names, as its slots are kept: scheme, host and port.
fn endpoint_of(url: &reqwest::Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_checked_once_is_remembered_with_its_endpoint() {
        let urls = Urls::default();
        let allowed = AllowedNetworks::all();
        let first = urls.check("http://127.0.0.1:8080/hook?a=1", &allowed);
        let again = urls.check("http://127.0.0.1:8080/hook?a=1", &allowed);
        assert_eq!(
            first.as_ref().map(|c| c.endpoint.clone()).ok(),
            Some("http://127.0.0.1:8080".into())
        );
        assert_eq!(
            again.map(|c| c.url.to_string()).ok(),
            Some("http://127.0.0.1:8080/hook?a=1".to_owned())
        );
        assert_eq!(urls.lock().len(), 1);
    }

    #[test]
    fn a_refused_url_is_refused_every_time_and_not_remembered() {
        let urls = Urls::default();
        let none = AllowedNetworks::default();
        for _ in 0..2 {
            let refused = urls.check("http://127.0.0.1/hook", &none);
            assert!(refused.is_err_and(|e| e.code == super::super::guard::TARGET_NOT_ALLOWED));
        }
        assert_eq!(urls.lock().len(), 0);
    }

    #[test]
    fn the_memory_starts_again_when_full() {
        let urls = Urls::default();
        let allowed = AllowedNetworks::all();
        for n in 0..=REMEMBERED {
            assert!(
                urls.check(&format!("https://example.com/{n}"), &allowed)
                    .is_ok()
            );
        }
        assert_eq!(urls.lock().len(), 1);
    }
}
