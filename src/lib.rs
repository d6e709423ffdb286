#![recursion_limit = "256"]
//! refcodes: referral codes whose rewards are paid on chain.
pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod pages;
pub mod resource;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

// The server and the browser must render the same view tree, or hydration panics on every page.
#[cfg(not(erase_components))]
compile_error!(
    "refcodes must be built with `--cfg erase_components` (server and wasm alike): .cargo/config.toml sets it for \
     every build, but a RUSTFLAGS variable or a `[target.<triple>] rustflags` setting replaces that list; add \
     `--cfg erase_components` to it"
);

/// Slack for `cargo leptos build --split`: the splitter lays out each module's share of `.rodata` anew and, when
/// alignment padding makes that layout longer than the linked segment, gives up and puts *all* data in the main
/// module (~150 KB more there, depending on luck). Nothing references this block, so no module carries it; it only
/// lengthens the linked segment.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_SLACK: [u8; 4096] = [0xA5; 4096];

/// Every server build (the binary, the tests, the benchmarks) allocates with mimalloc. With glibc's allocator a
/// flood of sign-ups from many addresses left each blocking thread's arena holding the 19 MiB Argon2 blocks it had
/// freed — 570 MiB resident at a peak for two hashes at a time — and long random query strings rendered a third
/// slower (README, Benchmarks: `abuse_bench`).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes hydrate asynchronously, once their chunks are loaded: the page is interactive only then, and
    // says so on <body data-hydrated> (the browser tests wait for it). Spawned on the reactive executor, as
    // leptos' own hydrate_lazy does.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document().body().expect("a <body>");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
