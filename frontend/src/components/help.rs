//! A small "?" beside an ECS concept that opens a short explanation for someone learning ECS.

use leptos::{html, prelude::*};

use super::dialog::{ReturnFocus, use_dialog_focus};

/// ECS concepts the console explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concept {
    /// A cluster.
    Cluster,
    /// A task definition.
    TaskDefinition,
    /// A capacity provider and the capacity provider strategy.
    CapacityProvider,
    /// A container instance.
    ContainerInstance,
    /// A task.
    Task,
    /// A service.
    Service,
    /// An Availability Zone.
    AvailabilityZone,
    /// A placement strategy.
    PlacementStrategy,
    /// A placement constraint.
    PlacementConstraint,
    /// A launch type.
    LaunchType,
    /// What a task reserves on its instance.
    Reservation,
    /// Service auto scaling (Application Auto Scaling).
    ServiceAutoScaling,
    /// An AWS Region, and the sandbox beside the regions.
    Region,
}

impl Concept {
    /// The concept's name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cluster => "Cluster",
            Self::TaskDefinition => "Task definition",
            Self::CapacityProvider => "Capacity provider",
            Self::ContainerInstance => "Container instance",
            Self::Task => "Task",
            Self::Service => "Service",
            Self::AvailabilityZone => "Availability Zone",
            Self::PlacementStrategy => "Placement strategy",
            Self::PlacementConstraint => "Placement constraint",
            Self::LaunchType => "Launch type",
            Self::Reservation => "Reserved CPU and memory",
            Self::ServiceAutoScaling => "Service auto scaling",
            Self::Region => "Region and sandbox",
        }
    }

    /// A short, accurate explanation.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Cluster => {
                "A named group, in one region, of the capacity tasks run on (EC2 container \
                 instances registered to it, Fargate, or your own servers) and of the services and \
                 tasks that use it. A cluster has no size of its own: its CPU and memory are those \
                 of its instances, and Fargate tasks bring their own. One cluster can mix launch \
                 types and capacity providers."
            }
            Self::TaskDefinition => {
                "The blueprint of a task: its containers (image, CPU, memory, ports, environment, \
                 logging), the task's size, network mode, IAM roles and volumes. Registering one \
                 creates a new, unchangeable revision, family:revision. Services and RunTask name a \
                 revision, so changing a service means registering a revision and deploying it."
            }
            Self::CapacityProvider => {
                "Where a cluster's compute comes from: FARGATE, FARGATE_SPOT, or an Auto Scaling \
                 group of EC2 instances that ECS can grow and shrink (managed scaling). A capacity \
                 provider strategy splits tasks among providers: the base count goes to one \
                 provider first, the rest in proportion to the weights."
            }
            Self::ContainerInstance => {
                "An EC2 instance (or an on-premises server) running the ECS container agent and \
                 registered to this cluster. It offers its CPU units (1,024 per vCPU), memory and \
                 ports to the scheduler. A DRAINING instance gets no new tasks, and the tasks of \
                 services on it are replaced on other instances."
            }
            Self::Task => {
                "One running copy of a task definition: one or more containers started together \
                 on the same instance (or in one Fargate micro-VM). Tasks are started by a service \
                 or directly with RunTask; ECS never moves a running task, it stops it and starts \
                 a new one."
            }
            Self::Service => {
                "Keeps a desired number of tasks of one task definition running (REPLICA), or \
                 exactly one on every matching instance (DAEMON). It replaces tasks that stop, \
                 rolls out new revisions in deployments and can register tasks with a load \
                 balancer."
            }
            Self::AvailabilityZone => {
                "One or more data centres with their own power and network, isolated from the \
                 other zones of the same AWS Region; us-east-1a is a zone of us-east-1. Spreading \
                 tasks over several zones keeps a service up when one zone fails, which is why the \
                 graph draws one lane per zone."
            }
            Self::PlacementStrategy => {
                "How ECS chooses among the instances that can take a task: spread (balance over \
                 zones, instances or an attribute), binpack (fill the instance with the least \
                 free CPU or memory first, to use fewer instances) or random. Strategies apply in \
                 order and only to the EC2 launch type; Fargate spreads over zones by itself."
            }
            Self::PlacementConstraint => {
                "A rule an instance must satisfy before a task may go there: distinctInstance (at \
                 most one task of the group per instance) or memberOf with a cluster query \
                 expression such as attribute:ecs.instance-type =~ t3.*. Constraints filter; \
                 strategies then choose."
            }
            Self::LaunchType => {
                "Where a task's compute comes from: EC2 (instances you run and register), \
                 FARGATE (AWS runs a micro-VM sized to the task; there are no instances to \
                 manage) or EXTERNAL (your own servers with ECS Anywhere). Capacity providers can \
                 choose for you."
            }
            Self::Reservation => {
                "The CPU units and memory a task reserves on its instance: its task-level size \
                 when set, otherwise the sum of its containers' cpu and memoryReservation (or \
                 memory). ECS places a task only where the remaining resources cover it; actual \
                 use may be lower."
            }
            Self::ServiceAutoScaling => {
                "ECS does not scale services by itself: Application Auto Scaling changes a \
                 service's desired count within the minimum and maximum of its scalable target. \
                 Target-tracking policies add or remove tasks to hold a metric (such as average \
                 CPU) near a value; step policies act when a CloudWatch alarm fires; scheduled \
                 actions move the minimum and maximum at set times."
            }
            Self::Region => {
                "An AWS Region, such as eu-west-1 in Ireland, runs its own copy of ECS and ECR \
                 over several Availability Zones. Clusters, services, task definitions and image \
                 repositories belong to one region and cannot be seen from another, so Berth \
                 shows one region at a time. The sandbox is a simulated account with a demo \
                 fleet, saved by the Berth server: what you change there touches nothing real."
            }
        }
    }
}

/// The "?" button and its popover for an ECS concept.
#[component]
pub fn Help(
    /// What to explain.
    concept: Concept,
) -> impl IntoView {
    view! { <HelpButton title=concept.title() text=concept.explanation()/> }
}

/// A "?" button that opens a popover with `title` and `text`. The focus moves into the popover
/// (its close button) and stays there; Escape or × closes it and gives the focus back to "?".
#[component]
pub fn HelpButton(
    /// What is explained.
    title: &'static str,
    /// The explanation.
    text: &'static str,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let label = format!("Explain: {title}");
    let tooltip = label.clone();
    view! {
        <span class="help">
            <button
                type="button"
                class="help__button"
                aria-label=label
                title=tooltip
                aria-expanded=move || open.get().to_string()
                data-testid="help"
                on:click=move |ev| {
                    ev.stop_propagation();
                    open.update(|o| *o = !*o);
                }
            >
                "?"
            </button>
            <Show when=move || open.get()>
                <HelpPopover title text close=Callback::new(move |()| open.set(false))/>
            </Show>
        </span>
    }
}

/// The popover of a [`HelpButton`]: a small dialog that holds the focus while it is open.
#[component]
fn HelpPopover(title: &'static str, text: &'static str, close: Callback<()>) -> impl IntoView {
    let popover = NodeRef::<html::Span>::new();
    let keys = use_dialog_focus(popover, ReturnFocus::Opener, close);
    view! {
        <span class="help__popover" role="dialog" aria-label=title node_ref=popover on:keydown=keys
            data-testid="help-popover">
            <strong class="help__title">{title}</strong>
            <span class="help__text">{text}</span>
            <button type="button" class="help__close" aria-label="Close" on:click=move |_| close.run(())>
                "×"
            </button>
        </span>
    }
}
