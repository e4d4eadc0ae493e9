//! The task-definition pages: `/task-definitions` (every family) and
//! `/task-definitions/:family` (`?revision=N` for one revision in words, with its validation and
//! JSON; `?compare=A,B` for the differences between two revisions).

mod diff_view;
mod explain;
pub mod family_page;
mod json_view;
pub mod list_page;

/// The URL of a revision's page.
pub fn revision_href(family: &str, revision: i64) -> String {
    crate::source::link(&format!("/task-definitions/{family}?revision={revision}"))
}

/// The URL comparing two revisions of a family.
pub fn compare_href(family: &str, old: i64, new: i64) -> String {
    crate::source::link(&format!("/task-definitions/{family}?compare={old},{new}"))
}
