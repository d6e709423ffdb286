//! `Cache-Control` for every response that does not set its own. A site file under `/pkg` whose name carries the
//! hash of the very bytes served (the release build's `chunk_10.<md5>.wasm` …) is kept for a year and never
//! revalidated: a new build has new names. Which files those are is checked once at start-up ([`SiteFiles`]):
//! cargo-leptos hashes the files before it patches some of them with the final names of others (the main `.js`
//! and `.wasm`, the split manifest), so their names do not follow their bytes across builds — those, and every
//! other file there, are revalidated. Errors under `/pkg` are never stored (a 404 during a rolling deploy must
//! not outlive it); pages and answers for a signed-in browser are never stored (they carry the member's data);
//! anonymous pages may be cached privately but are revalidated.
use crate::server::platform::cookies;
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use md5::{Digest, Md5};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The site's files whose names carry their content's hash, and whether the site is on https (which session
/// cookie counts).
pub struct SiteFiles {
    immutable: HashSet<String>,
    https: bool,
}

impl SiteFiles {
    /// Hashes every file under `site_root/pkg` (compressed copies are served under their original's name).
    pub fn scan(site_root: &Path, https: bool) -> SiteFiles {
        let mut immutable = HashSet::new();
        let mut dirs = vec![site_root.join("pkg")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Some(url) = named_by_content(site_root, &path) {
                    immutable.insert(url);
                }
            }
        }
        tracing::debug!(files = immutable.len(), "site files named by their content");
        SiteFiles { immutable, https }
    }

    /// The policy for a response to `path` with `status`, by whether the browser sent a session.
    pub fn policy(&self, path: &str, signed_in: bool, status: StatusCode) -> &'static str {
        let success = matches!(status.as_u16(), 200 | 206 | 304);
        if path.starts_with("/pkg/") {
            match (success, self.immutable.contains(path)) {
                (true, true) => IMMUTABLE,
                (true, false) => "public, no-cache",
                (false, _) => "no-store",
            }
        } else if signed_in {
            "no-store"
        } else {
            "private, no-cache"
        }
    }
}

/// `/pkg/…` for a file whose name has a dotted part equal to the MD5 of its bytes in unpadded base64url, as
/// cargo-leptos writes it.
fn named_by_content(site_root: &Path, file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    if name.ends_with(".br") || name.ends_with(".gz") {
        return None;
    }
    let hash = URL_SAFE_NO_PAD.encode(Md5::digest(std::fs::read(file).ok()?));
    let dotted = name.split('.').collect::<Vec<_>>();
    if dotted.len() < 3 || !dotted[1..dotted.len() - 1].contains(&hash.as_str()) {
        return None;
    }
    let relative = file.strip_prefix(site_root).ok()?.to_str()?;
    Some(format!("/{}", relative.replace('\\', "/")))
}

/// Whether a response may be compressed: not one for a signed-in browser (`no-store`). Its member data beside
/// anything the request reflects (a query string) would let a cross-site attacker guess that data from the
/// compressed length (BREACH).
pub fn may_compress(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(CACHE_CONTROL)
        .is_none_or(|v| v.as_bytes() != b"no-store")
}

pub async fn set_cache_control(
    State(files): State<Arc<SiteFiles>>,
    req: Request,
    next: Next,
) -> Response {
    let signed_in = cookies::has_session(req.headers(), files.https);
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    let value = files.policy(&path, signed_in, resp.status());
    resp.headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(value));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: StatusCode = StatusCode::OK;

    fn site(files: &[(&str, &[u8])]) -> (tempfile::TempDir, SiteFiles) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("pkg")).unwrap();
        for (name, bytes) in files {
            std::fs::write(root.path().join("pkg").join(name), bytes).unwrap();
        }
        let scanned = SiteFiles::scan(root.path(), false);
        (root, scanned)
    }

    fn named(stem: &str, bytes: &[u8], ext: &str) -> String {
        format!(
            "{stem}.{}.{ext}",
            URL_SAFE_NO_PAD.encode(Md5::digest(bytes))
        )
    }

    #[test]
    fn only_files_whose_name_is_the_hash_of_their_bytes_are_immutable() {
        let chunk = named("chunk_10", b"chunk bytes", "wasm");
        let patched = named("refcodes", b"bytes before the patch", "js");
        let (_root, files) = site(&[
            (&chunk, b"chunk bytes"),
            (&format!("{chunk}.br"), b"compressed"),
            (&patched, b"bytes after the patch"),
            ("refcodes.wasm", b"unhashed"),
        ]);
        assert_eq!(files.policy(&format!("/pkg/{chunk}"), false, OK), IMMUTABLE);
        assert_eq!(
            files.policy(&format!("/pkg/{patched}"), false, OK),
            "public, no-cache"
        );
        assert_eq!(
            files.policy("/pkg/refcodes.wasm", true, OK),
            "public, no-cache"
        );
        assert_eq!(
            files.policy(&format!("/pkg/{chunk}"), false, StatusCode::NOT_MODIFIED),
            IMMUTABLE
        );
    }

    #[test]
    fn errors_and_member_data_are_never_stored() {
        let (_root, files) = site(&[]);
        let missing = "/pkg/refcodes.AJv8P24WR4lyE2eT8pNxOw.js";
        assert_eq!(
            files.policy(missing, false, StatusCode::NOT_FOUND),
            "no-store"
        );
        assert_eq!(files.policy("/en/refcodes", true, OK), "no-store");
        assert_eq!(files.policy("/api/me", true, OK), "no-store");
        assert_eq!(files.policy("/en/", false, OK), "private, no-cache");
    }
}
