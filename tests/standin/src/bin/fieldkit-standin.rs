//! Serves the Autotask stand-in for a demo or a manual test:
//! `fieldkit-standin [--port 8089] [--scale 1] [--fault-rate 0.2] [--latency-ms 0]`.
//! Point Fieldkit's Settings → Sync at the address it prints.

use fieldkit_standin::{Faults, Seed, Standin};

fn value(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = value(&args, "--port").and_then(|v| v.parse().ok()).unwrap_or(8089);
    let scale: u32 = value(&args, "--scale").and_then(|v| v.parse().ok()).unwrap_or(1);
    let standin = match Standin::start(Seed::scaled(scale), port).await {
        Ok(standin) => standin,
        Err(error) => {
            eprintln!("The stand-in could not start: {error}");
            std::process::exit(1);
        }
    };
    standin.set_faults(Faults {
        latency_ms: value(&args, "--latency-ms").and_then(|v| v.parse().ok()).unwrap_or(0),
        rate: value(&args, "--fault-rate").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        kinds: Vec::new(),
        seed: 1,
    });
    let credentials = standin.credentials();
    let me = standin.snapshot("Resources").into_iter().find(|r| r["firstName"] == "Alex");
    println!("Autotask stand-in at {}", standin.base_url());
    println!("  API user          {}", credentials.api_user);
    println!("  integration code  {}", credentials.integration_code);
    println!("  secret            {}", credentials.secret);
    if let Some(me) = me {
        println!(
            "  resource id       {} ({} {})",
            me["id"],
            me["firstName"].as_str().unwrap_or(""),
            me["lastName"].as_str().unwrap_or("")
        );
    }
    println!("  tickets           {}", standin.snapshot("Tickets").len());
    let _ = tokio::signal::ctrl_c().await;
    standin.stop().await;
}
