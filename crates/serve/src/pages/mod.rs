//! The HTML pages, one module each.

pub(crate) mod comment;
pub(crate) mod export;
pub(crate) mod login;
pub(crate) mod overview;
pub(crate) mod search;
pub(crate) mod subject;
