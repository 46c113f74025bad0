//! `dlconform`: thin binary over the library.

fn main() {
    eprintln!("dlconform: not built yet");
    std::process::exit(2);
}
