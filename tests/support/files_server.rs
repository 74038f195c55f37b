//! A tiny static HTTP server on loopback for the update tests: it serves
//! `latest.json` and packages from memory, like an MSP's update folder.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Files by path (`/stable/latest.json`); replaced while it runs.
#[derive(Clone, Default)]
pub struct FilesServer {
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    requests: Arc<Mutex<Vec<String>>>,
    pub port: u16,
}

impl FilesServer {
    /// Listens on 127.0.0.1 (a free port) on its own thread, for the test's life.
    pub fn start() -> FilesServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let server = FilesServer { port: listener.local_addr().expect("address").port(), ..Default::default() };
        let served = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let served = served.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).is_err() {
                        return;
                    }
                    // Skip the headers.
                    let mut line = String::new();
                    while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                        line.clear();
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    served.requests.lock().unwrap().push(path.clone());
                    let body = served.files.lock().unwrap().get(&path).cloned();
                    let mut stream = &stream;
                    let _ = match body {
                        Some(body) => stream
                            .write_all(
                                format!(
                                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                    body.len()
                                )
                                .as_bytes(),
                            )
                            .and_then(|_| stream.write_all(&body)),
                        None => stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                    };
                });
            }
        });
        server
    }

    pub fn put(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.files.lock().unwrap().insert(path.to_string(), body.into());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The paths asked for so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// A `latest.json` offering `version` for `platform` (`linux-x86_64`,
/// `linux-x86_64-deb`) at `url` with `signature` (the `.sig` file's text).
pub fn latest_json(version: &str, notes: &str, platform: &str, url: &str, signature: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&serde_json::json!({
        "version": version,
        "notes": notes,
        "pub_date": "2026-12-01T09:00:00Z",
        "platforms": { platform: { "url": url, "signature": signature.trim() } }
    }))
    .expect("json")
}
