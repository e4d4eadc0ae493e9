//! `/clusters/:cluster/instances/:instance`: one container instance, live: its resources, agent,
//! attributes and running tasks.

pub mod instance_page;
