// Reference answers from @polkadot/keyring, for the Rust wallet tests.
// Reads one JSON request on stdin, prints one JSON answer on stdout:
//   {"op":"addresses","uris":["<phrase>//hard", ...]}        -> {"addresses":[...]}
//   {"op":"toJson","uri":"...","password":"...","name":"..."} -> {"json":{...},"address":"..."}
//   {"op":"decode","json":{...},"password":"..."}             -> {"address":"...","publicKey":"0x..."}
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const input = await new Promise((resolve) => {
  let s = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (c) => (s += c));
  process.stdin.on('end', () => resolve(s));
});
await cryptoWaitReady();
const req = JSON.parse(input);
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
let out;
switch (req.op) {
  case 'addresses':
    out = { addresses: req.uris.map((u) => keyring.addFromUri(u).address) };
    break;
  case 'toJson': {
    const pair = keyring.addFromUri(req.uri, { name: req.name });
    out = { json: pair.toJson(req.password), address: pair.address };
    break;
  }
  case 'decode': {
    const pair = keyring.addFromJson(req.json);
    pair.decodePkcs8(req.password); // throws on a wrong password or a bad file
    const signature = pair.sign(new TextEncoder().encode('dbc'));
    out = { address: pair.address, publicKey: u8aToHex(pair.publicKey), verifies: pair.verify(new TextEncoder().encode('dbc'), signature, pair.publicKey), locked: pair.isLocked };
    break;
  }
  default:
    throw new Error(`unknown op ${req.op}`);
}
process.stdout.write(JSON.stringify(out));
