//! `dlconform serve`: the mock server with every spec case registered, for QA to reproduce by hand.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use mock_server::{DeviceConfig, ListenerKind, MockServer, ServerConfig};

use super::exit;
use crate::runner::plan::{Selection, expand};
use crate::runner::specs;
use crate::serve::{self, print, ready, rows};
use crate::spec::model::Platform;

/// Long help of `dlconform serve`.
pub const LONG_ABOUT: &str = "\
Start the mock server with every spec case's scenario on it, and print one line per case:
platform, case id, what the platform should do (`fail <errno>`, `success <statusCode>`),
the URL that reproduces it, and the curl command that shows it on the wire.

What QA does with it: open the index page (printed at the end, `GET /`; the same as JSON at
`/scenarios.json`), the QA console: per scenario the errno and errMsg to expect, the JS call to
copy (`tt.downloadFile({...})`), the step to take on the device, a QR code of the URL and a live
view of what the server saw. Compare what the app reports with the behaviour column.

On a phone: bind beyond loopback (--bind 0.0.0.0), name the address the phone uses
(--advertise: it goes into every URL and into the valid certificate), fix the ports
(--port-base) and keep the state folder (--state-dir: the test CA and its key are reused, so the
phone installs the CA once, from `/ca` on the index's listener). Bound beyond 127.0.0.1 the
control API needs the token printed at start; scenario URLs stay open.

URLs of the form `/f/<file>?<faults>` can be edited by hand (see mock-server/README.md for the
grammar); `/c/<key>/...` URLs name a registered scenario. DNS-failure and connection-refused
cases need no server: their URLs fail by themselves.

Examples:
  dlconform serve --platform douyin --http-port 8080
  dlconform serve --platform wechat --bind 0.0.0.0 --advertise 192.168.1.20 \\
       --port-base 18000 --state-dir ~/.dlconform-serve
      (on the phone: open http://192.168.1.20:18000/ca, install the CA, then http://192.168.1.20:18000/)
  curl -sS --cacert <state-dir>/ca.pem -o /dev/null -w '%{http_code}\\n' \\
       'https://127.0.0.1:<port>/f/404.bin?status=404'

Stops on Ctrl-C or SIGTERM.";

/// Arguments of `dlconform serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Spec files or folders of `*.yaml` specs.
    #[arg(long, num_args = 1.., default_value = "specs")]
    pub specs: Vec<PathBuf>,
    /// Only these platforms (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Address every listener binds to; anything but loopback exposes the server to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Host name or address a device uses to reach this server (default: the bind address); it
    /// goes into every URL, the index page, the ready file and the valid certificate.
    #[arg(long, value_name = "HOST")]
    pub advertise: Option<String>,
    /// Fixed ports: http at N, https at N+1, then self-signed, expired, not-yet-valid,
    /// wrong-host, untrusted-ca, and the connection-refused port at N+7.
    #[arg(long, value_name = "N")]
    pub port_base: Option<u16>,
    /// A fixed port for one listener, e.g. `--port https=8443` (repeatable; wins over --port-base).
    #[arg(long = "port", value_name = "LISTENER=PORT", value_parser = mock_server::net::ports::parse_listener_port)]
    pub ports: Vec<(ListenerKind, u16)>,
    /// Port of the plain HTTP listener (index page, control API); 0: any free port.
    #[arg(long, default_value_t = 0, conflicts_with = "port_base")]
    pub http_port: u16,
    /// Folder for the test CA and its key, reused on the next start so a device installs the CA
    /// once (default: a fresh folder under the system temp).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Write JSON here once listening: listeners, CA (path, URLs, fingerprint), control URL and
    /// token, index URL, number of scenarios.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
}

/// Run `dlconform serve` until Ctrl-C or SIGTERM; returns the exit code.
pub fn run(args: ServeArgs) -> anyhow::Result<i32> {
    let mut platforms = Vec::new();
    for name in &args.platform {
        match Platform::from_name(name.trim()) {
            Some(p) => platforms.push(p),
            None => {
                let known: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                eprintln!(
                    "dlconform serve: unknown platform '{name}'; known: {}",
                    known.join(", ")
                );
                return Ok(exit::CANNOT_RUN);
            }
        }
    }
    // Lint problems do not stop QA from reproducing what parses.
    let specs = match specs::load(&args.specs, false) {
        Ok(specs) => specs,
        Err(err) => {
            eprintln!("dlconform serve: cannot load specs:\n{err}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let specs: Vec<Arc<specs::SpecFile>> = specs.into_iter().map(Arc::new).collect();
    let selection = Selection {
        platforms,
        ..Selection::default()
    };
    let cases = selection.apply(expand(&specs))?;
    if cases.is_empty() {
        eprintln!("dlconform serve: no case matches the selection");
        return Ok(exit::CANNOT_RUN);
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: binding {}: anyone who can reach this address can reach the scenarios (the control API needs the token)",
            args.bind
        );
    }
    if args.bind.is_unspecified() && args.advertise.is_none() {
        eprintln!(
            "warning: bound to {} without --advertise: URLs name 127.0.0.1, which a device cannot reach",
            args.bind
        );
    }
    if args.advertise.is_some() && args.state_dir.is_none() {
        eprintln!(
            "note: no --state-dir: the test CA is made afresh in a temporary folder; pass --state-dir to keep it, so a device installs it once"
        );
    }
    let (fixed, refused_port) = match mock_server::net::ports::fixed(args.port_base, &args.ports) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("dlconform serve: {e}");
            return Ok(exit::CANNOT_RUN);
        }
    };
    let state_dir = args.state_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("dlconform-serve-{}", std::process::id()))
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async move {
        let config = ServerConfig {
            bind: args.bind,
            http_port: args.http_port,
            device: DeviceConfig {
                advertise: args.advertise.clone(),
                ports: fixed,
                refused_port,
                control_token: None,
            },
            ..ServerConfig::new(state_dir)
        };
        let server = MockServer::start(config)
            .await
            .context("starting the mock server")?;
        let rows = serve::build(&server, &cases);
        server.set_index_rows(rows::index_rows(&rows));

        let mut stdout = std::io::stdout().lock();
        print::table(&rows, &mut stdout)?;
        drop(stdout);
        println!();
        let base = server.base_url(ListenerKind::Http);
        println!(
            "test CA: {} (SHA-256 {})",
            server.ca_cert_path().display(),
            server.ca_fingerprint()
        );
        println!("install: {base}/ca  (download: {base}/ca.crt, {base}/ca.pem)");
        println!("index:   {base}/  (JSON: /scenarios.json)");
        println!("control: {}", server.control_url());
        if let Some(token) = server.control_token() {
            println!("control token: {token}  (send `Authorization: Bearer {token}`)");
        }
        println!("{} scenarios; Ctrl-C to stop", rows.len());

        if let Some(path) = &args.ready_file {
            ready::write(path, &ready::document(&server, &rows))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        stop_signal().await?;
        eprintln!("stopping");
        server.shutdown().await;
        if let Some(path) = &args.ready_file {
            let _ = std::fs::remove_file(path);
        }
        Ok::<_, anyhow::Error>(())
    });
    // Background digests of large registered bodies must not hold the process open.
    runtime.shutdown_timeout(Duration::from_millis(200));
    served?;
    Ok(exit::OK)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")
    }
}
