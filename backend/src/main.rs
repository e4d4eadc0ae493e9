//! The `berth` binary: parses the command line and runs the chosen command.

use std::{process::ExitCode, sync::Arc};

use berth_backend::{
    AppState, EcsApi, app,
    aws::{AwsSettings, SdkEcs},
    cli::{Cli, Command, ServeArgs},
    now,
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
        Some(Command::Serve(args)) => serve(args).await,
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

async fn serve(args: ServeArgs) -> Result<(), String> {
    let ecs: Arc<dyn EcsApi> = if args.aws {
        Arc::new(
            SdkEcs::connect(&AwsSettings {
                region: args.region.clone(),
                profile: args.profile.clone(),
                endpoint_url: args.endpoint_url.clone(),
                operation_timeout: args.aws_timeout,
            })
            .await,
        )
    } else {
        let path = args.state.clone().unwrap_or_else(Sandbox::default_path);
        Arc::new(Sandbox::open(&path, now()).map_err(|e| e.to_string())?)
    };
    let source = ecs.info().label();
    let router = app(AppState { ecs }, &args.static_dir);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%source, "serving");
    eprintln!("Berth is serving {source} at http://{address}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
