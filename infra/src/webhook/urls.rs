//! Webhook URLs as checked and parsed once: each delivery to a URL seen before skips the parse
//! and the guard's literal-address check (the allowed networks do not change while the client
//! lives; resolved addresses are still checked on every connection). A URL's `user:password@`
//! is sent as HTTP Basic authorization, and its `#fragment` is not sent.

use std::sync::{Arc, Mutex};

use foldhash::HashMap;

use shared::error::{Error, Result};
use shared::subscriptions::destination::base_url;

use super::guard::{AllowedNetworks, INVALID_URL, check_url};

/// URLs remembered before the memory is cleared and starts again.
const REMEMBERED: usize = 4096;

/// A checked URL as requested, its credentials, and the endpoint (scheme, host and port) its
/// slots are kept under.
#[derive(Clone)]
pub struct Checked {
    pub uri: hyper::Uri,
    pub authorization: Option<hyper::header::HeaderValue>,
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
        let checked = checked(check_url(url, allowed)?)?;
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

fn checked(mut url: url::Url) -> Result<Checked> {
    let endpoint = format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    );
    let authorization = basic_authorization(&url);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let uri = url.as_str().parse().map_err(|e| {
        Error::invalid(
            INVALID_URL,
            format!(
                "webhook URL '{}' is not a valid HTTP request target: {e}",
                base_url(url.as_str())
            ),
        )
    })?;
    Ok(Checked {
        uri,
        authorization,
        endpoint: endpoint.into(),
    })
}

/// `Basic` and the URL's `user:password`, percent-decoded, when it has a user name.
fn basic_authorization(url: &url::Url) -> Option<hyper::header::HeaderValue> {
    use base64::Engine;
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| percent_encoding::percent_decode_str(s).collect::<Vec<u8>>();
    let mut pair = decode(url.username());
    pair.push(b':');
    pair.extend(decode(url.password().unwrap_or_default()));
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value = hyper::header::HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
    value.set_sensitive(true);
    Some(value)
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
            again.map(|c| c.uri.to_string()).ok(),
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
    fn credentials_in_the_url_become_basic_authorization_and_the_fragment_is_dropped() {
        let urls = Urls::default();
        let checked = urls.check(
            "https://us%40er:p%3Ass@example.com/hook#part",
            &AllowedNetworks::all(),
        );
        let checked = checked.expect("a valid URL");
        assert_eq!(checked.uri.to_string(), "https://example.com/hook");
        assert_eq!(
            checked.authorization.as_ref().and_then(|v| v.to_str().ok()),
            Some("Basic dXNAZXI6cDpzcw==")
        );
        assert_eq!(&*checked.endpoint, "https://example.com:443");
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
