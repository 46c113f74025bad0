//! `mock-server`: start every listener, print where they are, serve until Ctrl-C.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use mock_server::control::examples::EXAMPLES;
use mock_server::respond::serve::listener_name;
use mock_server::{ListenerKind, MockServer, ServerConfig};

/// Fault-injecting HTTP/HTTPS mock server for mini-program file transfer conformance tests.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to bind every listener to (loopback unless you mean it).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port of the plain HTTP listener (0: any free port); the others take free ports.
    #[arg(long, default_value_t = 0)]
    http_port: u16,
    /// Folder for the test CA certificate (default: a fresh temporary folder).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Write listener URLs as JSON here once listening.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Request records kept per key.
    #[arg(long, default_value_t = 1000)]
    journal_limit: usize,
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
    let config = ServerConfig {
        bind: args.bind,
        http_port: args.http_port,
        state_dir,
        journal_limit: args.journal_limit,
    };
    let server = MockServer::start(config)
        .await
        .context("starting the mock server")?;

    println!("{:<16} base URL", "listener");
    for l in ListenerKind::ALL {
        println!("{:<16} {}", listener_name(l), server.base_url(l));
    }
    println!("{:<16} {}", "control", server.control_url());
    println!("test CA: {}", server.ca_cert_path().display());
    println!("index:   {}/", server.base_url(ListenerKind::Http));
    println!("\nURL grammar examples (faults combine with &):");
    let base = server.base_url(ListenerKind::Http);
    for e in EXAMPLES {
        println!("  {:<22} {base}{}", e.fault, e.path);
    }

    if let Some(path) = &args.ready_file {
        let listeners: serde_json::Map<String, serde_json::Value> = ListenerKind::ALL
            .iter()
            .map(|l| (listener_name(*l).to_string(), server.base_url(*l).into()))
            .collect();
        let doc = serde_json::json!({
            "listeners": listeners,
            "ca_cert": server.ca_cert_path().display().to_string(),
            "control": server.control_url(),
            "refused_port": server.refused_port(),
        });
        // Written whole to a temporary name first so readers never see half a file.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&doc)?).context("writing the ready file")?;
        std::fs::rename(&tmp, path).context("writing the ready file")?;
    }

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("stopping");
    server.shutdown().await;
    Ok(())
}
