//! wiremock serving `GET /big.bin`: a body of `--body-mib` MiB, as a wiremock user would mock
//! a large download. Writes its base URL to `--ready-file` and runs until SIGTERM or Ctrl-C.

use std::path::PathBuf;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Options from the command line.
struct Options {
    body_mib: usize,
    ready_file: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut body_mib = 256;
    let mut ready_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--body-mib" => body_mib = value.parse().map_err(|e| format!("--body-mib: {e}"))?,
            "--ready-file" => ready_file = Some(PathBuf::from(value)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Options {
        body_mib,
        ready_file: ready_file.ok_or("--ready-file FILE is required")?,
    })
}

#[tokio::main]
async fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("wiremock-peer: {message}");
            std::process::exit(2);
        }
    };
    // Deterministic, incompressible-looking bytes; wiremock holds a body as a Vec<u8>.
    let body: Vec<u8> = (0..options.body_mib << 20)
        .map(|i: usize| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/big.bin"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/octet-stream"))
        .mount(&server)
        .await;
    if let Err(err) = std::fs::write(&options.ready_file, server.uri()) {
        eprintln!("wiremock-peer: {}: {err}", options.ready_file.display());
        std::process::exit(2);
    }
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(err) => {
            eprintln!("wiremock-peer: cannot listen for SIGTERM: {err}");
            std::process::exit(2);
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
