//! The `acdsim` binary: all logic lives in the library; see `acdsim::cli`.

fn main() -> std::process::ExitCode {
    acdsim::cli::main()
}
