//! The multiple reserve price lottery (복수예비가격), made verifiable (pure).
//!
//! At publication a random 32-byte seed is drawn; its SHA-256 is published with the notice and
//! the seed itself is sealed to the tender's opening key, so nobody can compute the reserve
//! prices before the opening. At the opening the seed is revealed and anyone can recompute:
//!
//! ```text
//! N reserve prices, range r (basis points), base amount B in minor units, for lot L:
//!   x_i = first 4 bytes (big-endian) of SHA-256(seed ‖ L ‖ 0x00 ‖ i),   i = 0..N-1
//!   p_i = floor( (B·(10000 − r)·N·2³² + 2·r·B·(i·2³² + x_i)) / (10000·N·2³²) )
//! ```
//!
//! that is, the range B(1 − r) .. B(1 + r) cut into N equal bands with one point drawn in each.
//! Each valid bid picks `picks` distinct indices; `c_i` counts the picks of index i; the
//! `averaged` indices with the largest counts (ties: the lower index first) are averaged and
//! rounded down to the currency's minor unit: that is the estimated price (예정가격).

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::domain::rules::Lottery;

/// The outcome of a draw, as published at the opening.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Draw {
    /// The reserve prices, index 0 first.
    #[schema(value_type = Vec<String>)]
    pub reserve_prices: Vec<Decimal>,
    /// How many valid bids picked each index.
    pub counts: Vec<u32>,
    /// The indices averaged, most picked first.
    pub chosen: Vec<u8>,
    #[schema(value_type = String)]
    pub estimated_price: Decimal,
}

/// The largest base amount the lottery accepts, in minor units (keeps the arithmetic in u128).
pub const MAX_BASE_MINOR: u128 = 1_000_000_000_000_000_000;

/// Converts an amount to minor units; `None` if it has more decimals than the currency or is
/// negative or too large.
pub fn to_minor(amount: Decimal, minor_units: u32) -> Option<u128> {
    if amount.is_sign_negative() || amount.scale() > minor_units {
        return None;
    }
    let scaled = amount.checked_mul(Decimal::from(10u64.pow(minor_units)))?;
    let v = u128::try_from(scaled.trunc().mantissa() / 10i128.pow(scaled.trunc().scale())).ok()?;
    (v <= MAX_BASE_MINOR).then_some(v)
}

fn from_minor(v: u128, minor_units: u32) -> Decimal {
    Decimal::from_i128_with_scale(i128::try_from(v).unwrap_or(i128::MAX), minor_units).normalize()
}

/// The reserve prices of `lot`, in minor units.
pub fn reserve_prices(seed: &[u8], lot: &str, base_minor: u128, l: &Lottery) -> Vec<u128> {
    let n = u128::from(l.reserve_prices);
    let r = u128::from(l.range_bp);
    let two32: u128 = 1 << 32;
    (0..l.reserve_prices)
        .map(|i| {
            let mut h = Sha256::new();
            h.update(seed);
            h.update(lot.as_bytes());
            h.update([0u8, i]);
            let d = h.finalize();
            let x = u128::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]));
            let num = base_minor * (10_000 - r) * n * two32
                + 2 * r * base_minor * (u128::from(i) * two32 + x);
            num / (10_000 * n * two32)
        })
        .collect()
}

/// Draws the estimated price of `lot` from the seed and the valid bids' picks.
pub fn draw(
    seed: &[u8],
    lot: &str,
    base_minor: u128,
    minor_units: u32,
    l: &Lottery,
    picks: &[Vec<u8>],
) -> Draw {
    let prices = reserve_prices(seed, lot, base_minor, l);
    let mut counts = vec![0u32; prices.len()];
    for p in picks {
        for &i in p {
            if let Some(c) = counts.get_mut(usize::from(i)) {
                *c += 1;
            }
        }
    }
    let mut order: Vec<u8> = (0..l.reserve_prices).collect();
    order.sort_by(|a, b| {
        counts[usize::from(*b)]
            .cmp(&counts[usize::from(*a)])
            .then(a.cmp(b))
    });
    order.truncate(usize::from(l.averaged));
    let sum: u128 = order.iter().map(|&i| prices[usize::from(i)]).sum();
    let estimated = sum / u128::from(l.averaged.max(1));
    Draw {
        reserve_prices: prices.iter().map(|&p| from_minor(p, minor_units)).collect(),
        counts,
        chosen: order,
        estimated_price: from_minor(estimated, minor_units),
    }
}

/// The seed's commitment: hex SHA-256.
pub fn commitment(seed: &[u8]) -> String {
    hex::encode(Sha256::digest(seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kr() -> Lottery {
        Lottery {
            reserve_prices: 15,
            range_bp: 200,
            picks: 2,
            averaged: 4,
            citation: "test citation".into(),
        }
    }

    #[test]
    fn prices_fall_in_their_bands_within_the_range() {
        let base = 100_000_000u128;
        let p = reserve_prices(&[7u8; 32], "1", base, &kr());
        assert_eq!(p.len(), 15);
        let w = 2 * 200 * base / 10_000 / 15;
        for (i, &v) in p.iter().enumerate() {
            let low = base * 9_800 / 10_000 + w * i as u128;
            assert!(v >= low && v <= low + w + 1, "{i}: {v}");
        }
        assert!(p.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn the_four_most_picked_are_averaged_ties_to_the_lower_index() {
        let l = kr();
        let picks = vec![vec![3, 9], vec![3, 9], vec![9, 1], vec![3, 14], vec![5, 6]];
        let d = draw(&[1u8; 32], "1", 50_000_000, 0, &l, &picks);
        assert_eq!(d.counts[3], 3);
        assert_eq!(d.counts[9], 3);
        // 3 and 9 (three picks), then 1, 5, 6, 14 (one each): 1 and 5 by index.
        assert_eq!(d.chosen, vec![3, 9, 1, 5]);
        let p = reserve_prices(&[1u8; 32], "1", 50_000_000, &l);
        let e = (p[3] + p[9] + p[1] + p[5]) / 4;
        assert_eq!(d.estimated_price, Decimal::from(e as u64));
    }

    #[test]
    fn minor_units_conversion() {
        assert_eq!(to_minor(Decimal::new(12345, 2), 2), Some(12345));
        assert_eq!(to_minor(Decimal::new(12345, 2), 0), None);
        assert_eq!(to_minor(Decimal::from(-1), 0), None);
        assert_eq!(to_minor(Decimal::from(1_000_000), 0), Some(1_000_000));
    }
}
