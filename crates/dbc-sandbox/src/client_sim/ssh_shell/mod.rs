//! The command interpreter behind a simulated Linux VM's SSH server
//! ([`super::ssh`]): a tiny, pure `sh` that runs the few commands the app
//! and the tests send, against the VM's home folder on the host.
//!
//! What it accepts (anything else is `<name>: command not found`, exit 127):
//!
//! - a line of simple commands joined by `&&`, `||` and `;` (`sh` semantics:
//!   `a && b` runs `b` only when `a` exits 0, `a || b` only when it does not);
//! - words: plain, `'single quoted'` (literal) or `"double quoted"` (literal
//!   except `\"` and `\\`; no `$` expansion); a leading `~` or `~/` and the
//!   word `$HOME` / prefix `$HOME/` become `/home/dbc`;
//! - one output redirection per command, `> file` or `>> file` (also
//!   written `>file`, `>>file`); `2>/dev/null` and `> /dev/null` discard;
//! - paths: relative to the home (`/home/dbc`, the folder `home/` of the VM
//!   folder), `~/…` or `/home/dbc/…`. Any `..` component, and any other
//!   absolute path, is refused with `Permission denied` (exit 1);
//! - commands: `true`, `false`, `:`, `echo [-n] …`, `mkdir [-p] [-m MODE] DIR…`,
//!   `chmod MODE FILE…` (checks that the files exist, changes nothing),
//!   `cat [FILE…]` (no file: its stdin, which an exec channel fills until the
//!   client's EOF; an interactive shell gives it none), `uname [-a|-s|-n|-r|-v|-m|-o]`,
//!   `hostname`, `whoami`, `id`, `pwd`, `nvidia-smi` (the table, `-L`,
//!   `--query-gpu=FIELDS --format=csv[,noheader][,nounits]`), `exit [N]`, `logout`.
//!
//! So the client's key install works in both forms:
//! `mkdir -p ~/.ssh && chmod 700 ~/.ssh && echo 'ssh-ed25519 AAAA… c' >> ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys`
//! and `mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys` with the key on stdin.

mod nvidia;
use nvidia::nvidia_smi;
#[cfg(test)]
use nvidia::smi_table;
pub use nvidia::{civil, marketing_name};

use std::io::Write;
use std::path::{Path, PathBuf};

/// The user's home inside the VM.
pub const HOME: &str = "/home/dbc";
/// The kernel `uname -r` shows (Ubuntu 22.04's GA kernel).
const KERNEL: &str = "5.15.0-91-generic";
const KERNEL_VERSION: &str = "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023";
/// Driver and CUDA version `nvidia-smi` reports (the 535 production branch).
pub const DRIVER_VERSION: &str = "535.129.03";
pub const CUDA_VERSION: &str = "12.2";

/// One GPU as `nvidia-smi` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gpu {
    /// Marketing name, e.g. `NVIDIA GeForce RTX 3080`.
    pub name: String,
    pub memory_mib: u64,
    /// `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, stable per VM and index.
    pub uuid: String,
}

/// What the interpreter knows about the VM.
#[derive(Debug, Clone)]
pub struct Machine {
    pub hostname: String,
    pub gpus: Vec<Gpu>,
}

/// What one line produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Exit status of the last command run.
    pub status: u32,
    /// `exit`/`logout` ran: the session ends with `status`.
    pub exit: bool,
}

/// The interpreter: a home folder and a machine.
pub struct Shell<'a> {
    /// The host folder that is `/home/dbc` in the VM.
    pub home: &'a Path,
    pub machine: &'a Machine,
}

// ----- tokenizer and parser -----

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    And,
    Or,
    Semi,
    Out { append: bool, fd: u8 },
}

fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut i = 0;
    let flush = |cur: &mut String, in_word: &mut bool, toks: &mut Vec<Tok>| {
        if *in_word {
            toks.push(Tok::Word(std::mem::take(cur)));
            *in_word = false;
        }
    };
    // A word boundary (for an unquoted `~`): end of line, blank, operator or `/`.
    let boundary = |j: usize| chars.get(j).is_none_or(|c| " \t\r\n;&|>/".contains(*c));
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        i += 1;
        match c {
            ' ' | '\t' | '\r' | '\n' => flush(&mut cur, &mut in_word, &mut toks),
            '\'' => {
                in_word = true;
                loop {
                    match chars.get(i) {
                        Some('\'') => break,
                        Some(ch) => cur.push(*ch),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.get(i) {
                        Some('"') => break,
                        Some('\\') if matches!(chars.get(i + 1), Some('"') | Some('\\')) => {
                            cur.push(chars[i + 1]);
                            i += 1;
                        }
                        Some(ch) => cur.push(*ch),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                    i += 1;
                }
                i += 1;
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = next {
                    cur.push(ch);
                    i += 1;
                }
            }
            '~' if !in_word && boundary(i) => {
                in_word = true;
                cur.push_str(HOME);
            }
            '$' if chars[i..].starts_with(&['H', 'O', 'M', 'E']) && boundary(i + 4) => {
                in_word = true;
                cur.push_str(HOME);
                i += 4;
            }
            '&' if next == Some('&') => {
                i += 1;
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::And);
            }
            '|' if next == Some('|') => {
                i += 1;
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::Or);
            }
            ';' => {
                flush(&mut cur, &mut in_word, &mut toks);
                toks.push(Tok::Semi);
            }
            '>' => {
                // `2>` when the word so far is exactly an unquoted "2".
                let fd = if in_word && cur == "2" {
                    cur.clear();
                    in_word = false;
                    2
                } else {
                    flush(&mut cur, &mut in_word, &mut toks);
                    1
                };
                let append = next == Some('>');
                if append {
                    i += 1;
                }
                toks.push(Tok::Out { append, fd });
            }
            '|' | '&' | '<' | '(' | ')' | '`' | '$' => {
                return Err(format!("syntax error near unexpected token `{c}'"));
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    flush(&mut cur, &mut in_word, &mut toks);
    Ok(toks)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Always,
    IfOk,
    IfFailed,
}

#[derive(Debug, Default, Clone)]
struct Simple {
    argv: Vec<String>,
    /// `> file` / `>> file` (stdout).
    out: Option<(String, bool)>,
    /// `2>` anything: stderr discarded only for `/dev/null`.
    err_null: bool,
}

fn parse(line: &str) -> Result<Vec<(Join, Simple)>, String> {
    let mut list = Vec::new();
    let mut join = Join::Always;
    let mut cur = Simple::default();
    let mut toks = tokenize(line)?.into_iter().peekable();
    let end = |cur: &mut Simple, join: Join, list: &mut Vec<(Join, Simple)>, tok: &str| -> Result<(), String> {
        if cur.argv.is_empty() {
            return Err(format!("syntax error near unexpected token `{tok}'"));
        }
        list.push((join, std::mem::take(cur)));
        Ok(())
    };
    while let Some(t) = toks.next() {
        match t {
            Tok::Word(w) => cur.argv.push(w),
            Tok::Out { append, fd } => {
                let Some(Tok::Word(target)) = toks.next() else {
                    return Err("syntax error near unexpected token `newline'".into());
                };
                if fd == 2 {
                    if target != "/dev/null" {
                        return Err("only 2>/dev/null is supported".into());
                    }
                    cur.err_null = true;
                } else {
                    cur.out = Some((target, append));
                }
            }
            Tok::And => {
                end(&mut cur, join, &mut list, "&&")?;
                join = Join::IfOk;
            }
            Tok::Or => {
                end(&mut cur, join, &mut list, "||")?;
                join = Join::IfFailed;
            }
            Tok::Semi => {
                end(&mut cur, join, &mut list, ";")?;
                join = Join::Always;
            }
        }
    }
    if !cur.argv.is_empty() {
        list.push((join, cur));
    } else if join != Join::Always {
        return Err("syntax error: unexpected end of file".into());
    }
    Ok(list)
}

/// True when the line runs `cat` without a file (or with `-`), i.e. reads
/// stdin: an exec channel then collects the client's data until EOF before
/// running it.
pub fn reads_stdin(line: &str) -> bool {
    let cat_stdin = |s: &Simple| {
        let ops = operands(&s.argv[1..]);
        s.argv[0] == "cat" && (ops.is_empty() || ops.iter().any(|o| o.as_str() == "-"))
    };
    parse(line).map(|l| l.iter().any(|(_, s)| cat_stdin(s))).unwrap_or(false)
}

fn operands(args: &[String]) -> Vec<&String> {
    args.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect()
}

// ----- running -----

struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: u32,
    exit: bool,
}

impl Run {
    fn ok() -> Self {
        Run { stdout: Vec::new(), stderr: Vec::new(), status: 0, exit: false }
    }
    fn out(s: impl Into<Vec<u8>>) -> Self {
        Run { stdout: s.into(), ..Run::ok() }
    }
    fn fail(status: u32, err: impl AsRef<str>) -> Self {
        Run { stderr: format!("{}\n", err.as_ref()).into_bytes(), status, ..Run::ok() }
    }
}

impl Shell<'_> {
    /// Run one line with `stdin` (what `cat` without a file reads).
    pub fn run(&self, line: &str, stdin: &[u8]) -> Output {
        let mut o = Output::default();
        let list = match parse(line) {
            Ok(l) => l,
            Err(e) => {
                o.stderr = format!("sh: 1: {e}\n").into_bytes();
                o.status = 2;
                return o;
            }
        };
        for (join, cmd) in list {
            let go = match join {
                Join::Always => true,
                Join::IfOk => o.status == 0,
                Join::IfFailed => o.status != 0,
            };
            if !go {
                continue;
            }
            let mut r = self.simple(&cmd.argv, stdin);
            if let Some((target, append)) = &cmd.out {
                if let Err(e) = self.write_to(target, *append, &r.stdout) {
                    r = Run::fail(1, format!("sh: 1: cannot create {target}: {e}"));
                } else {
                    r.stdout.clear();
                }
            }
            if !cmd.err_null {
                o.stderr.extend_from_slice(&r.stderr);
            }
            o.stdout.extend_from_slice(&r.stdout);
            o.status = r.status;
            if r.exit {
                o.exit = true;
                break;
            }
        }
        o
    }

    /// The host path of a VM path, or why it is refused.
    pub fn resolve(&self, vm_path: &str) -> Result<PathBuf, &'static str> {
        let rel = if vm_path == HOME {
            ""
        } else if let Some(r) = vm_path.strip_prefix(&format!("{HOME}/")) {
            r
        } else if vm_path.starts_with('/') {
            return Err("Permission denied");
        } else {
            vm_path
        };
        let mut p = self.home.to_path_buf();
        for part in rel.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err("Permission denied"),
                x => p.push(x),
            }
        }
        Ok(p)
    }

    fn write_to(&self, target: &str, append: bool, bytes: &[u8]) -> Result<(), String> {
        if target == "/dev/null" {
            return Ok(());
        }
        let p = self.resolve(target).map_err(str::to_string)?;
        if p.is_dir() {
            return Err("Is a directory".into());
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append)
            .open(&p)
            .map_err(|e| io_text(&e))?;
        f.write_all(bytes).map_err(|e| io_text(&e))
    }

    fn simple(&self, argv: &[String], stdin: &[u8]) -> Run {
        let args = &argv[1..];
        match argv[0].as_str() {
            "true" | ":" => Run::ok(),
            "false" => Run { status: 1, ..Run::ok() },
            "echo" => {
                let (nl, words) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let mut s = words.join(" ");
                if nl {
                    s.push('\n');
                }
                Run::out(s)
            }
            "pwd" => Run::out(format!("{HOME}\n")),
            "whoami" => Run::out("dbc\n"),
            "id" => Run::out("uid=1000(dbc) gid=1000(dbc) groups=1000(dbc),27(sudo)\n"),
            "hostname" => Run::out(format!("{}\n", self.machine.hostname)),
            "uname" => self.uname(args),
            "mkdir" => self.mkdir(args),
            "chmod" => self.chmod(args),
            "cat" => self.cat(args, stdin),
            "nvidia-smi" => nvidia_smi(&self.machine.gpus, args),
            "exit" | "logout" => {
                let status = args.first().and_then(|a| a.parse::<u32>().ok()).unwrap_or(0) & 0xff;
                Run { status, exit: true, ..Run::ok() }
            }
            name => Run::fail(127, format!("{name}: command not found")),
        }
    }

    fn uname(&self, args: &[String]) -> Run {
        let h = &self.machine.hostname;
        let all = format!("Linux {h} {KERNEL} {KERNEL_VERSION} x86_64 x86_64 x86_64 GNU/Linux");
        let mut parts = Vec::new();
        if args.is_empty() {
            parts.push("Linux".to_string());
        }
        for a in args {
            match a.as_str() {
                "-a" | "--all" => return Run::out(format!("{all}\n")),
                "-s" => parts.push("Linux".into()),
                "-n" => parts.push(h.clone()),
                "-r" => parts.push(KERNEL.into()),
                "-v" => parts.push(KERNEL_VERSION.into()),
                "-m" | "-p" | "-i" => parts.push("x86_64".into()),
                "-o" => parts.push("GNU/Linux".into()),
                other => {
                    return Run::fail(1, format!("uname: invalid option -- '{}'", other.trim_start_matches('-')));
                }
            }
        }
        Run::out(format!("{}\n", parts.join(" ")))
    }

    fn mkdir(&self, args: &[String]) -> Run {
        let mut parents = false;
        let mut dirs = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-p" | "--parents" => parents = true,
                "-m" => {
                    it.next();
                }
                x if x.starts_with("-m") || x.starts_with("--mode=") => {}
                x => dirs.push(x),
            }
        }
        if dirs.is_empty() {
            return Run::fail(1, "mkdir: missing operand");
        }
        let mut r = Run::ok();
        for d in dirs {
            let p = match self.resolve(d) {
                Ok(p) => p,
                Err(e) => {
                    r = append_err(r, 1, format!("mkdir: cannot create directory '{d}': {e}"));
                    continue;
                }
            };
            let res = if parents { std::fs::create_dir_all(&p) } else { std::fs::create_dir(&p) };
            if let Err(e) = res {
                let why =
                    if e.kind() == std::io::ErrorKind::AlreadyExists { "File exists".into() } else { io_text(&e) };
                r = append_err(r, 1, format!("mkdir: cannot create directory '{d}': {why}"));
            }
        }
        r
    }

    fn chmod(&self, args: &[String]) -> Run {
        let ops = operands(args);
        if ops.len() < 2 {
            return Run::fail(1, "chmod: missing operand");
        }
        let mut r = Run::ok();
        for f in &ops[1..] {
            match self.resolve(f) {
                Ok(p) if p.exists() => {}
                Ok(_) => r = append_err(r, 1, format!("chmod: cannot access '{f}': No such file or directory")),
                Err(e) => r = append_err(r, 1, format!("chmod: changing permissions of '{f}': {e}")),
            }
        }
        r
    }

    fn cat(&self, args: &[String], stdin: &[u8]) -> Run {
        let files = operands(args);
        if files.is_empty() {
            return Run::out(stdin.to_vec());
        }
        let mut r = Run::ok();
        for f in files {
            if f == "-" {
                r.stdout.extend_from_slice(stdin);
                continue;
            }
            let read = self.resolve(f).map_err(str::to_string).and_then(|p| {
                if p.is_dir() {
                    Err("Is a directory".into())
                } else {
                    std::fs::read(&p).map_err(|e| io_text(&e))
                }
            });
            match read {
                Ok(b) => r.stdout.extend_from_slice(&b),
                Err(e) => r = append_err(r, 1, format!("cat: {f}: {e}")),
            }
        }
        r
    }
}

fn append_err(mut r: Run, status: u32, msg: String) -> Run {
    r.stderr.extend_from_slice(msg.as_bytes());
    r.stderr.push(b'\n');
    r.status = status;
    r
}

/// An io error as coreutils words it.
fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        std::io::ErrorKind::AlreadyExists => "File exists".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        let gpu = |i: u32| Gpu {
            name: "NVIDIA GeForce RTX 3080".into(),
            memory_mib: 10240,
            uuid: format!("GPU-00000000-0000-0000-0000-00000000000{i}"),
        };
        Machine { hostname: "vm-test".into(), gpus: vec![gpu(0), gpu(1)] }
    }

    fn run(home: &Path, line: &str) -> Output {
        run_in(home, line, b"")
    }
    fn run_in(home: &Path, line: &str, stdin: &[u8]) -> Output {
        let m = machine();
        Shell { home, machine: &m }.run(line, stdin)
    }
    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    #[test]
    fn true_false_and_sequencing() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(run(d.path(), "true").status, 0);
        assert_eq!(run(d.path(), "false").status, 1);
        assert_eq!(run(d.path(), "false && echo no").stdout, b"");
        assert_eq!(run(d.path(), "false; echo yes").stdout, b"yes\n");
        assert_eq!(run(d.path(), "false || echo alt").stdout, b"alt\n");
        assert_eq!(run(d.path(), "true && false").status, 1);
        let o = run(d.path(), "echo a && exit 3 && echo b");
        assert_eq!((o.stdout.as_slice(), o.status, o.exit), (&b"a\n"[..], 3, true));
    }

    #[test]
    fn echo_quotes_and_tilde() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(text(&run(d.path(), "echo 'a  b' \"c \\\"d\\\"\" e").stdout), "a  b c \"d\" e\n");
        assert_eq!(text(&run(d.path(), "echo -n hi").stdout), "hi");
        assert_eq!(text(&run(d.path(), "echo ~ ~/x $HOME").stdout), "/home/dbc /home/dbc/x /home/dbc\n");
        assert_eq!(text(&run(d.path(), "echo '~' '$HOME' ~x a~").stdout), "~ $HOME ~x a~\n");
        assert_eq!(run(d.path(), "echo 'open").status, 2);
        assert_eq!(run(d.path(), "echo a | cat").status, 2);
        assert_eq!(run(d.path(), "&& true").status, 2);
    }

    #[test]
    fn unknown_commands_are_127() {
        let d = tempfile::tempdir().unwrap();
        let o = run(d.path(), "frobnicate --now");
        assert_eq!(o.status, 127);
        assert_eq!(text(&o.stderr), "frobnicate: command not found\n");
        assert_eq!(run(d.path(), "frobnicate || true").status, 0);
    }

    #[test]
    fn uname_and_identity() {
        let d = tempfile::tempdir().unwrap();
        let a = text(&run(d.path(), "uname -a").stdout);
        assert!(a.starts_with("Linux vm-test 5.15.0-91-generic #101-Ubuntu SMP"), "{a}");
        assert!(a.ends_with("x86_64 x86_64 x86_64 GNU/Linux\n"));
        assert_eq!(text(&run(d.path(), "uname").stdout), "Linux\n");
        assert_eq!(text(&run(d.path(), "uname -s -r").stdout), "Linux 5.15.0-91-generic\n");
        assert_eq!(text(&run(d.path(), "whoami; pwd; hostname").stdout), "dbc\n/home/dbc\nvm-test\n");
    }

    #[test]
    fn authorized_keys_append_then_read_back() {
        let d = tempfile::tempdir().unwrap();
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBs2 me@host";
        let line = format!(
            "mkdir -p ~/.ssh && chmod 700 ~/.ssh && echo '{key}' >> ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys"
        );
        let o = run(d.path(), &line);
        assert_eq!((o.status, text(&o.stderr)), (0, String::new()));
        assert!(d.path().join(".ssh").is_dir());
        // Again: mkdir -p is happy, the key is appended a second time.
        assert_eq!(run(d.path(), &line).status, 0);
        let o = run(d.path(), "cat ~/.ssh/authorized_keys");
        assert_eq!(text(&o.stdout), format!("{key}\n{key}\n"));
        // The stdin form.
        assert!(reads_stdin("mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys"));
        assert!(!reads_stdin("cat ~/.ssh/authorized_keys"));
        assert!(reads_stdin("cat - >> ~/.ssh/authorized_keys"));
        assert!(!reads_stdin("echo 'cat' >> x"));
        let o = run_in(d.path(), "cat >> /home/dbc/.ssh/authorized_keys", b"ssh-rsa AAAAB3 other\n");
        assert_eq!(o.status, 0);
        assert!(o.stdout.is_empty());
        let all = std::fs::read_to_string(d.path().join(".ssh/authorized_keys")).unwrap();
        assert!(all.ends_with("ssh-rsa AAAAB3 other\n"), "{all}");
        // `>` truncates.
        assert_eq!(run(d.path(), "echo x > .ssh/note && cat .ssh/note").stdout, b"x\n");
        assert_eq!(run(d.path(), "echo y > ~/.ssh/note; cat ./.ssh/note").stdout, b"y\n");
    }

    #[test]
    fn mkdir_and_chmod_errors() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(run(d.path(), "mkdir a").status, 0);
        let o = run(d.path(), "mkdir a");
        assert_eq!((o.status, text(&o.stderr)), (1, "mkdir: cannot create directory 'a': File exists\n".into()));
        assert_eq!(run(d.path(), "mkdir x/y").status, 1);
        assert_eq!(run(d.path(), "mkdir -p x/y && mkdir -p x/y").status, 0);
        let o = run(d.path(), "chmod 600 nothing");
        assert_eq!(
            (o.status, text(&o.stderr)),
            (1, "chmod: cannot access 'nothing': No such file or directory\n".into())
        );
        assert_eq!(run(d.path(), "chmod 700 a").status, 0);
        assert_eq!(run(d.path(), "mkdir").status, 1);
        assert_eq!(run(d.path(), "cat missing").status, 1);
    }

    #[test]
    fn path_escapes_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().join("home");
        std::fs::create_dir(&home).unwrap();
        for line in [
            "mkdir -p ../evil",
            "mkdir -p ~/../evil",
            "mkdir /etc/evil",
            "echo x >> ../evil",
            "echo x > /tmp/evil",
            "cat /etc/passwd",
            "cat ~/.ssh/../../secret",
            "chmod 600 /home/dbc/../x",
        ] {
            let o = run(&home, line);
            assert_eq!(o.status, 1, "{line}");
            assert!(text(&o.stderr).contains("Permission denied"), "{line}: {}", text(&o.stderr));
        }
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1, "nothing was written beside home");
        // /dev/null is a sink, not an escape.
        assert_eq!(run(&home, "echo x > /dev/null && frob 2>/dev/null || true").stdout, b"");
        assert!(run(&home, "frob 2>/dev/null").stderr.is_empty());
    }

    #[test]
    fn nvidia_smi_list_and_query() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(
            text(&run(d.path(), "nvidia-smi -L").stdout),
            "GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-00000000-0000-0000-0000-000000000000)\n\
             GPU 1: NVIDIA GeForce RTX 3080 (UUID: GPU-00000000-0000-0000-0000-000000000001)\n"
        );
        assert_eq!(
            text(&run(d.path(), "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader").stdout),
            "NVIDIA GeForce RTX 3080, 10240 MiB\nNVIDIA GeForce RTX 3080, 10240 MiB\n"
        );
        assert_eq!(
            text(&run(d.path(), "nvidia-smi --query-gpu=name,memory.total --format=csv").stdout),
            "name, memory.total [MiB]\nNVIDIA GeForce RTX 3080, 10240 MiB\nNVIDIA GeForce RTX 3080, 10240 MiB\n"
        );
        assert_eq!(
            text(&run(d.path(), "nvidia-smi --query-gpu=index,memory.total --format=csv,noheader,nounits").stdout),
            "0, 10240\n1, 10240\n"
        );
        assert_eq!(run(d.path(), "nvidia-smi --query-gpu=bogus --format=csv").status, 2);
        assert_eq!(run(d.path(), "nvidia-smi --query-gpu=name").status, 2);
        let none = Machine { hostname: "h".into(), gpus: vec![] };
        assert_eq!(Shell { home: d.path(), machine: &none }.run("nvidia-smi -L", b"").status, 9);
    }

    #[test]
    fn nvidia_smi_table_is_the_real_layout() {
        let m = machine();
        let t = smi_table(&m.gpus, std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_644_800));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0].trim_end(), "Mon Dec  7 12:00:00 2026");
        assert!(lines[2].contains("NVIDIA-SMI 535.129.03") && lines[2].contains("CUDA Version: 12.2"), "{}", lines[2]);
        for l in &lines[1..] {
            assert_eq!(l.chars().count(), 89, "{l:?}");
        }
        assert!(t.contains("|   0  NVIDIA GeForce RTX 3080        Off | 00000000:01:00.0 Off |"), "{t}");
        assert!(t.contains("|      0%      Default |"), "{t}");
        assert!(t.contains("|      1MiB / 10240MiB |"), "{t}");
        assert!(t.contains("No running processes found"));
    }

    #[test]
    fn marketing_names() {
        assert_eq!(marketing_name("GeForceRTX3080"), "NVIDIA GeForce RTX 3080");
        assert_eq!(marketing_name("GeForceRTX2080Ti"), "NVIDIA GeForce RTX 2080 Ti");
        assert_eq!(marketing_name("NVIDIA RTX A5000"), "NVIDIA RTX A5000");
        assert_eq!(marketing_name("GeForceRTX5090"), "NVIDIA GeForce RTX 5090");
        assert_eq!(marketing_name("GeForceGTX1080Ti"), "NVIDIA GeForce GTX 1080 Ti");
        assert_eq!(marketing_name("Tesla V100"), "NVIDIA Tesla V100");
        assert_eq!(marketing_name(""), "NVIDIA GPU");
    }

    #[test]
    fn civil_time() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_796_644_800), (2026, 12, 7, 12, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
