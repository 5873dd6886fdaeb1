//! `dbc-rent generate WHAT`: the shell completions and the man page the
//! packages install, written from the same argument definitions the parser
//! uses, so they cannot fall behind the commands (ripgrep's `--generate`
//! habit). Hidden from `--help`: it is for packagers, not renters.

use clap::{CommandFactory, ValueEnum};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// bash completions (`/usr/share/bash-completion/completions/dbc-rent`)
    CompleteBash,
    /// zsh completions (`/usr/share/zsh/vendor-completions/_dbc-rent`)
    CompleteZsh,
    /// fish completions (`/usr/share/fish/vendor_completions.d/dbc-rent.fish`)
    CompleteFish,
    /// the man page, roff (`/usr/share/man/man1/dbc-rent.1`)
    Man,
}

/// Write `what` for the `dbc-rent` command to `out`.
pub fn write(what: What, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = crate::cli::Args::command();
    let name = cmd.get_name().to_string();
    let shell = match what {
        What::CompleteBash => clap_complete::Shell::Bash,
        What::CompleteZsh => clap_complete::Shell::Zsh,
        What::CompleteFish => clap_complete::Shell::Fish,
        What::Man => return clap_mangen::Man::new(cmd).render(out),
    };
    // Into memory first: clap_complete panics when its writer fails (a
    // closed pipe, `… | head`); a failed write_all is an error instead.
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut text);
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(what: What) -> String {
        let mut out = Vec::new();
        write(what, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn completions_know_the_commands_and_flags() {
        for what in [What::CompleteBash, What::CompleteZsh, What::CompleteFish] {
            let t = text(what);
            for word in ["rent", "renew", "machines", "network", "json", "ssh", "gpu-check", "print"] {
                assert!(t.contains(word), "{what:?} completions lack {word}");
            }
        }
    }

    #[test]
    fn the_man_page_is_roff_for_dbc_rent() {
        let t = text(What::Man);
        assert!(t.starts_with(".ie") || t.contains(".TH dbc-rent 1"), "{}", &t[..t.len().min(200)]);
        assert!(t.contains(".TH dbc-rent 1"), "title line");
        assert!(t.contains("rent") && t.contains("\\-\\-network"), "commands and flags are listed");
    }
}
