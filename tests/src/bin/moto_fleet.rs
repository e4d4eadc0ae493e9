//! A moto seeded with the large fleet of [`berth_tests::fixtures::seed_large_fleet`], for the
//! console benchmark over the SDK path (`benches/load/moto_large.py`).
//!
//! usage: `moto_fleet INSTANCES SERVICES TASKS_PER_SERVICE`
//!
//! Starts moto on a free loopback port, seeds it, and prints `ready <moto URL>`. Then each line
//! `run N GROUP` read from standard input starts N tasks (10 per RunTask call) in task group
//! GROUP and answers `ran N`. Moto stops when standard input closes.
#![allow(
    clippy::print_stdout,
    reason = "the benchmark reads its answers on stdout"
)]

use std::io::{BufRead, Write};

use berth_tests::{fixtures, moto::Moto};

#[tokio::main]
async fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("usage: moto_fleet INSTANCES SERVICES TASKS_PER_SERVICE")
        })
        .collect();
    let [instances, services, tasks_per_service] = numbers[..] else {
        panic!("usage: moto_fleet INSTANCES SERVICES TASKS_PER_SERVICE");
    };
    let moto = Moto::start().await;
    fixtures::seed_large_fleet(&moto, instances, services, tasks_per_service).await;
    let ecs = moto.ecs().await;
    println!("ready {}", moto.url);
    std::io::stdout().flush().expect("stdout");
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let ["run", count, group] = words[..] else {
            println!("unknown command {line:?}: say `run N GROUP`");
            continue;
        };
        let count: usize = count.parse().expect("a task count");
        let mut left = count;
        while left > 0 {
            fixtures::run_tasks(&ecs, group, left.min(10)).await;
            left = left.saturating_sub(10);
        }
        println!("ran {count}");
        std::io::stdout().flush().expect("stdout");
    }
}
