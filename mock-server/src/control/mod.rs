//! Control and journal: the control API, what the server saw per case, the index page and its
//! example URLs.

pub mod api;
pub mod console;
pub mod device;
pub mod escape;
pub mod examples;
pub mod index;
pub mod index_row;
pub mod journal;
pub mod qr;
pub mod record;
pub mod token;
