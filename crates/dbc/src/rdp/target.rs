//! Where to connect and as whom: the host, port and user of a VM's Remote
//! Desktop endpoint, validated so that nothing a DBC client (or a typo) hands
//! us can turn into an extra argument, a second line in a `.rdp` file or a
//! shell command; and the login password, held as a secret.
//!
//! The values come from the DBC client's VM detail (`ssh_ip`, `rdp_port`,
//! `user_name`, `login_password`; reference compute-api.md §1.4.3). The node
//! writes `"N/A"` into the password (and sometimes the user) when the image
//! has no guest agent: that is refused with its own code so the UI can
//! explain it and offer the VNC fallback.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::error::{Error, ErrorCode, Result};

/// What the node writes instead of a password (or user) it could not set.
pub const NOT_AVAILABLE: &str = "N/A";

/// The longest user name we pass on: a UPN (`user@domain`) may reach 104
/// characters; the SAM name of a local account is at most 20.
const MAX_USER_LEN: usize = 104;

/// A validated Remote Desktop endpoint. Build it with [`RdpTarget::new`] or
/// [`RdpTarget::from_vm_login`]; its fields cannot be changed afterwards, so
/// every `RdpTarget` in the program is a checked one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdpTarget {
    host: Host,
    port: u16,
    user: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    Name(String),
}

impl RdpTarget {
    /// Validate host, port and user. The port is taken wide (`u64`) so that
    /// a caller's out-of-range number is refused here, not truncated.
    pub fn new(host: &str, port: u64, user: &str) -> Result<Self> {
        Ok(RdpTarget { host: parse_host(host)?, port: check_port(port)?, user: check_user(user)? })
    }

    /// From the DBC client's VM detail, where the port is a string of digits.
    pub fn from_vm_login(ssh_ip: &str, rdp_port: &str, user_name: &str) -> Result<Self> {
        Ok(RdpTarget { host: parse_host(ssh_ip)?, port: parse_port(rdp_port)?, user: check_user(user_name)? })
    }

    /// The host as written in addresses: an IPv6 literal without brackets.
    pub fn host(&self) -> String {
        match &self.host {
            Host::Ip(ip) => ip.to_string(),
            Host::Name(n) => n.clone(),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// `host:port`, with an IPv6 literal in brackets (`[2001:db8::1]:3389`),
    /// the form both `.rdp` files and FreeRDP's `/v:` understand.
    pub fn address(&self) -> String {
        match &self.host {
            Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            _ => format!("{}:{}", self.host(), self.port),
        }
    }

    /// A file-name-safe name for this endpoint, e.g. `vm-203-0-113-7-3389`.
    pub fn file_stem(&self) -> String {
        let host: String =
            self.host().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        format!("vm-{host}-{}", self.port)
    }
}

/// The VM's login password, checked: not empty, not `"N/A"`, a single line
/// (FreeRDP reads it as one line from stdin).
pub fn login_password(password: &str) -> Result<SecretString> {
    if password.trim() == NOT_AVAILABLE {
        return Err(no_guest_agent("password"));
    }
    if password.is_empty() {
        return Err(Error::invalid_argument("the VM's login password is empty"));
    }
    if password.chars().any(|c| c.is_control()) {
        // Never echo the value: it is a secret.
        return Err(Error::invalid_argument("the VM's login password contains a line break or control character"));
    }
    Ok(SecretString::from(password.to_string()))
}

/// Same check for a password already held as a secret.
pub fn check_login_password(password: &SecretString) -> Result<()> {
    login_password(password.expose_secret()).map(drop)
}

fn no_guest_agent(field: &str) -> Error {
    Error::new(
        ErrorCode::VmNoGuestAgent,
        format!(
            "the VM's login {field} is \"N/A\": its image has no guest agent, so no password was set; connect with VNC instead"
        ),
    )
    .with_data(json!({ "field": field }))
}

fn bad_host(host: &str, why: &str) -> Error {
    Error::new(ErrorCode::InvalidRdpHost, format!("invalid RDP host {host:?}: {why}"))
        .with_data(json!({ "host": host }))
}

/// Check a host exactly as an [`RdpTarget`]'s and return it as written in
/// addresses (an IPv6 literal without brackets, a name in lower case).
/// The DBC client's `ssh_ip` goes through this before anything connects to
/// it or keeps it: `invalid-rdp-host {host}` otherwise.
pub fn check_host(raw: &str) -> Result<String> {
    Ok(match parse_host(raw)? {
        Host::Ip(ip) => ip.to_string(),
        Host::Name(n) => n,
    })
}

/// An IPv4/IPv6 literal (an IPv6 one may come in brackets) or a DNS name:
/// dot-separated labels of ASCII letters, digits and inner hyphens, each
/// 1–63 long, 253 in all. Everything else (spaces, quotes, `;`, `$`, `` ` ``,
/// newlines, a leading `-`, userinfo, a port) is refused.
fn parse_host(raw: &str) -> Result<Host> {
    let unbracketed = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
    if let Some(inner) = unbracketed {
        return match inner.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => Ok(Host::Ip(IpAddr::V6(ip))),
            Err(_) => Err(bad_host(raw, "brackets hold only an IPv6 address")),
        };
    }
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    if raw.is_empty() {
        return Err(bad_host(raw, "empty"));
    }
    if raw.len() > 253 {
        return Err(bad_host(raw, "longer than 253 characters"));
    }
    for label in raw.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad_host(raw, "each dot-separated part must be 1 to 63 characters"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad_host(raw, "only letters, digits, dots and hyphens are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad_host(raw, "a part may not start or end with a hyphen"));
        }
    }
    // All digits and dots but not an IP (e.g. 1.2.3.999): a typo, not a name.
    if raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad_host(raw, "not a valid IPv4 address"));
    }
    Ok(Host::Name(raw.to_ascii_lowercase()))
}

/// `invalid-rdp-port {port, value}`: both name the value that came (`value`
/// is the name the other "invalid value" errors use).
fn bad_port(port: &str) -> Error {
    Error::new(ErrorCode::InvalidRdpPort, format!("invalid RDP port {port:?}: use a number from 1 to 65535"))
        .with_data(json!({ "port": port, "value": port }))
}

fn check_port(port: u64) -> Result<u16> {
    match u16::try_from(port) {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(bad_port(&port.to_string())),
    }
}

/// A port given as text (the DBC client sends strings): digits only.
pub fn parse_port(raw: &str) -> Result<u16> {
    if raw.is_empty() || raw.len() > 5 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_port(raw));
    }
    check_port(raw.parse::<u64>().map_err(|_| bad_port(raw))?)
}

fn bad_user(user: &str, why: &str) -> Error {
    Error::new(ErrorCode::InvalidRdpUser, format!("invalid RDP user {user:?}: {why}"))
        .with_data(json!({ "user": user }))
}

/// A Windows account name: letters and digits of any script, and
/// `. _ - @ \ $ #` plus inner spaces (`DOMAIN\user`, `user@domain`, `svc$`).
/// Quotes, control characters (newlines), `/ [ ] : ; | = , + * ? < >` (which
/// Windows refuses in names anyway) and a leading `-` are refused.
fn check_user(user: &str) -> Result<String> {
    if user.trim() == NOT_AVAILABLE {
        return Err(no_guest_agent("user"));
    }
    if user.is_empty() {
        return Err(bad_user(user, "empty"));
    }
    if user.chars().count() > MAX_USER_LEN {
        return Err(bad_user(user, "too long"));
    }
    if user.starts_with('-') {
        return Err(bad_user(user, "may not start with '-'"));
    }
    if user.starts_with(' ') || user.ends_with(' ') {
        return Err(bad_user(user, "may not start or end with a space"));
    }
    if let Some(c) = user.chars().find(|c| !(c.is_alphanumeric() || " ._-@\\$#".contains(*c))) {
        let shown = if c.is_control() { format!("{:?}", c) } else { c.to_string() };
        return Err(bad_user(user, &format!("the character {shown} is not allowed")));
    }
    Ok(user.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<impl std::fmt::Debug>) -> ErrorCode {
        r.unwrap_err().code
    }

    #[test]
    fn accepts_ip_literals_and_dns_names() {
        let t = RdpTarget::new("203.0.113.7", 3389, "Administrator").unwrap();
        assert_eq!((t.host(), t.port(), t.user()), ("203.0.113.7".to_string(), 3389, "Administrator"));
        assert_eq!(t.address(), "203.0.113.7:3389");
        let v6 = RdpTarget::new("2001:db8::1", 40001, "Administrator").unwrap();
        assert_eq!(v6.address(), "[2001:db8::1]:40001");
        assert_eq!(RdpTarget::new("[2001:db8::1]", 1, "a").unwrap().host(), "2001:db8::1");
        let name = RdpTarget::new("Node-7.Example.com", 65535, "DOMAIN\\user").unwrap();
        assert_eq!(name.address(), "node-7.example.com:65535");
        assert_eq!(name.file_stem(), "vm-node-7-example-com-65535");
        assert_eq!(v6.file_stem(), "vm-2001-db8--1-40001");
        assert!(RdpTarget::new("localhost", 3389, "user@corp.example").is_ok());
        assert!(RdpTarget::new("a", 3389, "Ärger Müller").is_ok(), "inner spaces and letters of any script");
    }

    #[test]
    fn refuses_hosts_that_could_inject() {
        for host in [
            "1.2.3.4;rm -rf /",
            "$(id)",
            "`id`",
            "host name",
            "-evil",
            "/v:evil",
            "evil\nfull address:s:other",
            "\"quoted\"",
            "'q'",
            "a..b",
            ".lead",
            "trail-.com",
            "user@host",
            "host:3389",
            "[not-v6]",
            "1.2.3.999",
            "",
            "ex_ample.com",
            "%00",
        ] {
            let e = RdpTarget::new(host, 3389, "Administrator").unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRdpHost, "{host:?}");
            assert_eq!(e.data.unwrap()["host"], host);
        }
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(code(RdpTarget::new(&long, 3389, "a")), ErrorCode::InvalidRdpHost);
        let too_long = ["abc"; 64].join(".");
        assert!(too_long.len() > 253);
        assert_eq!(code(RdpTarget::new(&too_long, 3389, "a")), ErrorCode::InvalidRdpHost);
    }

    #[test]
    fn refuses_ports_out_of_range() {
        for port in [0u64, 65536, 70000, u64::MAX] {
            let e = RdpTarget::new("1.2.3.4", port, "a").unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRdpPort, "{port}");
            assert_eq!(e.data.unwrap()["port"], port.to_string());
        }
        for raw in ["0", "65536", "", "-1", "3389 ", "+80", "0x50", "33 89", "99999999999999999999"] {
            assert_eq!(code(parse_port(raw)), ErrorCode::InvalidRdpPort, "{raw:?}");
        }
        assert_eq!(parse_port("65535").unwrap(), 65535);
        assert_eq!(parse_port("00080").unwrap(), 80);
        assert_eq!(RdpTarget::from_vm_login("1.2.3.4", "5685", "Administrator").unwrap().port(), 5685);
    }

    #[test]
    fn refuses_users_with_quotes_newlines_or_a_leading_dash() {
        for user in [
            "Admin\"istrator",
            "O'Brien",
            "admin\nfull address:s:evil",
            "admin\r",
            "tab\tbed",
            "-admin",
            "/u:other",
            "a;b",
            "a|b",
            "$(id)x`",
            " lead",
            "trail ",
            "",
            "a:b",
        ] {
            assert_eq!(code(RdpTarget::new("1.2.3.4", 3389, user)), ErrorCode::InvalidRdpUser, "{user:?}");
        }
        assert_eq!(code(RdpTarget::new("1.2.3.4", 3389, &"a".repeat(105))), ErrorCode::InvalidRdpUser);
    }

    #[test]
    fn not_available_means_no_guest_agent() {
        let e = login_password("N/A").unwrap_err();
        assert_eq!(e.code, ErrorCode::VmNoGuestAgent);
        assert_eq!(e.data.unwrap()["field"], "password");
        let e = RdpTarget::from_vm_login("1.2.3.4", "3389", "N/A").unwrap_err();
        assert_eq!(e.code, ErrorCode::VmNoGuestAgent);
        assert_eq!(e.data.unwrap()["field"], "user");
    }

    #[test]
    fn passwords_are_single_lines_and_never_echoed() {
        // The node's generator: 16 chars from [A-Za-z0-9_/+[]@#^].
        let pw = login_password("aZ9_/+[]@#^xyzQ1").unwrap();
        assert_eq!(pw.expose_secret(), "aZ9_/+[]@#^xyzQ1");
        for bad in ["", "line\nbreak", "nul\0"] {
            let e = login_password(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(bad.is_empty() || !e.message.contains(bad), "the message never repeats the password");
        }
        assert!(check_login_password(&SecretString::from("ok".to_string())).is_ok());
    }
}
