//! `/clusters/:cluster/tasks/:task`: one task, live, with its containers, network interface
//! and logs, and the Stop action.

pub mod logs;
pub mod task_page;
