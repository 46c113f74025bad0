//! Routing: which handler a request goes to, and the URL grammar that writes a scenario as a URL.

pub mod router;
pub mod url_grammar;
