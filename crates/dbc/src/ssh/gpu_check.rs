//! The GPU check before Confirm (Linux VMs): what the VM sees
//! (`nvidia-smi --query-gpu=name,memory.total --format=csv,noheader`, one
//! `NVIDIA GeForce RTX 3080, 10240 MiB` line per GPU) against what the chain
//! says was rented (the machine's `gpu_type`, e.g. `GeForceRTX3080`, its
//! `gpu_mem` in GB, and the number of GPUs of the order).
//!
//! Names are compared without `NVIDIA`/`GeForce`, spaces, `-`/`_` and case.
//! Memory is compared within [`MEM_TOLERANCE_PERCENT`]: cards report a bit
//! less than the nominal size (a "10 GB" RTX 3080 says 10018 or 10240 MiB).

use serde::{Deserialize, Serialize};

use super::client::SshSession;
use crate::error::{Error, ErrorCode};

/// The query the VM runs.
pub const NVIDIA_SMI: &str = "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader";
/// How far the reported memory may be from the nominal GB × 1024 MiB.
pub const MEM_TOLERANCE_PERCENT: u64 = 6;
/// Lines of `nvidia-smi` output read (a machine has at most a few dozen GPUs).
const MAX_LINES: usize = 64;

/// What the chain says was rented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct GpuExpected {
    /// The machine's `gpu_type`, as the chain has it.
    pub model: String,
    /// GPUs of the order.
    pub count: u32,
    /// The machine's `gpu_mem`, GB per GPU (`None` when the chain has none).
    #[ts(type = "number | null")]
    pub mem_gb: Option<u64>,
}

/// One GPU as the VM sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct GpuSeen {
    pub name: String,
    #[ts(type = "number")]
    pub mem_mib: u64,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum GpuVerdict {
    /// Model, count and memory as rented.
    Pass,
    /// Something differs: do not confirm. `reason` is English; the fields are in `expected`/`seen`.
    Mismatch { reason: String },
    /// The check could not be made (no SSH, no `nvidia-smi`, no driver):
    /// `code` is an error code (`ssh-unreachable`, `gpu-check-failed`, …).
    Error { code: String, message: String },
}

/// One check, kept with the rental's VM and shown in My rentals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct GpuCheck {
    pub expected: GpuExpected,
    pub seen: Vec<GpuSeen>,
    pub verdict: GpuVerdict,
    /// Unix seconds.
    #[ts(type = "number")]
    pub checked_at: u64,
}

impl GpuCheck {
    pub fn passed(&self) -> bool {
        self.verdict == GpuVerdict::Pass
    }

    /// A check that could not be made, with the error that stopped it.
    pub fn failed(expected: GpuExpected, e: &Error) -> GpuCheck {
        GpuCheck {
            expected,
            seen: Vec::new(),
            verdict: GpuVerdict::Error { code: e.code.as_str().to_string(), message: e.message.clone() },
            checked_at: now(),
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Parse `nvidia-smi`'s CSV lines (`name, 10240 MiB`). A line that does not
/// read so is an error naming it (cleaned: it came from the VM).
pub fn parse_nvidia_smi(out: &str) -> Result<Vec<GpuSeen>, String> {
    let mut gpus = Vec::new();
    for line in out.lines().map(str::trim).filter(|l| !l.is_empty()).take(MAX_LINES) {
        let shown = || crate::text::sanitize(line, 200);
        let (name, mem) = line.rsplit_once(',').ok_or_else(|| format!("unexpected nvidia-smi line {:?}", shown()))?;
        let mem = mem.trim();
        let digits =
            mem.strip_suffix("MiB").map(str::trim).ok_or_else(|| format!("unexpected memory {:?}", shown()))?;
        let mem_mib = digits.parse::<u64>().map_err(|_| format!("unexpected memory {:?}", shown()))?;
        gpus.push(GpuSeen { name: crate::text::sanitize(name.trim(), 128), mem_mib });
    }
    Ok(gpus)
}

/// A GPU model name reduced to what identifies it: `NVIDIA GeForce RTX 3080`
/// and `GeForceRTX3080` are both `rtx3080`.
pub fn normalize_model(name: &str) -> String {
    let s: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let s = s.strip_prefix("nvidia").unwrap_or(&s);
    s.strip_prefix("geforce").unwrap_or(s).to_string()
}

/// Whether `mib` reported is within the tolerance of `gb` nominal.
pub fn memory_matches(gb: u64, mib: u64) -> bool {
    let nominal = gb * 1024;
    let slack = nominal * MEM_TOLERANCE_PERCENT / 100;
    mib + slack >= nominal && mib <= nominal + slack
}

/// Compare; the first difference is the reason.
pub fn judge(expected: &GpuExpected, seen: &[GpuSeen]) -> GpuVerdict {
    let mismatch = |reason: String| GpuVerdict::Mismatch { reason };
    if seen.len() != expected.count as usize {
        return mismatch(format!("{} GPU(s) rented, the VM sees {}", expected.count, seen.len()));
    }
    let want = normalize_model(&expected.model);
    if let Some(g) = seen.iter().find(|g| normalize_model(&g.name) != want) {
        return mismatch(format!("{} rented, the VM sees {}", expected.model, g.name));
    }
    if let Some(gb) = expected.mem_gb {
        if let Some(g) = seen.iter().find(|g| !memory_matches(gb, g.mem_mib)) {
            return mismatch(format!("{gb} GB per GPU rented, the VM's {} has {} MiB", g.name, g.mem_mib));
        }
    }
    GpuVerdict::Pass
}

/// Run the query on an authenticated session and judge it. Never fails:
/// what went wrong is the verdict (`gpu-check-failed` when `nvidia-smi`
/// fails or prints something else), so it can be kept and shown.
pub async fn run(session: &mut SshSession, expected: GpuExpected) -> GpuCheck {
    let out = match session.exec(NVIDIA_SMI, None).await {
        Ok(o) => o,
        Err(e) => return GpuCheck::failed(expected, &e),
    };
    let error = |message: String| GpuVerdict::Error { code: ErrorCode::GpuCheckFailed.as_str().into(), message };
    let (seen, verdict) = if out.exit_status != Some(0) {
        let why = crate::text::sanitize(&out.stderr, 300);
        (Vec::new(), error(format!("nvidia-smi failed (exit status {:?}): {why}", out.exit_status)))
    } else {
        match parse_nvidia_smi(&out.stdout) {
            Ok(seen) => {
                let v = judge(&expected, &seen);
                (seen, v)
            }
            Err(why) => (Vec::new(), error(why)),
        }
    };
    GpuCheck { expected, seen, verdict, checked_at: now() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtx3080(count: u32) -> GpuExpected {
        GpuExpected { model: "GeForceRTX3080".into(), count, mem_gb: Some(10) }
    }

    #[test]
    fn parses_nvidia_smi_lines() {
        let out = "NVIDIA GeForce RTX 3080, 10240 MiB\r\nNVIDIA GeForce RTX 3080, 10018 MiB\n\n";
        let seen = parse_nvidia_smi(out).unwrap();
        assert_eq!(
            seen,
            vec![
                GpuSeen { name: "NVIDIA GeForce RTX 3080".into(), mem_mib: 10240 },
                GpuSeen { name: "NVIDIA GeForce RTX 3080".into(), mem_mib: 10018 },
            ]
        );
        assert_eq!(parse_nvidia_smi("").unwrap(), vec![]);
        for bad in ["No devices were found", "X, 10 GB", "X, lots MiB"] {
            assert!(parse_nvidia_smi(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn judges_model_count_and_memory() {
        let two = parse_nvidia_smi("NVIDIA GeForce RTX 3080, 10240 MiB\nNVIDIA GeForce RTX 3080, 10018 MiB").unwrap();
        assert_eq!(judge(&rtx3080(2), &two), GpuVerdict::Pass);
        assert!(
            matches!(judge(&rtx3080(1), &two), GpuVerdict::Mismatch { reason } if reason.contains("1 GPU(s) rented, the VM sees 2"))
        );
        let ti = parse_nvidia_smi("NVIDIA GeForce RTX 3080 Ti, 12288 MiB").unwrap();
        assert!(matches!(judge(&rtx3080(1), &ti), GpuVerdict::Mismatch { reason } if reason.contains("3080 Ti")));
        let small = parse_nvidia_smi("NVIDIA GeForce RTX 3080, 8192 MiB").unwrap();
        assert!(matches!(judge(&rtx3080(1), &small), GpuVerdict::Mismatch { reason } if reason.contains("8192 MiB")));
        let no_mem = GpuExpected { mem_gb: None, ..rtx3080(1) };
        assert_eq!(judge(&no_mem, &small), GpuVerdict::Pass, "no memory on chain: not compared");
        assert_eq!(normalize_model("NVIDIA GeForce RTX 4090"), normalize_model("GeForceRTX4090"));
        assert_eq!(normalize_model("Tesla-V100_SXM2"), "teslav100sxm2");
        assert!(
            memory_matches(10, 10018)
                && memory_matches(24, 24564)
                && !memory_matches(10, 9000)
                && !memory_matches(10, 12288)
        );
    }

    #[test]
    fn the_stored_shape() {
        let c = GpuCheck {
            expected: rtx3080(1),
            seen: vec![GpuSeen { name: "NVIDIA GeForce RTX 3080".into(), mem_mib: 10240 }],
            verdict: GpuVerdict::Mismatch { reason: "x".into() },
            checked_at: 1,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "expected": {"model": "GeForceRTX3080", "count": 1, "memGb": 10},
                "seen": [{"name": "NVIDIA GeForce RTX 3080", "memMib": 10240}],
                "verdict": {"kind": "mismatch", "reason": "x"},
                "checkedAt": 1,
            })
        );
        assert_eq!(serde_json::from_value::<GpuCheck>(v).unwrap(), c);
        let e = GpuCheck::failed(rtx3080(1), &Error::new(crate::ErrorCode::SshUnreachable, "no"));
        assert_eq!(
            serde_json::to_value(&e.verdict).unwrap(),
            serde_json::json!({"kind": "error", "code": "ssh-unreachable", "message": "no"})
        );
    }
}
