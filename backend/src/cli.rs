//! The `berth` command line.
//!
//! `berth` with no subcommand is `berth serve`. The console opens on the sandbox unless
//! `--aws` is given. AWS is reachable only when asked: the source switch offers the sandbox
//! alone, the AWS regions of `--regions`, or with `--aws` and no `--regions` every commercial
//! region (see [`crate::accounts`]). It serves loopback addresses only (it has no sign-in yet);
//! `--allowed-hosts` names the host names a reverse proxy on this machine uses. AWS settings follow the AWS CLI (`--region`,
//! `--profile`, `--endpoint-url`, and the usual `AWS_*` environment variables through the
//! SDK's standard chain) and apply to every AWS region offered. `berth simulate …`
//! and `berth validate …` run the "what if" tools of [`crate::simulate`] on a JSON file.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};

use crate::simulate::Tool;

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

impl Command {
    /// The tool a `simulate`/`validate` command runs, with its input file.
    pub fn tool(&self) -> Option<(Tool, &PathBuf)> {
        let (prefix, what, file) = match self {
            Self::Serve(_) => return None,
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
    /// Address to listen on: a loopback address (Berth has no sign-in yet, so it refuses to
    /// serve other addresses).
    #[arg(long, env = "BERTH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Host names the server answers to besides loopback ones, comma-separated (e.g. the name
    /// of a reverse proxy on this machine); requests naming any other host are refused.
    #[arg(long, env = "BERTH_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Directory of the built console (index.html and its assets).
    #[arg(long, env = "BERTH_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// Sandbox state file (default: ~/.local/share/berth/sandbox.json).
    #[arg(long, env = "BERTH_STATE")]
    pub state: Option<PathBuf>,
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
    /// Seconds allowed for one AWS operation, retries included.
    #[arg(long, default_value = "20", value_parser = parse_seconds)]
    pub aws_timeout: Duration,
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
