//! Serves the Slack incoming-webhook stand-in until killed, for a demo or an
//! end-to-end test: `fieldkit-slack-standin [--port 8090]`. It prints the
//! webhook URL to save in Settings → Team; `GET /_slack/received` answers
//! the messages in the channel as JSON.

use fieldkit_standin::SlackStandin;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match args.as_slice() {
        [] => 8090,
        [flag, value] if flag == "--port" => match value.parse() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("fieldkit-slack-standin: --port: '{value}' is not a port");
                std::process::exit(2);
            }
        },
        _ => {
            eprintln!("usage: fieldkit-slack-standin [--port 8090]");
            std::process::exit(2);
        }
    };
    let slack = match SlackStandin::start(port).await {
        Ok(slack) => slack,
        Err(error) => {
            eprintln!("fieldkit-slack-standin: {error}");
            std::process::exit(1);
        }
    };
    println!("Slack webhook stand-in at {}", slack.webhook_url());
    let _ = tokio::signal::ctrl_c().await;
    slack.stop().await;
}
