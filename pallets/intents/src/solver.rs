//! A reference batch for one market at a given price: the matching a solver submits.
//! Pure arithmetic over the intents it is given, so the `machina-solver` binary and the
//! tests use the same code; the runtime re-checks everything it proposes.

use crate::types::*;
use alloc::vec::Vec;
use sp_core::U256;

/// Whether executing `executed` of `intent` at `price` (after `fee`) meets its limit.
fn meets_limit<A, B: Copy + Into<u128>>(
	intent: &Intent<A, B>,
	price: &ClearingPrice,
	executed: u128,
	fee: sp_runtime::Permill,
) -> bool {
	let net = executed - fee.mul_floor(executed);
	match price.proceeds(intent.side, net) {
		Some(out) => {
			U256::from(out) * U256::from(intent.give.into()) >= U256::from(executed) * U256::from(intent.want.into())
		},
		None => false,
	}
}

/// Fills for the intents of one market that cross at `price`, balanced so that the base
/// asset sold equals the base asset bought exactly (then the quote asset balances too,
/// rounding in the batch's favour). Intents that do not allow partial fills are filled
/// whole or not at all. Returns no fills when nothing crosses.
pub fn batch_at_price<A, B: Copy + Into<u128>>(
	price: &ClearingPrice,
	fee: sp_runtime::Permill,
	intents: &[(IntentId, Intent<A, B>)],
) -> Vec<Fill> {
	let remaining = |i: &Intent<A, B>| i.give.into().saturating_sub(i.given.into());
	let base_out = |quote: u128| price.proceeds(Side::Buy, quote - fee.mul_floor(quote)).unwrap_or(0);
	let sells: Vec<_> = intents
		.iter()
		.filter(|(_, i)| i.side == Side::Sell && remaining(i) > 0 && meets_limit(i, price, remaining(i), fee))
		.collect();
	let buys: Vec<_> = intents
		.iter()
		.filter(|(_, i)| i.side == Side::Buy && remaining(i) > 0 && meets_limit(i, price, remaining(i), fee))
		.collect();
	let supply = sells.iter().fold(0u128, |a, (_, i)| a.saturating_add(remaining(i) - fee.mul_floor(remaining(i))));
	let demand = buys.iter().fold(0u128, |a, (_, i)| a.saturating_add(base_out(remaining(i))));
	let mut cap = supply.min(demand);
	// The least net input on `side` that still receives `out` (the runtime refuses more).
	let least_net = |side: Side, out: u128| {
		let (num, den) = match side {
			Side::Sell => (price.base, price.quote),
			Side::Buy => (price.quote, price.base),
		};
		let (q, r) = (U256::from(out) * U256::from(num)).div_mod(U256::from(den));
		(q + if r.is_zero() { U256::zero() } else { U256::one() }).low_u128()
	};
	// The least executed amount whose net (after the fee) is at least `net`.
	let gross = |net: u128| {
		let parts = 1_000_000u128 - fee.deconstruct() as u128;
		let mut x = (U256::from(net) * U256::from(1_000_000u128) / U256::from(parts.max(1))).low_u128();
		while x > 0 && x - 1 - fee.mul_floor(x - 1) >= net {
			x -= 1;
		}
		while x - fee.mul_floor(x) < net {
			x += 1;
		}
		x
	};
	for _ in 0..4 {
		// Buyers up to `cap` base.
		let mut buy_fills = Vec::new();
		let mut bought = 0u128;
		for (id, i) in buys.iter() {
			let rem = remaining(i);
			let full = base_out(rem);
			let quote = if bought.saturating_add(full) <= cap {
				rem
			} else if i.partial {
				// The least quote that buys what is left (or less, within its escrow).
				let left = cap - bought;
				let mut q = gross(least_net(Side::Buy, left)).min(rem);
				while q > 0 && base_out(q) > left {
					q -= 1;
				}
				let out = base_out(q);
				if out > 0 {
					gross(least_net(Side::Buy, out)).min(q)
				} else {
					0
				}
			} else {
				0
			};
			if quote > 0 && base_out(quote) > 0 && meets_limit(i, price, quote, fee) {
				bought += base_out(quote);
				buy_fills.push(Fill { intent: *id, executed: quote });
			}
		}
		// Sellers for exactly `bought` base (net of fees).
		let mut sell_fills = Vec::new();
		let mut sold = 0u128;
		for (id, i) in sells.iter() {
			let rem = remaining(i);
			let net_full = rem - fee.mul_floor(rem);
			let executed = if sold.saturating_add(net_full) <= bought {
				rem
			} else if i.partial {
				// The executed amount whose net is exactly what is left.
				let left = bought - sold;
				let x = gross(left).min(rem);
				if x - fee.mul_floor(x) == left {
					x
				} else {
					0
				}
			} else {
				0
			};
			if executed > 0 && meets_limit(i, price, executed, fee) {
				sold += executed - fee.mul_floor(executed);
				sell_fills.push(Fill { intent: *id, executed });
			}
		}
		if sold == bought {
			if bought == 0 {
				return Vec::new();
			}
			buy_fills.extend(sell_fills);
			return buy_fills;
		}
		// Supply could not match demand exactly: try again with less.
		cap = sold.min(bought).saturating_sub(if sold < bought { 0 } else { 1 });
	}
	Vec::new()
}
