//! `/clusters/:cluster/tasks/:task`: one task, live, with its containers and network interface,
//! and the Stop action.

pub mod task_page;
