//! A minimal HTTP/1.1 server side: request line, headers, Content-Length
//! bodies, keep-alive. Hand-written so faults can act on the socket itself
//! (a reset with no answer, a body cut off before its announced length).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Request line plus headers; more is refused rather than buffered.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// An attachment is at most ~6 MB, ~8 MB as base64; room beyond that for
/// the stand-in to answer "too large" itself instead of dropping the line.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

pub struct Request {
    pub method: String,
    /// Percent-decoded path, without the query string.
    pub path: String,
    pub query: HashMap<String, String>,
    /// Names lower-cased (HTTP header names are case-insensitive).
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// The client asked to close after this answer (or spoke HTTP/1.0).
    pub close: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response { status, body: value.to_string() }
    }

    /// Autotask's error shape: `{"errors":["…"]}`.
    pub fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(status, &serde_json::json!({ "errors": [message.into()] }))
    }
}

/// What to do with an answer on the wire.
pub enum Delivery {
    Normal(Response),
    /// Close with a reset (RST) and no answer.
    Reset,
    /// Announce the whole body, send part of it, close.
    Truncated(Response),
    /// A normal answer with extra headers (a 429's `Retry-After`).
    WithHeaders(Response, Vec<(String, String)>),
    /// No body; `Location` names where to go instead.
    Redirect {
        status: u16,
        location: String,
    },
    /// 200 with `bytes` bytes of body written piece by piece (never held
    /// whole), its length announced or ended by closing; what the client
    /// took is added to `sent`.
    Stream {
        bytes: u64,
        announced: bool,
        sent: Arc<AtomicU64>,
    },
}

/// The pieces a streamed body is written in.
const STREAM_PIECE: usize = 64 * 1024;

/// Why no request could be read.
pub enum ReadError {
    /// The client closed the connection, or it broke.
    Gone,
    /// The bytes are not an HTTP request we take: answer this, then close.
    Refused(Response),
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "Unknown",
    }
}

pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refused(status: u16, message: &str) -> ReadError {
    ReadError::Refused(Response::error(status, message))
}

/// Reads one line of the head, counting it against the head's budget.
async fn head_line(reader: &mut BufReader<TcpStream>, budget: &mut usize) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let limit = (*budget as u64) + 1;
    let read = (&mut *reader).take(limit).read_until(b'\n', &mut line).await.map_err(|_| ReadError::Gone)?;
    if read == 0 {
        return Err(ReadError::Gone);
    }
    if read > *budget || !line.ends_with(b"\n") {
        return Err(if read > *budget { refused(431, "The request head is too large.") } else { ReadError::Gone });
    }
    *budget -= read;
    String::from_utf8(line)
        .map(|l| l.trim_end_matches(['\r', '\n']).to_string())
        .map_err(|_| refused(400, "The request head is not text."))
}

/// Reads one request. `Err(Gone)` when the client closed the connection.
pub async fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Request, ReadError> {
    let mut budget = MAX_HEAD_BYTES;
    let mut line = head_line(reader, &mut budget).await?;
    // Tolerate blank lines between requests (RFC 9112 §2.2).
    while line.is_empty() {
        line = head_line(reader, &mut budget).await?;
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused(400, "The request line is not valid."));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(refused(400, "Only HTTP/1.x is spoken here."));
    }
    let (raw_path, query_text) = target.split_once('?').unwrap_or((target, ""));
    let query = query_text
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key, true), percent_decode(value, true))
        })
        .collect();
    let mut headers = HashMap::new();
    loop {
        let header = head_line(reader, &mut budget).await?;
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(refused(400, "A header line has no colon."));
        };
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    if headers.get("transfer-encoding").is_some_and(|v| !v.eq_ignore_ascii_case("identity")) {
        return Err(refused(411, "Send the body with a Content-Length (chunked bodies are not supported)."));
    }
    let length: usize = match headers.get("content-length") {
        None => 0,
        Some(value) => value.parse().map_err(|_| refused(400, "The Content-Length is not a number."))?,
    };
    if length > MAX_BODY_BYTES {
        return Err(refused(413, "The request body is too large."));
    }
    if headers.get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        let stream = reader.get_mut();
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.map_err(|_| ReadError::Gone)?;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.map_err(|_| ReadError::Gone)?;
    let close = version == "HTTP/1.0"
        || headers.get("connection").is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
    Ok(Request { method: method.to_string(), path: percent_decode(raw_path, false), query, headers, body, close })
}

fn head(status: u16, length: usize, close: bool) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {length}\r\n{}\r\n",
        reason(status),
        if close { "Connection: close\r\n" } else { "" }
    )
}

/// Writes the answer; `Ok(true)` when the connection stays open for the next request.
pub async fn deliver(stream: &mut TcpStream, delivery: Delivery, close: bool) -> std::io::Result<bool> {
    match delivery {
        Delivery::Normal(response) => {
            // Head and body in one write: sent apart, the body would wait on the peer's delayed ACK.
            let mut bytes = head(response.status, response.body.len(), close).into_bytes();
            bytes.extend_from_slice(response.body.as_bytes());
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            Ok(!close)
        }
        Delivery::WithHeaders(response, extra) => {
            let mut head = head(response.status, response.body.len(), close);
            head.truncate(head.len() - 2);
            for (name, value) in extra {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(response.body.as_bytes());
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            Ok(!close)
        }
        Delivery::Reset => {
            reset(stream);
            Ok(false)
        }
        Delivery::Redirect { status, location } => {
            let close = if close { "Connection: close\r\n" } else { "" };
            let head = format!(
                "HTTP/1.1 {status} {}\r\nLocation: {location}\r\nContent-Length: 0\r\n{close}\r\n",
                reason(status)
            );
            stream.write_all(head.as_bytes()).await?;
            stream.flush().await?;
            Ok(close.is_empty())
        }
        Delivery::Stream { bytes, announced, sent } => {
            stream_body(stream, bytes, announced, &sent).await?;
            Ok(false)
        }
        Delivery::Truncated(response) => {
            let body = response.body.as_bytes();
            let mut bytes = head(response.status, body.len() + 64, true).into_bytes();
            bytes.extend_from_slice(&body[..body.len() / 2]);
            stream.write_all(&bytes).await?;
            stream.flush().await?;
            // An orderly close (FIN): the client sees the body end early, not a reset.
            let _ = stream.shutdown().await;
            Ok(false)
        }
    }
}

/// Writes a 200 whose body is `bytes` bytes of JSON-looking filler, a
/// piece at a time, counting what the peer accepted; then closes.
async fn stream_body(stream: &mut TcpStream, bytes: u64, announced: bool, sent: &AtomicU64) -> std::io::Result<()> {
    let length = if announced { format!("Content-Length: {bytes}\r\n") } else { String::new() };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n{length}Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let mut piece = vec![b' '; STREAM_PIECE];
    piece[..10].copy_from_slice(b"{\"items\":[");
    let mut left = bytes;
    while left > 0 {
        let size = left.min(STREAM_PIECE as u64) as usize;
        stream.write_all(&piece[..size]).await?;
        sent.fetch_add(size as u64, Ordering::Relaxed);
        left -= size as u64;
        // Only the first piece opens the JSON.
        piece[..10].fill(b' ');
    }
    stream.flush().await?;
    stream.shutdown().await
}

/// Makes the coming close a reset (RST) instead of an orderly FIN: a zero
/// linger discards unsent data and does not block on drop.
#[allow(deprecated)] // tokio deprecates set_linger for blocking lingers; zero does not block.
pub fn reset(stream: &TcpStream) {
    let _ = stream.set_linger(Some(Duration::ZERO));
}
