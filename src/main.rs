//! The `leakless` binary: parse, run, map the result to an exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = leakless::cli::Args::parse();
    match leakless::cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`leakless scan | head`) is not an error.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let msg: Vec<String> = err.chain().map(ToString::to_string).collect();
            eprintln!("leakless: error: {}", msg.join(": "));
            ExitCode::from(leakless::cli::EXIT_ERROR)
        }
    }
}
