//! `mock-server`: start every listener, print where they are, serve until Ctrl-C or SIGTERM.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use mock_server::control::examples::EXAMPLES;
use mock_server::net::ports;
use mock_server::respond::serve::listener_name;
use mock_server::{DeviceConfig, ListenerKind, MockServer, ServerConfig};

/// Fault-injecting HTTP/HTTPS mock server for mini-program file transfer conformance tests.
#[derive(Parser, Debug)]
#[command(
    version,
    about,
    after_help = "For a phone on the LAN (the CA persists in the state folder; install it once from /ca):\n  \
                  mock-server --bind 0.0.0.0 --advertise 192.168.1.20 --port-base 18000 --state-dir ~/.dlconform"
)]
struct Args {
    /// Address to bind every listener to (loopback unless you mean it).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Host name or address a device uses to reach this server (in URLs and the valid certificate).
    #[arg(long, value_name = "HOST")]
    advertise: Option<String>,
    /// Fixed ports: http at N, https at N+1, then self-signed, expired, not-yet-valid, wrong-host,
    /// untrusted-ca, and the connection-refused port at N+7.
    #[arg(long, value_name = "N")]
    port_base: Option<u16>,
    /// A fixed port for one listener, e.g. `--port https=8443` (repeatable; wins over --port-base).
    #[arg(long = "port", value_name = "LISTENER=PORT", value_parser = ports::parse_listener_port)]
    ports: Vec<(ListenerKind, u16)>,
    /// Port of the plain HTTP listener (0: any free port); the others take free ports.
    #[arg(long, default_value_t = 0, conflicts_with = "port_base")]
    http_port: u16,
    /// Folder for the test CA and its key, reused on the next start (default: a fresh temporary folder).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Write listener URLs as JSON here once listening.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Request records kept per key.
    #[arg(long, default_value_t = 1000)]
    journal_limit: usize,
    /// Largest generated body served, with the URL grammar's units (`64g`, `500m`); a scenario
    /// asking for more gets a 400 saying so.
    #[arg(long, default_value = "64g", value_parser = parse_max_body)]
    max_body: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let state_dir = match args.state_dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("dlconform-mock-{}", std::process::id())),
    };
    if args.bind.is_unspecified() && args.advertise.is_none() {
        tracing::warn!(bind = %args.bind, "no --advertise: URLs name 127.0.0.1, which a device cannot reach");
    }
    let (fixed, refused_port) =
        ports::fixed(args.port_base, &args.ports).map_err(anyhow::Error::msg)?;
    let config = ServerConfig {
        bind: args.bind,
        http_port: args.http_port,
        state_dir,
        journal_limit: args.journal_limit,
        device: DeviceConfig {
            advertise: args.advertise,
            ports: fixed,
            refused_port,
            control_token: None,
        },
        max_body_bytes: args.max_body,
        max_case_origins: mock_server::net::origins::DEFAULT_MAX_OPEN,
    };
    let server = MockServer::start(config)
        .await
        .context("starting the mock server")?;

    println!("{:<16} base URL", "listener");
    for l in ListenerKind::ALL {
        println!("{:<16} {}", listener_name(l), server.base_url(l));
    }
    println!("{:<16} {}", "control", server.control_url());
    if let Some(token) = server.control_token() {
        println!("control token: {token}  (send `Authorization: Bearer {token}`)");
    }
    let base = server.base_url(ListenerKind::Http);
    println!(
        "test CA: {} (SHA-256 {})",
        server.ca_cert_path().display(),
        server.ca_fingerprint()
    );
    println!("install: {base}/ca  (download: {base}/ca.crt, {base}/ca.pem)");
    println!("index:   {base}/");
    println!("\nURL grammar examples (faults combine with &):");
    for e in EXAMPLES {
        println!("  {:<22} {base}{}", e.fault, e.path);
    }

    if let Some(path) = &args.ready_file {
        // Written whole to a temporary name first so readers never see half a file.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&server.ready_document())?)
            .context("writing the ready file")?;
        std::fs::rename(&tmp, path).context("writing the ready file")?;
    }

    let signal = stop_signal()
        .await
        .context("waiting for Ctrl-C or SIGTERM")?;
    eprintln!("{signal}: stopping");
    // Open connections are dropped, not drained: stopping must not wait for a body that
    // streams for hours.
    server.shutdown().await;
    Ok(())
}

/// Wait for Ctrl-C (SIGINT) or SIGTERM (a supervisor stopping the server); its name.
async fn stop_signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    })
}

fn parse_max_body(text: &str) -> Result<u64, String> {
    mock_server::routing::url_grammar::parse_size("max-body", text).map_err(|e| e.to_string())
}
