//! The `berth` command line.
//!
//! `berth` with no subcommand is `berth serve`. The console opens on the sandbox unless
//! `--aws` is given. AWS is reachable only when asked: the source switch offers the sandbox
//! alone, the AWS regions of `--regions`, or with `--aws` and no `--regions` every commercial
//! region (see [`crate::accounts`]). Without sign-in it serves loopback addresses only; with
//! `--auth-file` (tokens made by `berth token create`) or a trusted proxy's identity header it
//! may serve others (see [`crate::auth`]). `--allowed-hosts` names the host names it is
//! reached by besides loopback ones. AWS settings follow the AWS CLI (`--region`,
//! `--profile`, `--endpoint-url`, and the usual `AWS_*` environment variables through the
//! SDK's standard chain) and apply to every AWS region offered. `berth simulate …`
//! and `berth validate …` run the "what if" tools of [`crate::simulate`] on a JSON file.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use axum::http::HeaderName;
use berth_shared::access::Role;
use clap::{Args, Parser, Subcommand};

use crate::{
    auth::{SecretText, proxy::AddressBlock},
    sandbox::DemoFleet,
    simulate::Tool,
};

/// Berth: a web console for Amazon ECS.
#[derive(Debug, Parser)]
#[command(name = "berth", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and the JSON API (the default).
    Serve(Box<ServeArgs>),
    /// Run a simulation on a JSON file in AWS's shapes and print the result as JSON.
    ///
    /// Exit status: 0 when the input is valid (even if some tasks could not be placed), 2 with
    /// a message naming the field when it is not.
    Simulate {
        /// What to simulate.
        #[arg(value_parser = tool_names("simulate/"))]
        what: String,
        /// Input file, or `-` for standard input.
        file: PathBuf,
    },
    /// Estimate a cost from a JSON file and print it as JSON (exit status 2 on invalid input).
    Estimate {
        /// What to estimate.
        #[arg(value_parser = tool_names("estimate/"))]
        what: String,
        /// Input file, or `-` for standard input.
        file: PathBuf,
    },
    /// Manage the API tokens of an auth file (sign-in for `berth serve --auth-file`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Ask a Berth on this machine whether it is healthy: exit status 0 when `GET URL`
    /// answers 200 within two seconds, 1 otherwise. For a container's health check, where the
    /// image has no shell and no HTTP client.
    Probe {
        /// A plain-HTTP address, e.g. http://127.0.0.1:8080/api/health.
        url: String,
    },
    /// Check a document and print the problems found as JSON (exit status 1 when there are
    /// errors, 2 when the input cannot be read).
    Validate {
        /// What to validate.
        #[arg(value_parser = tool_names("validate/"))]
        what: String,
        /// Input file, or `-` for standard input.
        file: PathBuf,
    },
}

/// `berth token …`: tokens are stored hashed; `create` prints the token once.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (the only time it is shown).
    Create {
        /// What the token may do.
        #[arg(long)]
        role: Role,
        /// Who it stands for: 1 to 64 letters, digits, '.', '_', '-' or '@'.
        #[arg(long)]
        name: String,
        /// The auth file (created when it does not exist).
        #[arg(long, env = "BERTH_AUTH_FILE")]
        auth_file: PathBuf,
    },
    /// List the tokens of an auth file: names, roles and creation times, never the tokens.
    List {
        /// The auth file.
        #[arg(long, env = "BERTH_AUTH_FILE")]
        auth_file: PathBuf,
    },
    /// Revoke a token: it and every session started with it stop working within a second.
    Revoke {
        /// The token's name.
        #[arg(long)]
        name: String,
        /// The auth file.
        #[arg(long, env = "BERTH_AUTH_FILE")]
        auth_file: PathBuf,
    },
}

impl Command {
    /// The tool a `simulate`/`validate` command runs, with its input file.
    pub fn tool(&self) -> Option<(Tool, &PathBuf)> {
        let (prefix, what, file) = match self {
            Self::Serve(_) | Self::Token(_) | Self::Probe { .. } => return None,
            Self::Simulate { what, file } => ("simulate/", what, file),
            Self::Validate { what, file } => ("validate/", what, file),
            Self::Estimate { what, file } => ("estimate/", what, file),
        };
        Tool::from_path(&format!("{prefix}{what}")).map(|tool| (tool, file))
    }
}

fn tool_names(prefix: &'static str) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        Tool::ALL
            .into_iter()
            .filter_map(move |tool| tool.path().strip_prefix(prefix)),
    )
}

/// Options of `berth serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Without sign-in (--auth-file or a trusted proxy) only a loopback
    /// address is served.
    #[arg(long, env = "BERTH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Require sign-in with the API tokens of this file (see `berth token create`); created
    /// with no token when it does not exist.
    #[arg(long, env = "BERTH_AUTH_FILE")]
    pub auth_file: Option<PathBuf>,
    /// The auth file's content instead of its path, from the environment only (a secret
    /// store's value, so every replica shares the tokens and the session key); never re-read.
    #[arg(
        long = "auth-json",
        env = "BERTH_AUTH_JSON",
        hide_env_values = true,
        conflicts_with = "auth_file",
        hide = true,
        value_parser = |text: &str| Ok::<_, String>(SecretText(text.to_owned()))
    )]
    pub auth_json: Option<SecretText>,
    /// Addresses of reverse proxies (addresses or blocks such as 10.0.0.0/16, comma-separated)
    /// whose identity header (--proxy-identity-header) is trusted.
    #[arg(
        long,
        env = "BERTH_TRUSTED_PROXIES",
        value_delimiter = ',',
        requires = "proxy_identity_header"
    )]
    pub trusted_proxies: Vec<AddressBlock>,
    /// The header a trusted proxy puts the signed-in person's identity in (for an ALB with
    /// OIDC: x-amzn-oidc-identity).
    #[arg(
        long,
        env = "BERTH_PROXY_IDENTITY_HEADER",
        requires = "trusted_proxies"
    )]
    pub proxy_identity_header: Option<HeaderName>,
    /// The role of people a trusted proxy signed in.
    #[arg(long, env = "BERTH_PROXY_ROLE", default_value = "viewer")]
    pub proxy_role: Role,
    /// Append every change (and refused attempt) to this file as JSON lines, flushed to disk
    /// before the answer; admins read it in the console. Without it, records go to the log.
    #[arg(long, env = "BERTH_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Host names the server answers to besides loopback ones, comma-separated (e.g. the name
    /// of a reverse proxy on this machine); requests naming any other host are refused.
    #[arg(long, env = "BERTH_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Directory of the built console (index.html and its assets). Default: the console
    /// built into this binary (`cargo xtask dist`), or else `./dist`.
    #[arg(long, env = "BERTH_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Sandbox state file (default: ~/.local/share/berth/sandbox.json).
    #[arg(long, env = "BERTH_STATE")]
    pub state: Option<PathBuf>,
    /// The demo fleet a new sandbox starts with: `standard` (three small clusters), or `large`
    /// (also `demo-large`: 2,000 container instances running 20,000 tasks of 40 services).
    /// A sandbox file that exists keeps its fleet; name another file with --state.
    #[arg(long, env = "BERTH_DEMO_FLEET", value_enum, default_value_t = DemoFleet::Standard)]
    pub demo_fleet: DemoFleet,
    /// How many times faster than its own pace the sandbox starts tasks and rolls
    /// deployments (1: a Fargate task runs about 10 s after it is asked for).
    #[arg(long, env = "BERTH_SANDBOX_SPEED", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub sandbox_speed: u32,
    /// Open on AWS (standard credential chain) instead of the sandbox.
    #[arg(long)]
    pub aws: bool,
    /// The AWS region to open on (with --aws; default: the AWS configuration's).
    #[arg(long, requires = "aws")]
    pub region: Option<String>,
    /// AWS named profile, for every AWS region offered.
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS-compatible endpoint, e.g. a local emulator, for every AWS region offered.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// AWS regions the source switch offers, comma-separated. Default: none, so the machine's
    /// AWS credentials are never used; with --aws, every commercial region where ECS runs.
    #[arg(long, env = "BERTH_REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Vec<String>,
    /// The only clusters this server shows and changes, comma-separated (in every source);
    /// others are answered as if they did not exist. Default: every cluster.
    #[arg(long, env = "BERTH_CLUSTERS", value_delimiter = ',')]
    pub clusters: Vec<String>,
    /// Seconds a read from the source is reused by later requests (0 disables the cache).
    #[arg(long, env = "BERTH_CACHE_TTL", default_value = "3", value_parser = parse_seconds_or_zero)]
    pub cache_ttl: Duration,
    /// Seconds between two reads of a cluster that someone watches live.
    #[arg(long, env = "BERTH_POLL_INTERVAL", default_value = "5", value_parser = parse_seconds)]
    pub poll_interval: Duration,
    /// Show the account but change nothing: every request that would change it is refused
    /// (the "what if" tools still run), and the console offers no changes.
    #[arg(long, env = "BERTH_READ_ONLY")]
    pub read_only: bool,
    /// Live streams (browsers watching a cluster) served at once; one more is refused with a
    /// retryable 503.
    #[arg(long, env = "BERTH_MAX_LIVE_STREAMS", default_value = "1000", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_live_streams: u16,
    /// Seconds a request may take before it is answered with a 504 (live streams excepted).
    #[arg(long, env = "BERTH_REQUEST_TIMEOUT", default_value = "60", value_parser = parse_seconds)]
    pub request_timeout: Duration,
    /// Requests handled at once (live streams excepted); one more is refused with a retryable
    /// 503 rather than queued.
    #[arg(long, env = "BERTH_MAX_REQUESTS", default_value = "256", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_requests: u16,
    /// Seconds a client may take to send a request's head (an idle keep-alive connection is
    /// closed after as long). Behind a load balancer, set it above the balancer's idle timeout
    /// (60 s on an ALB).
    #[arg(long, env = "BERTH_HEADER_READ_TIMEOUT", default_value = "20", value_parser = parse_seconds)]
    pub header_read_timeout: Duration,
    /// Seconds requests in flight may take to finish after SIGTERM (ECS waits 30 s by default
    /// before it kills a task).
    #[arg(long, env = "BERTH_DRAIN_TIMEOUT", default_value = "25", value_parser = parse_seconds)]
    pub drain_timeout: Duration,
    /// Seconds allowed for one AWS operation, retries included.
    #[arg(long, default_value = "20", value_parser = parse_seconds)]
    pub aws_timeout: Duration,
    /// How log lines are written to standard error: `text` for people, `json` (one object per
    /// line, with the request's id and span fields) for CloudWatch Logs and other collectors.
    #[arg(long, env = "BERTH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Whether a server may listen on `addr`: a loopback address always; any other only when
/// sign-in is required (`signs_in`), with a message saying how to set it up otherwise.
pub fn check_address(addr: SocketAddr, signs_in: bool) -> Result<(), String> {
    if addr.ip().is_loopback() || signs_in {
        return Ok(());
    }
    Err(format!(
        "refusing to serve {addr}: without sign-in, anyone who can reach that address could \
         read and change your account. Either require sign-in (create a token with `berth \
         token create --role admin --name you --auth-file auth.json`, then serve with \
         --auth-file auth.json, or trust a signing-in proxy with --trusted-proxies and \
         --proxy-identity-header) and name the host it is reached by with --allowed-hosts, or \
         serve a loopback address (the default, 127.0.0.1:8080) and reach it through an SSH \
         tunnel."
    ))
}

fn parse_region(text: &str) -> Result<String, String> {
    if berth_shared::sources::is_region_code(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not an AWS region code such as eu-west-1"
        ))
    }
}

fn parse_seconds_or_zero(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("expected a number of seconds, got {text:?}"))
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "expected a positive number of seconds, got {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_means_serve_with_flags() {
        let cli = Cli::try_parse_from(["berth", "--aws", "--region", "eu-west-1"]).unwrap();
        assert!(cli.command.is_none());
        assert!(cli.serve.aws);
        assert_eq!(cli.serve.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn simulate_and_validate_name_their_tools() {
        let cli = Cli::try_parse_from(["berth", "simulate", "placement", "-"]).unwrap();
        assert_eq!(
            cli.command
                .as_ref()
                .and_then(Command::tool)
                .map(|(tool, _)| tool),
            Some(Tool::Placement)
        );
        let cli = Cli::try_parse_from(["berth", "validate", "task-definition", "td.json"]).unwrap();
        assert_eq!(
            cli.command
                .as_ref()
                .and_then(Command::tool)
                .map(|(tool, _)| tool),
            Some(Tool::ValidateTaskDefinition)
        );
        assert!(Cli::try_parse_from(["berth", "simulate", "weather", "-"]).is_err());
    }

    #[test]
    fn the_region_to_open_on_requires_aws() {
        assert!(Cli::try_parse_from(["berth", "--region", "eu-west-1"]).is_err());
        assert!(Cli::try_parse_from(["berth", "serve", "--addr", "127.0.0.1:0"]).is_ok());
        let cli = Cli::try_parse_from(["berth", "--endpoint-url", "http://127.0.0.1:5000"]);
        assert!(cli.is_ok_and(|cli| !cli.serve.aws));
    }

    #[test]
    fn other_addresses_than_loopback_need_sign_in() {
        let cases = [
            ("127.0.0.1:8080", false, true),
            ("[::1]:8080", false, true),
            ("0.0.0.0:8080", false, false),
            ("10.0.0.5:8080", false, false),
            ("0.0.0.0:8080", true, true),
        ];
        for (addr, signs_in, allowed) in cases {
            let result = check_address(addr.parse().unwrap(), signs_in);
            assert_eq!(result.is_ok(), allowed, "{addr} {signs_in}");
            if let Err(message) = result {
                assert!(message.contains("--auth-file"), "{message}");
            }
        }
    }

    #[test]
    fn sign_in_flags_parse_and_a_proxy_needs_its_header() {
        let cli = Cli::try_parse_from([
            "berth",
            "--auth-file",
            "auth.json",
            "--trusted-proxies",
            "10.0.0.0/16,192.0.2.7",
            "--proxy-identity-header",
            "x-amzn-oidc-identity",
            "--proxy-role",
            "deployer",
        ])
        .unwrap();
        assert_eq!(cli.serve.trusted_proxies.len(), 2);
        assert_eq!(cli.serve.proxy_role, Role::Deployer);
        assert!(Cli::try_parse_from(["berth", "--trusted-proxies", "10.0.0.0/8"]).is_err());
        assert!(Cli::try_parse_from(["berth", "--proxy-role", "root"]).is_err());
        let cli = Cli::try_parse_from([
            "berth",
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "ci",
            "--auth-file",
            "a.json",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Token(TokenCommand::Create {
                role: Role::Viewer,
                ..
            }))
        ));
    }

    #[test]
    fn regions_are_offered_only_when_named() {
        let cli = Cli::try_parse_from(["berth"]).unwrap();
        assert!(cli.serve.regions.is_empty());
        let cli = Cli::try_parse_from(["berth", "--allowed-hosts", "berth.example.com,ops"]);
        assert_eq!(
            cli.unwrap().serve.allowed_hosts,
            ["berth.example.com", "ops"]
        );
        let cli = Cli::try_parse_from(["berth", "--regions", "eu-west-1,us-east-2"]).unwrap();
        assert_eq!(cli.serve.regions, ["eu-west-1", "us-east-2"]);
        assert!(Cli::try_parse_from(["berth", "--regions", "eu-west-1,mars"]).is_err());
    }
}
