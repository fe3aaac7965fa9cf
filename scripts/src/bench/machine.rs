//! What the numbers were measured on: the machine, the toolchain and the commit.

use serde_json::{Value, json};
use std::process::Command;

#[derive(Clone, Debug)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub kernel: String,
    pub memory_gib: Option<f64>,
    pub rustc: String,
    pub commit: String,
    pub date_utc: String,
}

impl Machine {
    pub fn probe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            memory_gib: mem_total_gib(&meminfo),
            rustc: command_line("rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
            commit: commit(),
            date_utc: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
                .unwrap_or_else(|| "unknown".into()),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "cpus": self.cpus,
            "cpu_model": self.cpu_model,
            "kernel": self.kernel,
            "memory_gib": self.memory_gib,
            "rustc": self.rustc,
            "commit": self.commit,
            "date_utc": self.date_utc,
        })
    }

    /// One line for the table's caption.
    pub fn describe(&self) -> String {
        let mem = self
            .memory_gib
            .map(|g| format!(", {g:.0} GiB RAM"))
            .unwrap_or_default();
        format!(
            "{} × {}{mem}, Linux {}, {}, commit {}, {}",
            self.cpus, self.cpu_model, self.kernel, self.rustc, self.commit, self.date_utc
        )
    }
}

/// The first `model name` of /proc/cpuinfo.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn mem_total_gib(meminfo: &str) -> Option<f64> {
    let kib: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / (1024.0 * 1024.0))
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The short commit hash, with `+dirty` when the working tree has changes.
fn commit() -> String {
    let root = raft_lab_scripts::workspace::root();
    let root = root.to_string_lossy();
    let Some(hash) = command_line("git", &["-C", &root, "rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    let dirty = command_line(
        "git",
        &["-C", &root, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_some_and(|s| !s.is_empty());
    if dirty { format!("{hash}+dirty") } else { hash }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_model_and_memory_are_read() {
        let info = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n";
        assert_eq!(cpu_model(info).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model(""), None);
        let gib = mem_total_gib("MemTotal:       24683520 kB\n").unwrap();
        assert!((gib - 23.54).abs() < 0.01);
    }
}
