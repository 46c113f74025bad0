//! `dlconform`: thin binary over the library.

use clap::Parser;
use dlconform::cli::{Cli, dispatch, exit};

fn main() {
    let cli = Cli::parse();
    let code = match dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dlconform: {err:#}");
            exit::CANNOT_RUN
        }
    };
    std::process::exit(code);
}
