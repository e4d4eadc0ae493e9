//! The task-definition pages: `/task-definitions` (every family) and
//! `/task-definitions/:family` (`?revision=N` for one revision in words, with its validation and
//! JSON; `?compare=A,B` for the differences between two revisions).

mod diff_view;
mod explain;
pub mod family_page;
mod json_view;
pub mod list_page;
