//! The `berth` binary: parses the command line and runs the chosen command.

use std::{
    io::{IsTerminal, Read, Write},
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use berth_backend::{
    AppState,
    accounts::{Accounts, SourceSettings},
    app,
    audit::AuditLog,
    auth::{Access, AccessSettings, tokens::AuthFile},
    aws::AwsSettings,
    cli::{Cli, Command, LogFormat, ServeArgs, TokenCommand, check_address},
    defences::AllowedHosts,
    limits::RequestLimits,
    live::Streams,
    sandbox::{Pace, Sandbox},
    serve::ConnectionSettings,
};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The static (musl) build's allocator: musl's own halves the server's throughput.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = match &cli.command {
        Some(Command::Serve(args)) => args.log_format,
        Some(_) => LogFormat::Text,
        None => cli.serve.log_format,
    };
    init_logs(log_format);
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::Token(command)) => manage_tokens(command),
        Some(Command::Probe { url }) => berth_backend::probe::probe(&url, Duration::from_secs(2)),
        Some(command) => return run_tool(&command),
        None => serve(cli.serve).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("berth: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard error, filtered by `RUST_LOG` (default: info, the AWS configuration's
/// chatter at warn), as text or one JSON object per line with the fields of every enclosing
/// span (the request's id among them).
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
}

/// Runs a `simulate`/`validate` command: 0 valid, 1 negative verdict, 2 invalid input.
fn run_tool(command: &Command) -> ExitCode {
    let Some((tool, file)) = command.tool() else {
        eprintln!("berth: unknown tool");
        return ExitCode::from(2);
    };
    let document = if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map(|_| text)
    } else {
        std::fs::read_to_string(file)
    };
    let document = match document {
        Ok(text) => text,
        Err(error) => {
            eprintln!("berth: cannot read {}: {error}", file.display());
            return ExitCode::from(2);
        }
    };
    match tool.run(&document) {
        Ok(outcome) => {
            let text = serde_json::to_string_pretty(&outcome.json).unwrap_or_default();
            if writeln!(std::io::stdout().lock(), "{text}").is_err() {
                return ExitCode::from(2);
            }
            if outcome.negative {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("berth: invalid input in {}: {error}", file.display());
            ExitCode::from(2)
        }
    }
}

/// Runs `berth token create|list|revoke`.
fn manage_tokens(command: TokenCommand) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let print = |out: &mut std::io::StdoutLock<'_>, text: String| {
        writeln!(out, "{text}").map_err(|e| format!("cannot write to standard output: {e}"))
    };
    match command {
        TokenCommand::Create {
            role,
            name,
            auth_file,
        } => {
            let mut file = AuthFile::load_or_new(&auth_file).map_err(|e| e.to_string())?;
            let token = file
                .create_token(&name, role, berth_backend::now())
                .map_err(|e| e.to_string())?;
            file.save(&auth_file).map_err(|e| e.to_string())?;
            eprintln!(
                "Created a {role} token for {name} in {}. It is shown once, now; keep it \
                 secret (only its hash is stored):",
                auth_file.display()
            );
            print(&mut out, token)
        }
        TokenCommand::List { auth_file } => {
            let file = AuthFile::load(&auth_file)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("there is no auth file at {}", auth_file.display()))?;
            for entry in &file.tokens {
                print(
                    &mut out,
                    format!("{}\t{}\tcreated {}", entry.name, entry.role, entry.created),
                )?;
            }
            Ok(())
        }
        TokenCommand::Revoke { name, auth_file } => {
            let mut file = AuthFile::load(&auth_file)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("there is no auth file at {}", auth_file.display()))?;
            if !file.revoke(&name) {
                return Err(format!(
                    "{} has no token named {name:?}",
                    auth_file.display()
                ));
            }
            file.save(&auth_file).map_err(|e| e.to_string())?;
            eprintln!("Revoked the token {name}; its sessions end within a second.");
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let access_settings = AccessSettings {
        auth_file: args.auth_file.clone(),
        auth_json: args.auth_json.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        proxy_identity_header: args.proxy_identity_header.clone(),
        proxy_role: Some(args.proxy_role),
        read_only: args.read_only,
    };
    check_address(args.addr, access_settings.signs_in())?;
    let access = Access::new(access_settings).map_err(|e| e.to_string())?;
    let audit = match &args.audit_log {
        Some(path) => AuditLog::open(path)
            .map_err(|e| format!("cannot open the audit log {}: {e}", path.display()))?,
        None => AuditLog::server_log_only(),
    };
    let accounts = Accounts::start(SourceSettings {
        aws_default: args.aws,
        sandbox_path: args.state.clone().unwrap_or_else(Sandbox::default_path),
        sandbox_pace: Pace::faster(args.sandbox_speed),
        sandbox_fleet: args.demo_fleet,
        aws: AwsSettings {
            region: args.region.clone(),
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            operation_timeout: args.aws_timeout,
        },
        regions: args.regions.clone(),
        cache_ttl: args.cache_ttl,
        poll_interval: args.poll_interval,
        clusters: args.clusters.clone(),
    })
    .await?;
    let source = accounts
        .account(None)
        .await
        .map_err(|e| e.body().message.clone())?
        .ecs
        .info()
        .label();
    let (streams, closer) = Streams::new(usize::from(args.max_live_streams));
    let router = app(
        AppState {
            accounts: Arc::new(accounts),
            allowed_hosts: AllowedHosts::new(&args.allowed_hosts),
            streams,
            read_only: args.read_only,
            access,
            audit,
            limits: RequestLimits::new(args.request_timeout, usize::from(args.max_requests)),
        },
        args.static_dir.as_deref(),
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%source, "serving");
    eprintln!("Berth is serving {source} at http://{address}");
    let settings = ConnectionSettings {
        header_read_timeout: args.header_read_timeout,
        drain: args.drain_timeout,
    };
    berth_backend::serve::serve(listener, router, settings, async move {
        stop_requested().await;
        tracing::info!("shutting down: ending live streams, finishing requests");
        closer.close();
    })
    .await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what ECS and systemd send to stop a service).
async fn stop_requested() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
