//! Amazon ECR: every repository of the registry, and the page of one repository with its
//! images, its lifecycle policy (rules in words and a preview of what would expire now) and
//! where each image runs.

mod images_table;
pub mod list_page;
pub mod model;
pub mod repository_page;
