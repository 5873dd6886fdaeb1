//! `nvidia-smi` as a simulated VM shows it: the GPUs of the rented machine
//! (model, memory and count from its chain record), in the real tool's
//! formats (driver 535).

use super::*;

/// The marketing name `nvidia-smi` prints for a chain `gpu_type` (machines
/// report a compact form such as `GeForceRTX3080`).
pub fn marketing_name(gpu_type: &str) -> String {
    const TABLE: &[(&str, &str)] = &[
        ("GeForceRTX4090", "NVIDIA GeForce RTX 4090"),
        ("GeForceRTX4080", "NVIDIA GeForce RTX 4080"),
        ("GeForceRTX4070Ti", "NVIDIA GeForce RTX 4070 Ti"),
        ("GeForceRTX4070", "NVIDIA GeForce RTX 4070"),
        ("GeForceRTX3090Ti", "NVIDIA GeForce RTX 3090 Ti"),
        ("GeForceRTX3090", "NVIDIA GeForce RTX 3090"),
        ("GeForceRTX3080Ti", "NVIDIA GeForce RTX 3080 Ti"),
        ("GeForceRTX3080", "NVIDIA GeForce RTX 3080"),
        ("GeForceRTX3070", "NVIDIA GeForce RTX 3070"),
        ("GeForceRTX3060", "NVIDIA GeForce RTX 3060"),
        ("GeForceRTX2080Ti", "NVIDIA GeForce RTX 2080 Ti"),
        ("NVIDIA A100", "NVIDIA A100-SXM4-80GB"),
        ("NVIDIA RTX A5000", "NVIDIA RTX A5000"),
        ("NVIDIA RTX A6000", "NVIDIA RTX A6000"),
    ];
    let t = gpu_type.trim();
    if let Some((_, name)) = TABLE.iter().find(|(k, _)| k.eq_ignore_ascii_case(t)) {
        return name.to_string();
    }
    if t.is_empty() {
        return "NVIDIA GPU".into();
    }
    // Fallback: split the compact form before digits and after "GeForce"/"RTX"/"GTX"
    // ("GeForceRTX5090" -> "NVIDIA GeForce RTX 5090"), keep an already spaced name.
    let spaced = if t.contains(' ') {
        t.to_string()
    } else {
        let mut s = t.replacen("GeForce", "GeForce ", 1);
        for fam in ["RTX", "GTX"] {
            if let Some(i) = s.find(fam) {
                let end = i + fam.len();
                if s[end..].chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    s.insert(end, ' ');
                }
            }
        }
        s.replace("Ti", " Ti").replace("  ", " ").trim().to_string()
    };
    if spaced.starts_with("NVIDIA") {
        spaced
    } else {
        format!("NVIDIA {spaced}")
    }
}

/// `nvidia-smi` with `args`. Formats follow the real tool (driver 535):
///
/// ```text
/// $ nvidia-smi -L
/// GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-5f2f6c1e-8a7b-2c3d-4e5f-60718293a4b5)
/// $ nvidia-smi --query-gpu=name,memory.total --format=csv
/// name, memory.total [MiB]
/// NVIDIA GeForce RTX 3080, 10240 MiB
/// ```
///
/// and the default table (`Mon Dec  7 12:00:00 2026`, then the boxed
/// header `NVIDIA-SMI 535.129.03  Driver Version: 535.129.03  CUDA Version: 12.2`,
/// three lines per GPU, the "Processes" box with "No running processes found").
pub(super) fn nvidia_smi(gpus: &[Gpu], args: &[String]) -> Run {
    if gpus.is_empty() {
        return Run::fail(
            9,
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
        );
    }
    if args.is_empty() {
        return Run::out(smi_table(gpus, std::time::SystemTime::now()));
    }
    if args.len() == 1 && (args[0] == "-L" || args[0] == "--list-gpus") {
        let mut s = String::new();
        for (i, g) in gpus.iter().enumerate() {
            s.push_str(&format!("GPU {i}: {} (UUID: {})\n", g.name, g.uuid));
        }
        return Run::out(s);
    }
    let mut query = None;
    let mut format = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--query-gpu=") {
            query = Some(v.to_string());
        } else if let Some(v) = a.strip_prefix("--format=") {
            format = Some(v.to_string());
        } else if a == "--query-gpu" {
            query = it.next().cloned();
        } else if a == "--format" {
            format = it.next().cloned();
        } else {
            return Run::fail(2, format!("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n(unsupported here: {a})"));
        }
    }
    let Some(query) = query else {
        return Run::fail(2, "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.");
    };
    let Some(format) = format else {
        return Run::fail(2, "--format is required when using --query-gpu");
    };
    let opts: Vec<&str> = format.split(',').map(str::trim).collect();
    if opts.first() != Some(&"csv") || opts[1..].iter().any(|o| *o != "noheader" && *o != "nounits") {
        return Run::fail(2, format!("\"{format}\" is not a valid format. Valid formats are csv, noheader, nounits"));
    }
    let noheader = opts.contains(&"noheader");
    let nounits = opts.contains(&"nounits");
    let fields: Vec<&str> = query.split(',').map(str::trim).collect();
    for f in &fields {
        if !matches!(
            *f,
            "index" | "name" | "uuid" | "count" | "driver_version" | "memory.total" | "memory.used" | "memory.free"
        ) {
            return Run::fail(2, format!("Field \"{f}\" is not a valid field to query."));
        }
    }
    let mut s = String::new();
    if !noheader {
        let head: Vec<String> = fields
            .iter()
            .map(|f| if f.starts_with("memory.") { format!("{f} [MiB]") } else { f.to_string() })
            .collect();
        s.push_str(&head.join(", "));
        s.push('\n');
    }
    let mib = |v: u64| if nounits { v.to_string() } else { format!("{v} MiB") };
    for (i, g) in gpus.iter().enumerate() {
        let row: Vec<String> = fields
            .iter()
            .map(|f| match *f {
                "index" => i.to_string(),
                "name" => g.name.clone(),
                "uuid" => g.uuid.clone(),
                "count" => gpus.len().to_string(),
                "driver_version" => DRIVER_VERSION.to_string(),
                "memory.total" => mib(g.memory_mib),
                "memory.used" => mib(used_mib(g)),
                _ => mib(g.memory_mib.saturating_sub(used_mib(g))),
            })
            .collect();
        s.push_str(&row.join(", "));
        s.push('\n');
    }
    Run::out(s)
}

/// An idle GPU shows a few MiB in use (the driver's own context).
fn used_mib(g: &Gpu) -> u64 {
    g.memory_mib.min(1)
}

/// The default `nvidia-smi` screen, column for column as driver 535 prints it
/// (89 characters wide; the GPU box's cells are 41, 22 and 22 wide).
pub(super) fn smi_table(gpus: &[Gpu], now: std::time::SystemTime) -> String {
    let rule = || format!("+{}+", "-".repeat(87));
    let cells = |a: &str, b: &str, c: &str| format!("|{a:<41}|{b:<22}|{c:<22}|\n");
    let mut s = format!("{:<30}\n", ctime(now));
    s.push_str(&rule());
    s.push('\n');
    s.push_str(&format!(
        "| {:<86}|\n",
        format!("NVIDIA-SMI {DRIVER_VERSION:<23}Driver Version: {DRIVER_VERSION:<13}CUDA Version: {CUDA_VERSION:<9}")
    ));
    s.push_str("|-----------------------------------------+----------------------+----------------------+\n");
    s.push_str(&cells(" GPU  Name                 Persistence-M", " Bus-Id        Disp.A", " Volatile Uncorr. ECC"));
    s.push_str(&cells(" Fan  Temp   Perf          Pwr:Usage/Cap", "         Memory-Usage", " GPU-Util  Compute M."));
    s.push_str(&cells("", "", "               MIG M."));
    s.push_str("|=========================================+======================+======================|\n");
    for (i, g) in gpus.iter().enumerate() {
        let mut name = g.name.clone();
        if name.len() > 29 {
            name.truncate(26);
            name.push_str("...");
        }
        s.push_str(&cells(
            &format!(" {i:>3}  {name:<29}{:>5} ", "Off"),
            &format!(" 00000000:{:02X}:00.0 Off ", i + 1),
            &format!(" {:>20} ", "N/A"),
        ));
        s.push_str(&cells(
            &format!(" {:<4}{:>5}{:>6}{:>24} ", "30%", "35C", "P8", "20W / 320W"),
            &format!(" {:>20} ", format!("{}MiB / {}MiB", used_mib(g), g.memory_mib)),
            &format!(" {:>7}{:>13} ", "0%", "Default"),
        ));
        s.push_str(&cells("", "", &format!(" {:>20} ", "N/A")));
        s.push_str("+-----------------------------------------+----------------------+----------------------+\n");
    }
    s.push_str(&format!("{:89}\n", ""));
    s.push_str(&rule());
    s.push('\n');
    s.push_str(&format!("| {:<86}|\n", "Processes:"));
    s.push_str(&format!(
        "| {:<86}|\n",
        " GPU   GI   CI        PID   Type   Process name                            GPU Memory"
    ));
    s.push_str(&format!(
        "| {:<86}|\n",
        "       ID   ID                                                             Usage"
    ));
    s.push_str(&format!("|{}|\n", "=".repeat(87)));
    s.push_str(&format!("| {:<86}|\n", " No running processes found"));
    s.push_str(&rule());
    s.push('\n');
    s
}

/// `Mon Dec  7 12:00:00 2026` (UTC).
fn ctime(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let (y, m, d, hh, mm, ss) = civil(secs);
    let days = secs / 86_400;
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{} {} {d:>2} {hh:02}:{mm:02}:{ss:02} {y}", WD[(days % 7) as usize], MO[(m - 1) as usize])
}

/// UTC (year, month, day, hour, minute, second) of a Unix time (Howard Hinnant's days-to-civil).
pub fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, (rem / 3600) as u32, (rem / 60 % 60) as u32, (rem % 60) as u32)
}
