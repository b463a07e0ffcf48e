//! `sitrep users`: who may write through the server.

use crate::args::{Cli, OutFormat};
use crate::output::print_rows;
use crate::Failure;
use clap::{Args, Subcommand};
use sitrep_model::Role;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// `sitrep users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: UsersCommand,
}

/// Users subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user (the server accepts writes once a user exists).
    Add {
        /// Login name.
        name: String,
        /// viewer, analyst or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users and their roles.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// Remove a user and its tokens.
    Remove {
        /// Login name.
        name: String,
    },
    /// Make an API token for scripts (printed once; send as `Authorization: Bearer TOKEN`).
    Token {
        /// Login name.
        name: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("expected viewer, analyst or admin, found {s:?}"))
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let p = if !from_stdin && stdin.is_terminal() {
        // Prompted on the terminal without echo, twice.
        let a = rpassword::prompt_password("password: ")?;
        let b = rpassword::prompt_password("again: ")?;
        if a != b {
            return Err(Failure::Input("the passwords differ".into()).into());
        }
        a
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    if p.is_empty() {
        return Err(Failure::Input("no password given".into()).into());
    }
    Ok(p)
}

#[derive(serde::Serialize)]
struct UserRow {
    name: String,
    role: &'static str,
    created: String,
    tokens: usize,
}

pub async fn users(cli: &Cli, a: &UsersArgs) -> anyhow::Result<ExitCode> {
    let ledger = match a.command {
        UsersCommand::Add { .. } => super::claims::ledger_rw(cli)?,
        _ => super::claims::ledger(cli)?,
    };
    let users = ledger.users();
    let err = super::claims::ledger_err;
    match &a.command {
        UsersCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let pw = read_password(*password_stdin)?;
            users.add(name, *role, &pw).map_err(err)?;
            eprintln!("user {name} added as {}", role.as_str());
        }
        UsersCommand::List { format } => {
            let rows: Vec<UserRow> = users
                .list()
                .map_err(err)?
                .into_iter()
                .map(|u| UserRow {
                    name: u.name,
                    role: u.role.as_str(),
                    created: u.created.to_rfc3339(),
                    tokens: u.tokens.len(),
                })
                .collect();
            print_rows(&rows, *format)?;
        }
        UsersCommand::Remove { name } => {
            users.remove(name).map_err(err)?;
            eprintln!("user {name} removed");
        }
        UsersCommand::Token { name } => {
            let t = users.new_token(name).map_err(err)?;
            println!("{t}");
            eprintln!("token for {name}: shown once; only its hash is stored");
        }
    }
    Ok(ExitCode::SUCCESS)
}
