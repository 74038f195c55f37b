//! A minimal HTTP/1.1 server: request line, headers, Content-Length bodies,
//! keep-alive. Hand-written so faults can act on the socket itself (a reset,
//! a cut-off body).

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Request {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    /// Lower-cased names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response { status, body: value.to_string() }
    }

    pub fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(status, &serde_json::json!({ "errors": [message.into()] }))
    }
}

/// What to do with the answer on the wire.
pub enum Delivery {
    Normal(Response),
    /// Close with a reset and no answer.
    Reset,
    /// Announce the whole body, send part of it, close.
    Truncated(Response),
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads one request; `None` when the client closed the connection.
pub async fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "bad request line"));
    };
    let (path, query_text) = target.split_once('?').unwrap_or((target, ""));
    let query = query_text
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).await? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if length > 64 * 1024 * 1024 {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Request { method: method.to_string(), path: path.to_string(), query, headers, body }))
}

/// Writes the answer; `false` when the connection must close.
pub async fn deliver(stream: &mut BufReader<TcpStream>, delivery: Delivery) -> std::io::Result<bool> {
    match delivery {
        Delivery::Normal(response) => {
            let head = format!(
                "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                response.status,
                reason(response.status),
                response.body.len()
            );
            // One write: a head and a body sent apart wait on the peer's delayed ACK.
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(response.body.as_bytes());
            let stream = stream.get_mut();
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            Ok(true)
        }
        Delivery::Reset => {
            let stream = stream.get_mut();
            reset(stream);
            Ok(false)
        }
        Delivery::Truncated(response) => {
            let head = format!(
                "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                response.status,
                reason(response.status),
                response.body.len() + 100
            );
            let stream = stream.get_mut();
            stream.write_all(head.as_bytes()).await?;
            let half = response.body.len() / 2;
            stream.write_all(&response.body.as_bytes()[..half]).await?;
            stream.flush().await?;
            reset(stream);
            Ok(false)
        }
    }
}

/// Closes with a reset (RST) instead of an orderly FIN. A zero linger does
/// not block on drop, which is what tokio's deprecation warns about.
#[allow(deprecated)]
fn reset(stream: &TcpStream) {
    let _ = stream.set_linger(Some(Duration::ZERO));
}
