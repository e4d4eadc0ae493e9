//! Short explanations of the task-definition concepts that `components/help.rs` does not cover
//! (network mode, roles, essential containers, logging, port mappings, volumes), shown with
//! the console's [`HelpButton`].

use leptos::prelude::*;

use crate::components::help::HelpButton;

/// Task-definition concepts explained on the revision page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `networkMode`.
    NetworkMode,
    /// `taskRoleArn` and `executionRoleArn`.
    Roles,
    /// `essential`.
    Essential,
    /// `portMappings`.
    Ports,
    /// `logConfiguration`.
    Logging,
    /// `volumes`.
    Volumes,
    /// Revisions and their status.
    Revisions,
}

impl Topic {
    /// The concept's name.
    pub fn title(self) -> &'static str {
        match self {
            Self::NetworkMode => "Network mode",
            Self::Roles => "Task role and execution role",
            Self::Essential => "Essential container",
            Self::Ports => "Port mappings",
            Self::Logging => "Logging",
            Self::Volumes => "Volumes",
            Self::Revisions => "Revisions",
        }
    }

    /// A short, accurate explanation.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::NetworkMode => {
                "How the task's containers reach the network. awsvpc gives every task its own \
                 elastic network interface and private IP (required on Fargate); bridge uses \
                 Docker's virtual network on the instance, so several tasks can share it with \
                 dynamic host ports; host binds container ports straight to the instance."
            }
            Self::Roles => {
                "The task role is the IAM role your application's code assumes for its own AWS \
                 calls (S3, DynamoDB …). The execution role is used by ECS and the agent on your \
                 behalf: pulling images from ECR, reading secrets and writing logs."
            }
            Self::Essential => {
                "When an essential container stops, ECS stops the whole task (and a service \
                 replaces it). A non-essential container, such as a one-off migration or a \
                 sidecar that may exit, can stop while the others keep running."
            }
            Self::Ports => {
                "Which container ports are reachable, and on which host port. In bridge mode a \
                 host port of 0 (or none) asks for a dynamic port, so several copies fit on one \
                 instance; in awsvpc and host mode the host port equals the container port."
            }
            Self::Logging => {
                "Where a container's standard output goes. The awslogs driver sends it to a \
                 CloudWatch Logs group, one stream per container and task; the execution role \
                 needs permission to write there."
            }
            Self::Volumes => {
                "Storage containers can mount: scratch space that lives as long as the task, a \
                 path on the instance (EC2 only), a Docker volume, or an Amazon EFS file system \
                 shared by many tasks and kept after they stop."
            }
            Self::Revisions => {
                "Task definitions are immutable: every change registers a new revision of the \
                 family (api:6, api:7 …). Deregistering a revision makes it INACTIVE: running \
                 tasks and services keep using it, but new ones cannot be started from it."
            }
        }
    }
}

/// The "?" button and its popover for a task-definition concept.
#[component]
pub fn Explain(
    /// What to explain.
    topic: Topic,
) -> impl IntoView {
    view! { <HelpButton title=topic.title() text=topic.explanation()/> }
}
