//! `payermax`: PayerMax from the command line, a thin shell over the
//! payermax-rs libraries (every capability lives in them; this binary
//! parses arguments and prints). See the crate README for every command.

#![deny(missing_docs)]

#[macro_use]
mod failure;
mod args;
mod call;
mod catalog;
mod describe;
mod example;
mod input;
mod keygen;
mod signature;
mod spec_data;
mod webhook;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

use crate::args::{Cli, Command, WebhookCommand};
use crate::failure::Failure;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), Failure> = match cli.command {
        Command::Keygen(a) => keygen::run(a),
        Command::Sign(a) => signature::sign(a),
        Command::Verify(a) => signature::verify(a),
        Command::Webhook(WebhookCommand::Verify(a)) => webhook::verify(a),
        Command::Webhook(WebhookCommand::Listen(a)) => webhook::listen(a).await,
        Command::Call(a) => call::run(a),
        Command::Operations => catalog::operations(),
        Command::Describe(a) => describe::run(&a.operation),
        Command::Example(a) => example::run(&a.operation),
        Command::Sandbox(a) => return payermax_sandbox::cli::run(a.args).await,
        Command::Completions(a) => {
            clap_complete::generate(
                a.shell,
                &mut Cli::command(),
                "payermax",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::ExitCodes => {
            print!("{}", exit_codes!());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
