//! Who is signed in and what surrounds every page (brand, "invited by"), shared by every component. The server
//! resolves both before it renders (`api::auth::shell`) and hands them to the browser inside the page, so no part of
//! the shell waits on a resource and the navigation is right without JavaScript too. After each sign-in, sign-up
//! and sign-out the browser asks the server who is signed in now.
use crate::api::auth::{current_user, SignIn, SignOut, SignUp};
use crate::domain::site::{Frame, Shell};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::resource::ByteJson;
use leptos::prelude::*;

type Versions = (usize, usize, usize);

#[derive(Clone, Copy)]
pub struct Auth {
    /// The server's answer for the page, then the latest answer to the browser's question.
    pub user: RwSignal<Result<Option<Me>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    /// The action versions `user` answers for.
    answered: RwSignal<Versions>,
    /// A sign-in, sign-up or sign-out is under way.
    pending: Memo<bool>,
}

impl Auth {
    fn versions(&self) -> Versions {
        (
            self.sign_in.version().get(),
            self.sign_up.version().get(),
            self.sign_out.version().get(),
        )
    }

    /// Whether `user` is current: no sign-in, sign-up or sign-out is under way or unanswered. A page that sends
    /// anonymous visitors to sign in waits for this: a sign-in's redirect lands before its new user is known.
    pub fn settled(&self) -> bool {
        !self.pending.get() && self.answered.get() == self.versions()
    }

    /// Effects run only in the browser: after an action, ask who is signed in; an answer overtaken by a later
    /// action is dropped.
    fn refresh_after_actions(self) {
        Effect::new(move |_| {
            let versions = self.versions();
            if versions == self.answered.get_untracked() {
                return;
            }
            leptos::task::spawn_local(async move {
                let user = current_user().await;
                if untrack(|| self.versions()) == versions {
                    self.user.set(user);
                    self.answered.set(versions);
                }
            });
        });
    }
}

pub fn provide_auth() {
    let Shell { user, frame } =
        SharedValue::<Shell, ByteJson>::new_with_encoding(this_request).into_inner();
    let (sign_in, sign_up, sign_out) = (
        ServerAction::<SignIn>::new(),
        ServerAction::<SignUp>::new(),
        ServerAction::<SignOut>::new(),
    );
    let (a, b, c) = (sign_in.pending(), sign_up.pending(), sign_out.pending());
    let auth = Auth {
        user: RwSignal::new(user),
        sign_in,
        sign_up,
        sign_out,
        // New actions are at version 0 each: the page's user answers for exactly that.
        answered: RwSignal::new(Versions::default()),
        pending: Memo::new(move |_| a.get() || b.get() || c.get()),
    };
    auth.refresh_after_actions();
    provide_context(auth);
    provide_context(frame);
}

#[cfg(feature = "ssr")]
use crate::api::auth::shell as this_request;

/// The browser never computes the shell: it reads the server's from the page it hydrates.
#[cfg(not(feature = "ssr"))]
fn this_request() -> Shell {
    Shell {
        user: Ok(None),
        frame: Frame::default(),
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

pub fn use_frame() -> Frame {
    expect_context::<Frame>()
}
