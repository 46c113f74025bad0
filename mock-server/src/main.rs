//! `mock-server`: start every listener and print the scenario table.

fn main() {
    eprintln!("mock-server: not built yet");
    std::process::exit(2);
}
