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
            // Each cause once (an error that prints its source is not followed by it again),
            // control characters escaped (paths and names may come from scanned content).
            let mut msg = String::new();
            for cause in err.chain().map(ToString::to_string) {
                if !msg.contains(&cause) {
                    if !msg.is_empty() {
                        msg.push_str(": ");
                    }
                    msg.push_str(&cause);
                }
            }
            eprintln!("leakless: error: {}", leakless::report::escape(&msg));
            ExitCode::from(leakless::cli::EXIT_ERROR)
        }
    }
}
