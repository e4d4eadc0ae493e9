//! Connection limits of the real server: a client that trickles a request's head is cut off
//! after `--header-read-timeout`, while one that sends it in time is answered.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use berth_tests::berth::Berth;

#[test]
fn a_slow_request_head_is_cut_off_and_a_prompt_one_answered() {
    let berth = Berth::start("limits-header", &["--header-read-timeout", "1"], &[]);
    let address = berth.url.trim_start_matches("http://").to_owned();

    let mut slow = TcpStream::connect(&address).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // The head never ends: the server closes the connection (EOF, or a reset) after a second.
    let _ = slow.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(5),
        "the connection stayed open {waited:?}"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.contains("200 OK"), "{text}");

    let mut prompt = TcpStream::connect(&address).expect("connect");
    prompt
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    prompt
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    prompt.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
