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

/// Answered from the request alone (its cookie, or what the capture middleware just set): no database.
#[server]
pub async fn referral_invite() -> Result<Option<Invite>, AppError> {
    Ok(use_context::<http::request::Parts>()
        .and_then(|parts| {
            crate::server::ref_capture::visitor_ref(&parts.headers, &parts.extensions)
        })
        .map(|(code, just_captured)| Invite {
            code,
            just_captured,
        }))
}
