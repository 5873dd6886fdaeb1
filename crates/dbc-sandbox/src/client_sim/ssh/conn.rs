//! One SSH connection to a simulated Linux VM: authentication (the VM's
//! password or a key of its `authorized_keys`, at most `MAX_AUTH_TRIES`
//! failures), exec requests run by the VM's shell ([`super::ssh_shell`] via
//! the parent), and the interactive shell on a pty.

use super::*;

#[derive(Default)]
struct Chan {
    /// A pty was requested: output lines end in CR LF, stderr goes to the same stream.
    pty: bool,
    shell: bool,
    /// The line being typed (pty shell), or the script input not yet ended
    /// by a newline (shell without a pty).
    line: Vec<u8>,
    /// A shell without a pty: the status of its last command.
    status: u32,
    /// An exec command waiting for the client's EOF (it reads stdin).
    exec: Option<String>,
    stdin: Vec<u8>,
    done: bool,
}

pub(super) struct Conn {
    cx: Arc<VmCtx>,
    peer: SocketAddr,
    chans: HashMap<ChannelId, Chan>,
    /// Refused password and public-key attempts so far.
    failures: usize,
}

impl Conn {
    pub(super) fn new(cx: Arc<VmCtx>, peer: SocketAddr) -> Self {
        Conn { cx, peer, chans: HashMap::new(), failures: 0 }
    }

    fn login(&self, user: &str, method: &str, key: Option<String>) {
        let (time, unix) = rfc3339(SystemTime::now());
        let rec =
            LoginRecord { time, unix, user: user.into(), method: method.into(), key, peer: self.peer.to_string() };
        tracing::info!(task = %self.cx.vm.task_id, method, "client_sim: ssh login");
        self.cx.folder.record_login(&rec);
    }

    /// One more refused attempt: a rejection, or the end of the connection
    /// at the [`MAX_AUTH_TRIES`]th (as sshd's "Too many authentication failures").
    fn refuse(&mut self) -> Result<Auth, russh::Error> {
        self.failures += 1;
        if self.failures >= MAX_AUTH_TRIES {
            tracing::info!(task = %self.cx.vm.task_id, "client_sim: ssh: too many authentication failures");
            return Err(russh::Error::Disconnect);
        }
        Ok(Auth::reject())
    }

    fn key_allowed(&self, user: &str, key: &PublicKey) -> bool {
        user == USER && self.cx.folder.authorized().iter().any(|k| k.key_data() == key.key_data())
    }

    fn run(&self, line: &str, stdin: &[u8]) -> ssh_shell::Output {
        let machine = Machine { hostname: self.cx.vm.hostname(), gpus: gpus_of(&self.cx.vm, &self.cx.folder) };
        let home = self.cx.folder.home();
        let _ = std::fs::create_dir_all(&home);
        Shell { home: &home, machine: &machine }.run(line, stdin)
    }

    fn prompt(&self) -> String {
        format!("{USER}@{}:~$ ", self.cx.vm.hostname())
    }

    fn banner(&self) -> String {
        format!(
            "Welcome to Ubuntu 22.04 LTS (DBC Rent practice VM {}, GNU/Linux 5.15.0-91-generic x86_64)\r\n\r\n \
             * This is a simulated VM of the DBC Rent practice network.\r\n \
             * Commands: nvidia-smi, uname, echo, mkdir, chmod, cat, true, false, exit.\r\n\r\n",
            self.cx.vm.task_id
        )
    }

    /// Send what a command printed, then its status, EOF and close. On a
    /// pty (`ssh -t host cmd`) both streams are the terminal, as with a real one.
    fn finish(&mut self, ch: ChannelId, out: ssh_shell::Output, session: &mut Session) -> Result<(), russh::Error> {
        let pty = self.chans.get(&ch).is_some_and(|c| c.pty);
        if pty {
            let mut all = crlf(&out.stdout);
            all.extend_from_slice(&crlf(&out.stderr));
            if !all.is_empty() {
                session.data(ch, all)?;
            }
        } else {
            if !out.stdout.is_empty() {
                session.data(ch, out.stdout)?;
            }
            if !out.stderr.is_empty() {
                session.extended_data(ch, 1, out.stderr)?;
            }
        }
        self.end(ch, out.status, session)
    }

    fn end(&mut self, ch: ChannelId, status: u32, session: &mut Session) -> Result<(), russh::Error> {
        if let Some(c) = self.chans.get_mut(&ch) {
            if c.done {
                return Ok(());
            }
            c.done = true;
        }
        session.exit_status_request(ch, status)?;
        session.eof(ch)?;
        session.close(ch)
    }

    /// Keystrokes on an interactive (pty) shell.
    fn keys(&mut self, ch: ChannelId, data: &[u8], session: &mut Session) -> Result<(), russh::Error> {
        let mut echo = Vec::new();
        for &b in data {
            match b {
                b'\r' | b'\n' => {
                    echo.extend_from_slice(b"\r\n");
                    let line = {
                        let Some(c) = self.chans.get_mut(&ch) else { return Ok(()) };
                        String::from_utf8_lossy(&std::mem::take(&mut c.line)).into_owned()
                    };
                    let out = self.run(&line, b"");
                    echo.extend_from_slice(&crlf(&out.stdout));
                    echo.extend_from_slice(&crlf(&out.stderr));
                    if out.exit {
                        echo.extend_from_slice(b"logout\r\n");
                        session.data(ch, echo)?;
                        return self.end(ch, out.status, session);
                    }
                    echo.extend_from_slice(self.prompt().as_bytes());
                }
                0x7f | 0x08 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        if c.line.pop().is_some() {
                            echo.extend_from_slice(b"\x08 \x08");
                        }
                    }
                }
                0x03 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        c.line.clear();
                    }
                    echo.extend_from_slice(b"^C\r\n");
                    echo.extend_from_slice(self.prompt().as_bytes());
                }
                0x04 => {
                    let empty = self.chans.get(&ch).is_some_and(|c| c.line.is_empty());
                    if empty {
                        echo.extend_from_slice(b"logout\r\n");
                        session.data(ch, echo)?;
                        return self.end(ch, 0, session);
                    }
                }
                0x1b => {} // escape sequences (arrows) are not edited
                b if b >= 0x20 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        if c.line.len() < 4096 {
                            c.line.push(b);
                            echo.push(b);
                        }
                    }
                }
                _ => {}
            }
        }
        if !echo.is_empty() {
            session.data(ch, echo)?;
        }
        Ok(())
    }

    /// Lines on a shell without a pty (`ssh -T host < script`): no echo, no prompt.
    fn script(&mut self, ch: ChannelId, data: &[u8], session: &mut Session) -> Result<(), russh::Error> {
        let lines: Vec<String> = {
            let Some(c) = self.chans.get_mut(&ch) else { return Ok(()) };
            c.line.extend_from_slice(data);
            let mut lines = Vec::new();
            while let Some(i) = c.line.iter().position(|&b| b == b'\n') {
                let l: Vec<u8> = c.line.drain(..=i).collect();
                lines.push(String::from_utf8_lossy(&l).trim_end().to_string());
            }
            lines
        };
        for l in lines {
            let out = self.run(&l, b"");
            if !out.stdout.is_empty() {
                session.data(ch, out.stdout.clone())?;
            }
            if !out.stderr.is_empty() {
                session.extended_data(ch, 1, out.stderr.clone())?;
            }
            if let Some(c) = self.chans.get_mut(&ch) {
                c.status = out.status;
            }
            if out.exit {
                return self.end(ch, out.status, session);
            }
        }
        Ok(())
    }
}

fn crlf(b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(b.len());
    for &c in b {
        if c == b'\n' {
            v.push(b'\r');
        }
        v.push(c);
    }
    v
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let pw = &self.cx.vm.password;
        if user == USER && !pw.is_empty() && pw != "N/A" && constant_time_eq(password.as_bytes(), pw.as_bytes()) {
            self.login(user, "password", None);
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        if self.key_allowed(user, offer.public_key) {
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        if self.key_allowed(user, key.public_key) {
            self.login(user, "publickey", Some(key.public_key.fingerprint(HashAlg::Sha256).to_string()));
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.chans.insert(channel.id(), Chan::default());
        reply.accept().await;
        Ok(())
    }

    async fn channel_close(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.chans.remove(&channel);
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(c) = self.chans.get_mut(&channel) {
            c.pty = true;
        }
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let pty = match self.chans.get_mut(&channel) {
            Some(c) => {
                c.shell = true;
                c.pty
            }
            None => return session.channel_failure(channel),
        };
        session.channel_success(channel)?;
        if pty {
            let hello = format!("{}{}", self.banner(), self.prompt());
            session.data(channel, hello.into_bytes())?;
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if !self.chans.contains_key(&channel) {
            return session.channel_failure(channel);
        }
        session.channel_success(channel)?;
        let line = String::from_utf8_lossy(data).into_owned();
        if ssh_shell::reads_stdin(&line) {
            if let Some(c) = self.chans.get_mut(&channel) {
                c.exec = Some(line);
            }
            return Ok(());
        }
        let out = self.run(&line, b"");
        self.finish(channel, out, session)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn data(&mut self, channel: ChannelId, data: &[u8], session: &mut Session) -> Result<(), Self::Error> {
        let Some(c) = self.chans.get_mut(&channel) else { return Ok(()) };
        if c.done {
            return Ok(());
        }
        if c.exec.is_some() {
            if c.stdin.len() + data.len() <= MAX_STDIN {
                c.stdin.extend_from_slice(data);
            }
            return Ok(());
        }
        match (c.shell, c.pty) {
            (true, true) => self.keys(channel, data, session),
            (true, false) => self.script(channel, data, session),
            _ => Ok(()),
        }
    }

    async fn channel_eof(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let Some(c) = self.chans.get_mut(&channel) else { return Ok(()) };
        if c.done {
            return Ok(());
        }
        if let Some(line) = c.exec.take() {
            let stdin = std::mem::take(&mut c.stdin);
            let out = self.run(&line, &stdin);
            return self.finish(channel, out, session);
        }
        if c.shell && !c.pty {
            // The script's last line may lack its newline.
            let rest = String::from_utf8_lossy(&std::mem::take(&mut c.line)).trim().to_string();
            let mut status = c.status;
            if !rest.is_empty() {
                let out = self.run(&rest, b"");
                status = out.status;
                if !out.stdout.is_empty() {
                    session.data(channel, out.stdout.clone())?;
                }
                if !out.stderr.is_empty() {
                    session.extended_data(channel, 1, out.stderr.clone())?;
                }
            }
            return self.end(channel, status, session);
        }
        Ok(())
    }
}
