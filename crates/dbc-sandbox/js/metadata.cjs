// Print the runtime metadata of a chain spec's `:code`, offline, as 0x-hex on stdout.
// Runs the runtime's own `Metadata_metadata` in chopsticks' wasm executor (no
// network, no server), reading genesis storage from the spec if the call asks.
// Usage: node metadata.cjs <spec.json>
'use strict';
const fs = require('fs');
// A plain module path (resolved from node_modules here, inlined by bundle.cjs).
const core = require('@acala-network/chopsticks-core/wasm-executor/index');

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const top = spec.genesis.raw.top;
  const code = top['0x3a636f6465'];
  if (!code) throw new Error('the spec has no :code');
  const handler = {
    ...core.emptyTaskHandler,
    getStorage: async (key) => top[key] ?? undefined,
  };
  const res = await core.runTask(
    { wasm: code, calls: [['Metadata_metadata', []]], mockSignatureHost: false, allowUnresolvedImports: false, runtimeLogLevel: 0 },
    handler,
  );
  if (!('Call' in res)) throw new Error('Metadata_metadata failed: ' + JSON.stringify(res));
  await core.destroyWorker();
  // stdout is a pipe, and Node writes pipes asynchronously on POSIX: what the
  // kernel's 64 KiB pipe buffer has not taken yet is queued in this process,
  // and process.exit() drops it. With a reader slowed down by a busy machine
  // the ~700 KB of hex arrived cut at 65,536 bytes ("metadata is not a SCALE
  // Vec<u8>"). Exit only once the whole text has been handed to the pipe.
  process.stdout.write(res.Call.result + '\n', (err) => process.exit(err ? 1 : 0));
}
main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n', () => process.exit(1));
});
