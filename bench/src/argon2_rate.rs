//! The login limit: how many argon2id password hashes per second this machine computes with
//! egov's parameters, using the same code login uses, on every core.

use std::time::{Duration, Instant};

use egov_auth::password::{HashParams, PasswordHasher};

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let hasher = PasswordHasher::new(HashParams::default()).expect("default parameters");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let until = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let hasher = hasher.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while Instant::now() < until {
                    hasher.hash("gimbal orchard frosty lantern").expect("hash");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    let p = hasher.params();
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{:.1} {} {} {} {}",
            total as f64 / seconds as f64,
            p.memory_kib,
            p.iterations,
            p.parallelism,
            threads
        );
    }
}
