// The polkadot.js side of `make bench` (crates/dbc-sandbox/examples/market_load.rs):
// what a polkadot.js app does to get the machine list with free-GPU counts,
// `api.query.onlineProfile.machinesInfo.entries()` plus
// `api.query.onlineProfile.machineRentedGPU.entries()`, both at one block
// (`api.at(hash)`), concurrently. Decoding is polkadot.js' own (metadata
// types, done as entries arrive); nothing is converted further.
//
// usage: node market-load-bench.cjs WS_URL RUNS [BLOCK_HASH]
// prints one JSON line: {setupMs, timesMs: [...], machines, rentedEntries, block}
// setupMs (connect + metadata + types) is reported apart and is not in timesMs,
// as connection set-up is excluded on the Rust side too.
'use strict';
const { ApiPromise, WsProvider } = require('@polkadot/api');
const { performance } = require('node:perf_hooks');

async function main() {
  const [url, runsArg, hashArg] = process.argv.slice(2);
  if (!url) throw new Error('usage: market-load-bench.cjs WS_URL RUNS [BLOCK_HASH]');
  const runs = Math.max(1, Number(runsArg || 5));
  const t0 = performance.now();
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
  const setupMs = performance.now() - t0;
  const hash = hashArg || (await api.rpc.chain.getBlockHash()).toHex();
  const timesMs = [];
  let machines = 0;
  let rentedEntries = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const at = await api.at(hash);
    const [infos, rented] = await Promise.all([
      at.query.onlineProfile.machinesInfo.entries(),
      at.query.onlineProfile.machineRentedGPU.entries(),
    ]);
    timesMs.push(performance.now() - t);
    machines = infos.length;
    rentedEntries = rented.length;
  }
  process.stdout.write(JSON.stringify({ setupMs, timesMs, machines, rentedEntries, block: hash }) + '\n');
  await api.disconnect();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`market-load-bench: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
