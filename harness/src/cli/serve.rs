//! `dlconform serve`: the mock server with every spec case registered, for QA to reproduce by hand.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use mock_server::{ListenerKind, MockServer, ServerConfig};

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

What QA does with it: open the index page (printed at the top, `GET /`; the same as JSON at
`/scenarios.json`) or pick a line, paste the URL into the app on a device or simulator (for a
device, bind to the LAN address with --bind and install the test CA), and compare what the app
reports with the behaviour column. URLs of the form `/f/<file>?<faults>` can be edited by hand
(see mock-server/README.md for the grammar); `/c/<key>/...` URLs name a registered scenario.
DNS-failure and connection-refused cases need no server: their URLs fail by themselves.

Example:
  dlconform serve --platform douyin --http-port 8080
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
    /// Port of the plain HTTP listener (index page, control API); 0: any free port.
    #[arg(long, default_value_t = 0)]
    pub http_port: u16,
    /// Folder for the test CA certificate (default: a fresh folder under the system temp).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Write JSON here once listening: listeners, CA path, control URL, number of scenarios.
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
            "warning: binding {}: anyone who can reach this address can use the mock server",
            args.bind
        );
    }
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
        println!("test CA: {}", server.ca_cert_path().display());
        println!(
            "index:   {}/  (JSON: /scenarios.json)",
            server.base_url(ListenerKind::Http)
        );
        println!("control: {}", server.control_url());
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
