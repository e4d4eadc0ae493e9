//! The `berth` binary: parses the command line and runs the chosen command.

use std::{
    io::{Read, Write},
    process::ExitCode,
    sync::Arc,
};

use berth_backend::{
    AppState,
    accounts::{Accounts, SourceSettings},
    app,
    aws::AwsSettings,
    cli::{Cli, Command, ServeArgs},
    defences::AllowedHosts,
    limits::RequestLimits,
    live::Streams,
    sandbox::Sandbox,
};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(*args).await,
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

async fn serve(args: ServeArgs) -> Result<(), String> {
    if !args.addr.ip().is_loopback() {
        return Err(format!(
            "refusing to serve {}: Berth has no sign-in yet, so anyone who can reach that \
             address could read and change your account. Serve a loopback address (the \
             default, 127.0.0.1:8080) and reach it through an SSH tunnel, or through a reverse \
             proxy on this machine that signs users in (name it with --allowed-hosts).",
            args.addr
        ));
    }
    let accounts = Accounts::start(SourceSettings {
        aws_default: args.aws,
        sandbox_path: args.state.clone().unwrap_or_else(Sandbox::default_path),
        aws: AwsSettings {
            region: args.region.clone(),
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            operation_timeout: args.aws_timeout,
        },
        regions: args.regions.clone(),
        cache_ttl: args.cache_ttl,
        poll_interval: args.poll_interval,
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
            limits: RequestLimits::new(args.request_timeout, usize::from(args.max_requests)),
        },
        &args.static_dir,
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%source, "serving");
    eprintln!("Berth is serving {source} at http://{address}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            stop_requested().await;
            tracing::info!("shutting down: ending live streams, finishing requests");
            closer.close();
        })
        .await
        .map_err(|e| e.to_string())
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
