//! Mounts the app. Everything else lives in `app` and `components`.

mod app;
mod bridge;
mod charts;
mod components;
mod format;
mod offline;
mod state;
mod storage;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
