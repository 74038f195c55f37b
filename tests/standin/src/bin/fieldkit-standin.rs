//! Serves the Autotask stand-in for a demo or a manual test, until killed:
//!
//! `fieldkit-standin [--psa autotask|halo] [--port 8089] [--scale 1] [--tickets N --notes N] [--fault-rate 0.2] [--latency-ms 0]`
//!
//! `--psa halo` serves the HaloPSA stand-in instead (`fieldkit_standin::halo`).
//!
//! `--tickets`/`--notes` ask for exact sizes instead of a scale (`--notes`
//! is the total, spread over the tickets). Point Fieldkit's Sync area at
//! the address it prints, with the credentials it prints.

use chrono::Utc;
use fieldkit_core::sample_data::SampleSize;
use fieldkit_standin::{Faults, Seed, Standin};

const USAGE: &str =
    "usage: fieldkit-standin [--psa autotask|halo] [--port 8089] [--scale 1] [--tickets N --notes N] [--fault-rate 0.2] [--latency-ms 0]";

struct Options {
    halo: bool,
    port: u16,
    scale: u32,
    tickets: Option<u32>,
    notes: Option<u32>,
    fault_rate: f64,
    latency_ms: u64,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options =
        Options { halo: false, port: 8089, scale: 1, tickets: None, notes: None, fault_rate: 0.0, latency_ms: 0 };
    let mut args = args.iter();
    while let Some(name) = args.next() {
        if name == "--help" || name == "-h" {
            return Err(String::new());
        }
        const KNOWN: [&str; 7] = ["--psa", "--port", "--scale", "--tickets", "--notes", "--latency-ms", "--fault-rate"];
        if !KNOWN.contains(&name.as_str()) {
            return Err(format!("unknown option {name}"));
        }
        let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
        let bad = || format!("{name}: '{value}' is not valid");
        match name.as_str() {
            "--psa" => {
                options.halo = match value.as_str() {
                    "autotask" => false,
                    "halo" | "halopsa" => true,
                    _ => return Err(bad()),
                }
            }
            "--port" => options.port = value.parse().map_err(|_| bad())?,
            "--scale" => options.scale = value.parse().map_err(|_| bad())?,
            "--tickets" => options.tickets = Some(value.parse().map_err(|_| bad())?),
            "--notes" => options.notes = Some(value.parse().map_err(|_| bad())?),
            "--latency-ms" => options.latency_ms = value.parse().map_err(|_| bad())?,
            "--fault-rate" => {
                options.fault_rate = value.parse().map_err(|_| bad())?;
                if !(0.0..=1.0).contains(&options.fault_rate) {
                    return Err("--fault-rate is a probability from 0 to 1".into());
                }
            }
            _ => return Err(format!("unknown option {name}")),
        }
    }
    Ok(options)
}

fn seed(options: &Options) -> Seed {
    let mut seed = Seed::scaled(options.scale);
    if let Some(tickets) = options.tickets {
        // As the sync benchmark sizes it: a customer per 50 tickets, at least 10.
        seed.size = SampleSize { customers: (tickets / 50).max(10), tickets, ..seed.size };
    }
    if let Some(notes) = options.notes {
        seed.size.notes_per_ticket = (notes / seed.size.tickets.max(1)).max(1);
    }
    seed.now = Utc::now();
    seed
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("fieldkit-standin: {problem}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if problem.is_empty() { 0 } else { 2 });
        }
    };
    if options.halo {
        serve_halo(&options).await;
        return;
    }
    let standin = match Standin::start(seed(&options), options.port).await {
        Ok(standin) => standin,
        Err(error) => {
            eprintln!("The stand-in could not start on port {}: {error}", options.port);
            std::process::exit(1);
        }
    };
    standin.set_faults(Faults { latency_ms: options.latency_ms, rate: options.fault_rate, kinds: Vec::new(), seed: 1 });
    let credentials = standin.credentials();
    // The first line is what scripts and the end-to-end tests wait for.
    println!("Autotask stand-in at {}", standin.base_url());
    println!("  API user          {}", credentials.api_user);
    println!("  integration code  {}", credentials.integration_code);
    println!("  secret            {}", credentials.secret);
    let me = standin.snapshot("Resources").into_iter().find(|r| r["firstName"] == "Alex");
    if let Some(me) = me {
        let name = |field: &str| me[field].as_str().unwrap_or_default().to_string();
        println!("  resource id       {} ({} {})", me["id"], name("firstName"), name("lastName"));
    }
    println!("  tickets           {}", standin.snapshot("Tickets").len());
    if options.fault_rate > 0.0 || options.latency_ms > 0 {
        println!("  faults            rate {}, latency {} ms", options.fault_rate, options.latency_ms);
    }
    println!(
        "  faults over HTTP  POST {}/_standin/faults {{\"latencyMs\":0,\"rate\":0.2,\"kinds\":[],\"seed\":1}}",
        standin.base_url()
    );
    wait_for_termination().await;
    standin.stop().await;
}

/// The HaloPSA stand-in, until killed.
async fn serve_halo(options: &Options) {
    use fieldkit_standin::halo::{HaloStandin, CLIENT_ID, CLIENT_SECRET};
    let standin = match HaloStandin::start(seed(options), options.port).await {
        Ok(standin) => standin,
        Err(error) => {
            eprintln!("The stand-in could not start on port {}: {error}", options.port);
            std::process::exit(1);
        }
    };
    standin.set_faults(Faults { latency_ms: options.latency_ms, rate: options.fault_rate, kinds: Vec::new(), seed: 1 });
    // The first line is what scripts wait for.
    println!("HaloPSA stand-in at {}", standin.base_url());
    println!("  client id         {CLIENT_ID}");
    println!("  client secret     {CLIENT_SECRET}");
    if let Some(me) = standin.snapshot("Agent").into_iter().find(|a| a["firstname"] == "Alex") {
        println!("  agent id          {} ({})", me["id"], me["name"].as_str().unwrap_or_default());
    }
    println!("  tickets           {}", standin.snapshot("Tickets").len());
    println!(
        "  controls over HTTP  POST {0}/_standin/faults, GET {0}/_standin/requests, GET/PATCH {0}/_standin/Tickets",
        standin.base_url()
    );
    wait_for_termination().await;
    standin.stop().await;
}

/// Ctrl-C, or (on Unix) the SIGTERM a `kill` sends.
async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
