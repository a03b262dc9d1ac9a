//! The `acdsim` binary: [`cli`] parses the arguments, calls the library (`acdsim`) and maps the
//! outcome to an exit code and output files.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
