//! The visitor side: which referral brought this visitor here.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The code a visitor arrived with. `just_captured`: this page request set the first-touch cookie,
/// so the page counts the visit (once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub code: String,
    pub just_captured: bool,
}

/// Answered from the request (its cookie, or what the capture middleware just set) and the live-codes cache.
#[server]
pub async fn referral_invite() -> Result<Option<Invite>, AppError> {
    use crate::server::referral::capture;
    crate::api::ssr::anyone(|s, _| async move {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return Ok(None);
        };
        let live = capture::live_visitor_ref(&s, &parts.headers, &parts.extensions).await;
        Ok(live.map(|(code, just_captured)| Invite {
            code,
            just_captured,
        }))
    })
    .await
}
