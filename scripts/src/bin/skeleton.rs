//! `skeleton DIR [--verify-only]`
//!
//! Writes the student skeleton of this checkout into DIR (a new or empty directory): the whole
//! workspace with the reference Raft and KV crates replaced by stubs that fail with
//! "not implemented: … (Lab …)", and the student README at the top. Then checks that no function
//! body of the reference crates appears in it. `--verify-only` only checks an existing DIR.
//! Exits 1 if the check finds a reference body, 2 on bad arguments or I/O errors.

use clap::Parser;
use raft_lab_scripts::skeleton;
use raft_lab_scripts::{EXIT_USAGE, workspace};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "skeleton",
    about = "Write the student skeleton: this workspace with stubs in place of the reference crates"
)]
struct Args {
    /// Where to write it (created if missing; must be empty).
    dir: PathBuf,
    /// Only check that DIR holds no reference function body.
    #[arg(long)]
    verify_only: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let root = workspace::root();
    let fail = |msg: String| {
        eprintln!("skeleton: {msg}");
        ExitCode::from(EXIT_USAGE as u8)
    };
    // The wrapper runs us from the workspace root; a relative DIR means the user's directory.
    let dir = match std::env::var_os("RAFT_LAB_CWD") {
        Some(cwd) => PathBuf::from(cwd).join(&args.dir),
        None => match std::path::absolute(&args.dir) {
            Ok(d) => d,
            Err(e) => return fail(format!("{}: {e}", args.dir.display())),
        },
    };
    if !args.verify_only {
        match skeleton::write(&root, &dir) {
            Ok(w) => println!(
                "skeleton: wrote {} files ({} KiB) to {}",
                w.files,
                w.bytes / 1024,
                dir.display()
            ),
            Err(e) => return fail(e),
        }
    }
    match skeleton::verify(&root, &dir) {
        Err(e) => fail(e),
        Ok(leaks) if leaks.is_empty() => {
            println!(
                "skeleton: no function body of the reference crates ({}) appears in it",
                skeleton::REFERENCE_CRATES.join(", ")
            );
            if !args.verify_only {
                println!(
                    "skeleton: next: cd {} && cargo test --test raft_2a (see its README.md)",
                    dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Ok(leaks) => {
            for leak in &leaks {
                eprintln!(
                    "skeleton: {} holds the body of {} from {}",
                    leak.file.display(),
                    leak.function,
                    leak.from.display()
                );
            }
            eprintln!("skeleton: {} reference bodies found", leaks.len());
            ExitCode::FAILURE
        }
    }
}
