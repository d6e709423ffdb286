//! What every page shows around its content (brand, who is signed in, "invited by"), known to the server before it
//! renders.
use crate::domain::refcode::Invite;
use crate::domain::user::Me;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The shell of one page request, resolved before the page renders (the brand from the config, the user and the
/// referral by middleware), so no part of it waits on a resource; the hydrating browser reads it from the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shell {
    /// Who is signed in; the browser asks again after each sign-in, sign-up and sign-out.
    pub user: Result<Option<Me>, AppError>,
    pub frame: Frame,
}

/// The part of the shell that stays as it is while the page is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub brand_name: String,
    /// The live referral of the visitor (shown only while nobody is signed in).
    pub invite: Option<Invite>,
}
