//! Parse spec files and print one line each: a quick check while writing specs.

fn main() {
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        match dlconform::spec::load_spec_file(std::path::Path::new(&arg)) {
            Ok(spec) => println!(
                "{arg}: ok: platform {}, {} apis, {} cases",
                spec.platform,
                spec.apis.len(),
                spec.cases.len()
            ),
            Err(err) => {
                failed = true;
                println!("{err}");
            }
        }
    }
    std::process::exit(i32::from(failed) * 2);
}
