//! Who is signed in, shared by every component; refreshed after sign-in, sign-up and sign-out.
//! Both resources block the server render, so the navigation is right without JavaScript too
//! (an anonymous request answers them from the cookie and the config alone, without the database).
use crate::api::auth::{current_user, site_info, SignIn, SignOut, SignUp, SiteDetails};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::resource::{load_blocking, Loaded};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Loaded<Result<Option<Me>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
}

#[derive(Clone, Copy)]
struct Site(Loaded<Result<SiteDetails, AppError>>);

pub fn provide_auth() {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = load_blocking(
        move || {
            (
                sign_in.version().get(),
                sign_up.version().get(),
                sign_out.version().get(),
            )
        },
        |_| current_user(),
    );
    provide_context(Auth {
        user,
        sign_in,
        sign_up,
        sign_out,
    });
    provide_context(Site(load_blocking(|| (), |_| site_info())));
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

pub fn use_site() -> Loaded<Result<SiteDetails, AppError>> {
    expect_context::<Site>().0
}
