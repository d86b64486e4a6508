// The reserve-price draw recomputed in the reader's browser (docs/procurement/README.md,
// "The reserve price lottery"), independently of the server: from the seed revealed at the
// opening and the valid bids' picks, by the formula the notice publishes.
//
//   x_i = first 4 bytes (big-endian) of SHA-256(seed ‖ lot ‖ 0x00 ‖ i)
//   p_i = floor((B·(10000 − r)·N·2³² + 2·r·B·(i·2³² + x_i)) / (10000·N·2³²))
//   estimated = floor(mean of the `averaged` most-picked p_i; ties to the lower index)
//
// Each `[data-draw]` block carries the published inputs and results; its button (hidden
// without script) checks the seed against its commitment, the reserve prices and the estimated
// price, and says the outcome in a live region. BigInt keeps the arithmetic exact.
(function draw() {
  const subtle = window.crypto && window.crypto.subtle;
  if (!subtle || typeof BigInt !== 'function') return;

  const sha256 = async (bytes) => new Uint8Array(await subtle.digest('SHA-256', bytes));
  const fromHex = (s) => new Uint8Array((s.match(/../g) || []).map((h) => parseInt(h, 16)));
  const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  // A decimal string ("98123456.5") in minor units of a currency with `units` decimals.
  const minor = (dec, units) => {
    const [whole, frac = ''] = String(dec).split('.');
    return BigInt(whole + frac.padEnd(units, '0').slice(0, units));
  };

  async function recompute(d) {
    const seed = fromHex(d.seed);
    const lot = new TextEncoder().encode(d.lot);
    const count = Number(d.n);
    const n = BigInt(count);
    const r = BigInt(d.range);
    const units = Number(d.units);
    const base = minor(d.base, units);
    const two32 = 1n << 32n;
    const prices = [];
    for (let i = 0; i < count; i += 1) {
      const msg = new Uint8Array(seed.length + lot.length + 2);
      msg.set(seed, 0);
      msg.set(lot, seed.length);
      msg[seed.length + lot.length] = 0;
      msg[seed.length + lot.length + 1] = i;
      const h = await sha256(msg);
      const x = BigInt(h[0]) * 16777216n + BigInt(h[1]) * 65536n + BigInt(h[2]) * 256n + BigInt(h[3]);
      prices.push((base * (10000n - r) * n * two32 + 2n * r * base * (BigInt(i) * two32 + x))
        / (10000n * n * two32));
    }
    const counts = new Array(count).fill(0);
    for (const picks of JSON.parse(d.picks)) {
      for (const i of picks) if (i >= 0 && i < count) counts[i] += 1;
    }
    const order = counts.map((_, i) => i).sort((a, b) => (counts[b] - counts[a]) || (a - b));
    const averaged = Math.max(1, Number(d.averaged));
    const chosen = order.slice(0, averaged);
    const sum = chosen.reduce((s, i) => s + prices[i], 0n);
    const committed = toHex(await sha256(seed)) === d.commitment;
    const published = JSON.parse(d.published).map((p) => minor(p, units));
    const samePrices = published.length === prices.length
      && published.every((p, i) => p === prices[i]);
    const sameEstimate = minor(d.estimated, units) === sum / BigInt(averaged);
    return committed && samePrices && sameEstimate;
  }

  for (const block of document.querySelectorAll('[data-draw]')) {
    const button = block.querySelector('button');
    const out = block.querySelector('[data-result]');
    if (!button || !out) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      let ok = false;
      try {
        ok = await recompute(block.dataset);
      } catch (e) {
        ok = false;
      }
      out.textContent = ok ? block.dataset.ok : block.dataset.bad;
      out.className = ok ? 'egov-draw-ok' : 'egov-draw-bad';
      button.disabled = false;
    });
  }
}());
