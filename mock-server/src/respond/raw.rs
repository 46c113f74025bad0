//! The raw HTTP/1.1 writer: the response head and body written byte by byte on
//! a hijacked connection, for faults hyper would refuse to send (wrong
//! Content-Length, lower-case names, slow heads, raw bytes, cut bodies).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::headers::{SERVER, canonical, expose_all};
use super::plan::{Cut, Plan};
use super::pump::Pump;
use crate::control::journal::ConnectionEnd;
use crate::control::record::RequestGuard;
use crate::net::conn::RawIo;

/// Write `bytes`, `step` bytes every `every_ms` when slow, else at once.
async fn write_paced(
    io: &mut RawIo,
    bytes: &[u8],
    pace: Option<(u64, u64)>,
) -> std::io::Result<()> {
    match pace {
        None => io.write_all(bytes).await?,
        Some((step, every_ms)) => {
            for (i, piece) in bytes
                .chunks(step.max(1).min(usize::MAX as u64) as usize)
                .enumerate()
            {
                if i > 0 {
                    tokio::time::sleep(Duration::from_millis(every_ms)).await;
                }
                io.write_all(piece).await?;
                io.flush().await?;
            }
        }
    }
    io.flush().await
}

/// Wait until the client closes the connection (reading and discarding what it sends).
pub async fn until_client_gone(io: &mut RawIo) {
    let mut buf = [0u8; 4096];
    loop {
        match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

/// The response head as bytes.
pub fn head(plan: &Plan, extra: &[(String, String)], closing: bool) -> Vec<u8> {
    let mut lines = vec![format!("HTTP/1.1 {} {}", plan.status, reason(plan.status))];
    let mut headers: Vec<(String, String)> = vec![
        ("Server".into(), SERVER.into()),
        (
            "Date".into(),
            httpdate::fmt_http_date(std::time::SystemTime::now()),
        ),
        ("Content-Type".into(), plan.content_type.clone()),
    ];
    if plan.is_chunked() {
        headers.push(("Transfer-Encoding".into(), "chunked".into()));
    } else {
        headers.push(("Content-Length".into(), plan.announced_len().to_string()));
    }
    if plan.gzip {
        headers.push(("Content-Encoding".into(), "gzip".into()));
    }
    headers.push((
        "Connection".into(),
        if closing { "close" } else { "keep-alive" }.into(),
    ));
    headers.extend(extra.iter().cloned());
    headers.extend(plan.headers.iter().cloned());
    expose_all(&mut headers, &[]);
    for (n, v) in headers {
        let n = if plan.lowercase {
            n.to_ascii_lowercase()
        } else {
            canonical(&n)
        };
        lines.push(format!("{n}: {v}"));
    }
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Serve the plan on a hijacked HTTP/1.1 connection; the connection is closed or reset at the end.
pub async fn respond(
    mut io: RawIo,
    plan: &Plan,
    extra: &[(String, String)],
    head_only: bool,
    mut guard: RequestGuard,
) {
    let conn = io.conn().clone();
    if let Some(raw) = &plan.raw {
        let _ = write_paced(&mut io, raw, plan.slow_headers).await;
        guard.bytes_sent(raw.len() as u64);
        conn.close().await;
        guard.finish(ConnectionEnd::ServerClose);
        return;
    }
    if plan.stall {
        until_client_gone(&mut io).await;
        conn.close().await;
        guard.finish(ConnectionEnd::ClientAbort);
        return;
    }
    // Whether the response is whole as announced: then it ends with an honest close.
    let whole = plan.cut.is_none() && (plan.cl_delta <= 0 || plan.is_chunked());
    let head = head(plan, extra, whole);
    guard.status(plan.status);
    if write_paced(&mut io, &head, plan.slow_headers)
        .await
        .is_err()
    {
        guard.finish(ConnectionEnd::ClientAbort);
        return;
    }
    let mut limit = if head_only { 0 } else { u64::MAX };
    if !plan.is_chunked() {
        limit = limit.min(plan.announced_len());
    }
    if let Some(cut) = plan.cut {
        limit = limit.min(cut.at());
    }
    let handle = guard.handle();
    let mut pump = Pump::new(plan, limit).digest_to(move |sha| handle.body_sha256(sha));
    let mut sent = 0u64;
    while let Some(piece) = pump.next().await {
        let res = if plan.is_chunked() {
            let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
            framed.extend_from_slice(&piece);
            framed.extend_from_slice(b"\r\n");
            io.write_all(&framed).await
        } else {
            io.write_all(&piece).await
        };
        if res.is_err() {
            guard.bytes_sent(sent);
            guard.finish(ConnectionEnd::ClientAbort);
            return;
        }
        sent += piece.len() as u64;
        guard.sending(sent);
        if sent % (256 * 1024) < piece.len() as u64 {
            guard.bytes_sent(sent);
        }
        if plan.trickle.is_some() || plan.bandwidth_bps.is_some() {
            let _ = io.flush().await;
        }
    }
    guard.bytes_sent(sent);
    let _ = io.flush().await;
    match plan.cut {
        Some(Cut::StallAfter(_)) => {
            until_client_gone(&mut io).await;
            conn.close().await;
            guard.finish(ConnectionEnd::ClientAbort);
        }
        Some(Cut::ResetAfter(_)) => {
            // Give the kernel a moment to hand the last bytes to the peer: a reset drops unsent data.
            tokio::time::sleep(Duration::from_millis(50)).await;
            conn.reset();
            guard.finish(ConnectionEnd::ServerReset);
        }
        Some(Cut::CloseAfter(_)) => {
            conn.close().await;
            guard.finish(ConnectionEnd::ServerClose);
        }
        None if !whole => {
            conn.close().await;
            guard.finish(ConnectionEnd::ServerClose);
        }
        None => {
            if plan.is_chunked() && !head_only && io.write_all(b"0\r\n\r\n").await.is_err() {
                guard.finish(ConnectionEnd::ClientAbort);
                return;
            }
            let _ = io.flush().await;
            conn.close().await;
            guard.finish(ConnectionEnd::Complete);
        }
    }
}

/// Write an already built response on a hijacked HTTP/1.1 connection with every header name
/// in lower case (HTTP/2's form, and many gateways' on HTTP/1.1), then close the connection.
/// A body without a Content-Length is read whole first so that one can be announced.
pub async fn relay_lowercase(
    mut io: RawIo,
    response: http::Response<super::hyper_body::RespBody>,
    mut guard: RequestGuard,
) {
    use http_body_util::BodyExt;

    let conn = io.conn().clone();
    let (parts, mut body) = response.into_parts();
    let status = parts.status.as_u16();
    guard.status(status);
    let mut lines = vec![format!("HTTP/1.1 {status} {}", reason(status))];
    let mut known = None;
    if !parts.headers.contains_key(http::header::CONTENT_LENGTH) {
        match body.collect().await {
            Ok(collected) => known = Some(collected.to_bytes()),
            Err(_) => {
                conn.close().await;
                guard.finish(ConnectionEnd::ServerClose);
                return;
            }
        }
        body = super::hyper_body::empty();
    }
    for (name, value) in &parts.headers {
        // `HeaderName` keeps names in lower case already; the raw writer only has to keep them so.
        lines.push(format!(
            "{}: {}",
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    if let Some(bytes) = &known {
        lines.push(format!("content-length: {}", bytes.len()));
    }
    lines.push("connection: close".into());
    let mut head = lines.join("\r\n").into_bytes();
    head.extend_from_slice(b"\r\n\r\n");
    if io.write_all(&head).await.is_err() {
        guard.finish(ConnectionEnd::ClientAbort);
        return;
    }
    let mut sent = 0u64;
    if let Some(bytes) = known {
        if io.write_all(&bytes).await.is_err() {
            guard.finish(ConnectionEnd::ClientAbort);
            return;
        }
        sent = bytes.len() as u64;
    }
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map(|f| f.into_data()) else {
            conn.close().await;
            guard.bytes_sent(sent);
            guard.finish(ConnectionEnd::ServerClose);
            return;
        };
        let Ok(data) = data else { continue };
        if io.write_all(&data).await.is_err() {
            guard.bytes_sent(sent);
            guard.finish(ConnectionEnd::ClientAbort);
            return;
        }
        sent += data.len() as u64;
    }
    guard.bytes_sent(sent);
    let _ = io.flush().await;
    conn.close().await;
    guard.finish(ConnectionEnd::Complete);
}
