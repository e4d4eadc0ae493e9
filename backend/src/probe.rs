//! `berth probe URL`: a health check from inside Berth's own image, which has no shell and no
//! HTTP client. One plain HTTP/1.1 GET, with a deadline; only the status line is read.

use std::{
    io::{Read, Write},
    net::{TcpStream, ToSocketAddrs},
    time::Duration,
};

/// `Ok` when `GET url` answers 200 within `within` (each of connecting, sending and reading);
/// otherwise what went wrong, in words.
pub fn probe(url: &str, within: Duration) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// addresses are probed"))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    let address = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, within)
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    stream
        .set_read_timeout(Some(within))
        .and_then(|()| stream.set_write_timeout(Some(within)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: berth-probe\r\n\r\n"
    )
    .map_err(|e| format!("cannot send to {address}: {e}"))?;
    let mut head = [0_u8; 64];
    let read = stream
        .read(&mut head)
        .map_err(|e| format!("no answer from {address}: {e}"))?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    let status = status_line.split_whitespace().nth(1).unwrap_or_default();
    if status == "200" {
        Ok(())
    } else {
        Err(format!(
            "{url} answered {:?}",
            status_line.lines().next().unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::{io::BufRead, net::TcpListener};

    use super::*;

    /// A one-answer server on loopback: it answers `status_line` to the first request.
    fn answering(status_line: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = std::io::BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                reader.get_mut(),
                "{status_line}\r\ncontent-length: 0\r\n\r\n"
            );
        });
        format!("http://{address}/api/health")
    }

    #[test]
    fn a_200_is_healthy_and_anything_else_says_why_not() {
        let second = Duration::from_secs(1);
        assert_eq!(probe(&answering("HTTP/1.1 200 OK"), second), Ok(()));
        let refused = probe(&answering("HTTP/1.1 503 Service Unavailable"), second).unwrap_err();
        assert!(refused.contains("503"), "{refused}");
        let closed = probe("http://127.0.0.1:1/api/health", second).unwrap_err();
        assert!(closed.contains("cannot connect"), "{closed}");
        let https = probe("https://127.0.0.1/api/health", second).unwrap_err();
        assert!(https.contains("only http://"), "{https}");
    }
}
