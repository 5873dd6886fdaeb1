// The Wallet step through the whole app with a mocked back end: create with a verified
// backup or "back up later", import, send, the keyring notice and the live balance.
import { beforeEach, describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mockCommands, type Handler, button, eachTest, lastArgs, sendOnChannel, typeInto } from './test-backend';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { applyLanguage } from './lib/i18n';
import type { AccountView, Balance, StoreInfo, WalletOverview } from './lib/ipc';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const WORDS = ['apple', 'bread', 'cable', 'dance', 'eagle', 'fabric', 'gallery', 'habit', 'ice', 'jacket', 'walk', 'kangaroo'];
// The words plus decoys, shuffled; "walk" appears twice.
const POOL = [
  'kangaroo',
  'walk',
  'zebra',
  'jacket',
  'ice',
  'habit',
  'gallery',
  'walk',
  'fabric',
  'eagle',
  'dance',
  'cable',
  'bread',
  'apple',
];
const PASSWORD = 'correct horse';

const KEYRING_OK: StoreInfo = { kind: 'os-keyring', osKeyring: { available: true, locked: false, reason: null }, fileStoreChosen: false };
const BALANCE: Balance = {
  free: '1500000000000000000',
  reserved: '10000000000000000',
  frozen: '0',
  transferable: '1490000000000000000',
  block: 1234567,
};

let calls: Array<[string, Record<string, unknown>]>;
let overview: WalletOverview;
let picks: number;

function account(partial: Partial<AccountView> = {}): AccountView {
  return { id: 'a1', name: 'Main', address: ALICE, backedUp: true, source: 'created', hasMnemonic: true, ...partial };
}

function mockBackend(overrides: Record<string, Handler> = {}) {
  mockCommands(
    {
      app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
      get_settings: () => ({ language: 'en', network: 'practice' }),
      network_status: () => ({ network: 'practice', state: 'connected', endpoint: 'ws://127.0.0.1:9944', bestBlock: 10, specVersion: 400 }),
      wallet_overview: () => overview,
      wallet_balance: () => BALANCE,
      wallet_create_begin: (a) => ({ draftId: 'd1', words: WORDS.slice(0, a.words as number) }),
      wallet_backup_challenge: () => ({ pool: POOL }),
      wallet_backup_pick: (a) => {
        const correct = a.position === picks && WORDS[picks] === a.word;
        if (correct) picks++;
        return { correct, complete: picks === WORDS.length };
      },
      wallet_create_finish: (a) => {
        const created = account({ id: 'new', name: a.name as string, backedUp: a.backedUp as boolean });
        overview = { ...overview, accounts: [...overview.accounts, created], activeId: 'new' };
        return created;
      },
      check_address: (a) => {
        const address = String(a.address);
        return address.startsWith('5') && address.length === 48
          ? { valid: true, address, reason: null }
          : { valid: false, address: null, reason: 'bad base58' };
      },
      wallet_send_quote: () => ({ fee: '12500000000000', total: '1512500000000000', transferable: BALANCE.transferable, enough: true }),
      ...overrides,
    },
    (cmd, a) => calls.push([cmd, a]),
  );
}

const argsOf = (cmd: string) => lastArgs(calls, cmd);

/** Opens Create and gets to the words step. */
async function openWords() {
  await fireEvent.click(await screen.findByTestId('wallet-create'));
  await screen.findByTestId('create-dialog');
  await fireEvent.click(screen.getByTestId('create-understood'));
  return screen.findByTestId('create-words');
}

eachTest(() => {
  calls = [];
  picks = 0;
  overview = { accounts: [], activeId: null, store: KEYRING_OK };
});

test('the first frame with the wallet controls is recorded for the bench, once the wallet is read', async () => {
  mockBackend();
  render(App);
  await screen.findByTestId('wallet-create');
  await waitFor(() => expect(window.__dbcWalletReady).toBeGreaterThan(0));
});

describe('create', () => {
  test('words hidden until revealed and again on blur; a wrong pick is marked and not placed; finish with backedUp true', async () => {
    mockBackend();
    render(App);
    expect(await screen.findByTestId('wallet-welcome')).toBeTruthy();
    expect(screen.queryByTestId('keyring-notice')).toBeNull();

    const grid = await openWords();
    expect(argsOf('wallet_create_begin')).toEqual({ words: 12 });
    expect(grid.dataset.hidden).toBe('true');
    for (const w of WORDS) expect(grid.textContent).not.toContain(w);
    expect(button('create-written').disabled).toBe(true);
    expect(screen.queryByText(/copy/i)).toBeNull();

    await fireEvent.click(screen.getByTestId('create-reveal'));
    expect(grid.dataset.hidden).toBe('false');
    expect(screen.getByTestId('create-word-1').textContent).toContain('apple');
    expect(screen.getByTestId('create-word-12').textContent).toContain('kangaroo');

    await fireEvent.blur(window);
    await waitFor(() => expect(grid.dataset.hidden).toBe('true'));
    expect(grid.textContent).not.toContain('apple');

    await fireEvent.click(screen.getByTestId('create-written'));
    await screen.findByTestId('verify-pool');
    expect(screen.queryByTestId('create-words')).toBeNull();
    expect(screen.getByTestId('verify-word-walk-0')).toBeTruthy();
    expect(screen.getByTestId('verify-word-walk-1')).toBeTruthy();
    expect(button('verify-done').disabled).toBe(true);

    // Wrong first: marked, not placed.
    await fireEvent.click(screen.getByTestId('verify-word-zebra'));
    await waitFor(() => expect(screen.getByTestId('verify-word-zebra').dataset.wrong).toBe('true'));
    expect(screen.getByTestId('verify-word-zebra').classList.contains('wrong')).toBe(true);
    expect(screen.getByTestId('verify-wrong').textContent).toBe('That is not word 1. Check your paper and try again.');
    expect(screen.getByTestId('verify-slot-1').textContent).not.toContain('zebra');
    expect(argsOf('wallet_backup_pick')).toEqual({ draftId: 'd1', position: 0, word: 'zebra' });

    for (const [i, w] of WORDS.entries()) {
      await fireEvent.click(screen.getByTestId(w === 'walk' ? 'verify-word-walk-0' : `verify-word-${w}`));
      await waitFor(() => expect(screen.getByTestId(`verify-slot-${i + 1}`).textContent).toContain(w));
      if (i === 0) expect(screen.queryByTestId('verify-wrong')).toBeNull();
    }
    await waitFor(() => expect(button('verify-done').disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('verify-done'));

    expect((screen.getByTestId('create-name') as HTMLInputElement).value).toBe('Account 1');
    await typeInto('create-password', PASSWORD);
    await typeInto('create-password-confirm', 'correct horsf');
    expect(screen.getByTestId('create-password-mismatch').textContent).toBe('The two passwords are not the same.');
    expect(button('create-finish').disabled).toBe(true);
    await typeInto('create-password-confirm', PASSWORD);
    expect(button('create-finish').disabled).toBe(false);
    await fireEvent.click(screen.getByTestId('create-finish'));

    await waitFor(() => expect(screen.queryByTestId('create-dialog')).toBeNull());
    expect(argsOf('wallet_create_finish')).toEqual({ draftId: 'd1', name: 'Account 1', password: PASSWORD, backedUp: true });
    const row = await screen.findByTestId('wallet-account-0');
    expect(row.textContent).toContain('Account 1');
    expect(row.dataset.active).toBe('true');
    expect(within(row).queryByTestId('not-backed-up')).toBeNull();
    expect(screen.queryByTestId('backup-reminder')).toBeNull();
    expect(screen.getByTestId('nav-wallet').dataset.reminder).toBeUndefined();
  });

  test('24 words can be chosen', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-create'));
    await fireEvent.click(screen.getByTestId('create-words-24'));
    await fireEvent.click(screen.getByTestId('create-understood'));
    await screen.findByTestId('create-words');
    expect(argsOf('wallet_create_begin')).toEqual({ words: 24 });
  });

  test('"Back up later" finishes with backedUp false; the account shows the badge, the reminder and the rail dot', async () => {
    mockBackend();
    render(App);
    await openWords();
    await fireEvent.click(screen.getByTestId('create-reveal'));
    await fireEvent.click(screen.getByTestId('create-later'));
    expect(screen.queryByTestId('create-words')).toBeNull();
    expect(screen.getByTestId('create-later-notice')).toBeTruthy();
    await typeInto('create-name', 'Savings');
    await typeInto('create-password', PASSWORD);
    await typeInto('create-password-confirm', PASSWORD);
    await fireEvent.click(screen.getByTestId('create-finish'));

    await waitFor(() => expect(screen.queryByTestId('create-dialog')).toBeNull());
    expect(argsOf('wallet_create_finish')).toEqual({ draftId: 'd1', name: 'Savings', password: PASSWORD, backedUp: false });
    expect(calls.some(([c]) => c === 'wallet_backup_pick')).toBe(false);
    const row = await screen.findByTestId('wallet-account-0');
    expect(within(row).getByTestId('not-backed-up').textContent).toBe('Not backed up');
    expect(screen.getByTestId('backup-reminder').textContent).toContain('“Savings” is not backed up yet');
    expect(screen.getByTestId('wallet-backup-now')).toBeTruthy();
    expect(screen.getByTestId('nav-wallet').dataset.reminder).toBe('true');
  });
});

describe('create: closing', () => {
  test('closing during the words or the check asks before the phrase is thrown away', async () => {
    mockBackend();
    render(App);
    await openWords();
    await fireEvent.click(screen.getByTestId('create-dialog-close'));
    expect(screen.getByTestId('create-discard').textContent).toContain('Throw away this recovery phrase?');
    expect(screen.getByTestId('create-words')).toBeTruthy();
    expect(calls.some(([c]) => c === 'wallet_discard_draft')).toBe(false);
    await fireEvent.click(screen.getByTestId('create-discard-keep'));
    expect(screen.queryByTestId('create-discard')).toBeNull();
    expect(screen.getByTestId('create-dialog')).toBeTruthy();

    // In the word check: Escape asks too (and Escape again keeps going); confirming discards.
    await fireEvent.click(screen.getByTestId('create-reveal'));
    await fireEvent.click(screen.getByTestId('create-written'));
    await screen.findByTestId('verify-pool');
    await fireEvent.keyDown(screen.getByTestId('create-dialog'), { key: 'Escape' });
    expect(screen.getByTestId('create-discard').textContent).toContain('the phrase you wrote down');
    await fireEvent.keyDown(screen.getByTestId('create-dialog'), { key: 'Escape' });
    expect(screen.queryByTestId('create-discard')).toBeNull();
    expect(screen.getByTestId('verify-pool')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('create-dialog-close'));
    await fireEvent.click(screen.getByTestId('create-discard-confirm'));
    await waitFor(() => expect(screen.queryByTestId('create-dialog')).toBeNull());
    expect(argsOf('wallet_discard_draft')).toEqual({ draftId: 'd1' });
  });

  test('before any words exist, closing needs no question', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-create'));
    await fireEvent.click(screen.getByTestId('create-dialog-close'));
    await waitFor(() => expect(screen.queryByTestId('create-dialog')).toBeNull());
  });
});

describe('import', () => {
  test('an invalid word shows the localized message with the word and its position (en and zh)', async () => {
    mockBackend({
      wallet_import_mnemonic: () => {
        throw { code: 'invalid-mnemonic-word', message: 'walkk is not a BIP-39 word', data: { word: 'walkk', position: 5 } };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-import'));
    await screen.findByTestId('import-dialog');
    const phrase = screen.getByTestId('import-mnemonic');
    expect(phrase.getAttribute('autocomplete')).toBe('off');
    expect(phrase.getAttribute('spellcheck')).toBe('false');
    await typeInto('import-mnemonic', '  Apple bread   cable dance walkk fabric gallery habit ice jacket walk kangaroo ');
    expect(screen.getByTestId('import-word-count').textContent).toBe('12 words');
    await typeInto('import-password', PASSWORD);
    await typeInto('import-password-confirm', PASSWORD);
    await fireEvent.click(screen.getByTestId('import-submit'));

    const error = await screen.findByTestId('import-error');
    expect(error.textContent).toBe('Word 5 “walkk” is not a BIP-39 word. Check its spelling.');
    expect(argsOf('wallet_import_mnemonic')).toEqual({
      name: 'Account 1',
      mnemonic: 'apple bread cable dance walkk fabric gallery habit ice jacket walk kangaroo',
      derivation: null,
      mnemonicPassword: null,
      password: PASSWORD,
    });
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('import-error').textContent).toBe('第 5 个单词“walkk”不是 BIP-39 单词，请检查拼写。'));
  });

  test('a JSON keystore is read in the browser and its text is sent', async () => {
    const keystore = JSON.stringify({
      address: BOB,
      encoded: 'xyz',
      encoding: { type: ['scrypt', 'xsalsa20-poly1305'] },
      meta: { name: 'From dbcwallet' },
    });
    mockBackend({
      wallet_import_json: (a) => {
        const imported = account({ id: 'j1', name: 'From dbcwallet', address: BOB, source: 'json', hasMnemonic: false });
        overview = { ...overview, accounts: [imported], activeId: 'j1' };
        return { ...imported, name: a.name ?? imported.name };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-import'));
    await fireEvent.click(screen.getByTestId('import-tab-json'));
    const input = screen.getByTestId('import-json-file') as HTMLInputElement;
    const file = new File([keystore], 'bob.json', { type: 'application/json' });
    Object.defineProperty(input, 'files', { value: [file] });
    await fireEvent.change(input);
    const chosen = await screen.findByTestId('import-json-chosen');
    expect(chosen.textContent).toContain('bob.json');
    expect(chosen.textContent).toContain('5FHneW…694ty');
    await typeInto('import-json-password', 'file pass');
    await typeInto('import-password', PASSWORD);
    await typeInto('import-password-confirm', PASSWORD);
    await fireEvent.click(screen.getByTestId('import-submit'));

    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    expect(argsOf('wallet_import_json')).toEqual({ name: null, json: keystore, jsonPassword: 'file pass', password: PASSWORD });
    expect((await screen.findByTestId('wallet-account-0')).textContent).toContain('From dbcwallet');
  });
});

describe('send', () => {
  beforeEach(() => {
    overview = { accounts: [account()], activeId: 'a1', store: KEYRING_OK };
  });

  test('an invalid address blocks submit; the quote shows the fee; channel statuses appear in order', async () => {
    let channel: unknown = null;
    let finish: (value: unknown) => void = () => {};
    mockBackend({
      wallet_send: (a) => {
        channel = a.onStatus;
        return new Promise((resolve) => (finish = resolve));
      },
    });
    render(App);
    await screen.findByTestId('wallet-send');
    await typeInto('send-to', 'not-an-address');
    await typeInto('send-amount', '1.5');
    await typeInto('send-password', PASSWORD);
    expect((await screen.findByTestId('send-to-error')).textContent).toBe('This is not a valid DBC address.');
    expect(button('send-submit').disabled).toBe(true);
    expect(calls.some(([c]) => c === 'wallet_send_quote')).toBe(false);

    await typeInto('send-to', BOB);
    const fee = await screen.findByTestId('send-fee');
    expect(fee.textContent).toBe('Network fee 0.0125 DBC · total 1.5125 DBC');
    expect(screen.queryByTestId('send-to-error')).toBeNull();
    expect(argsOf('wallet_send_quote')).toEqual({ id: 'a1', to: BOB, amount: '1.5' });
    await waitFor(() => expect(button('send-submit').disabled).toBe(false));

    await fireEvent.click(screen.getByTestId('send-submit'));
    await waitFor(() => expect(channel).not.toBeNull());
    const sent = argsOf('wallet_send')!;
    expect({ ...sent, onStatus: undefined }).toEqual({ id: 'a1', to: BOB, amount: '1.5', password: PASSWORD, onStatus: undefined });
    expect((screen.getByTestId('send-password') as HTMLInputElement).value).toBe('');

    sendOnChannel(channel, 0, { status: 'signing' });
    sendOnChannel(channel, 1, { status: 'broadcast' });
    // Out of order: 3 waits for 2.
    sendOnChannel(channel, 3, { status: 'finalized', blockHash: '0xabcdef0123456789' });
    sendOnChannel(channel, 2, { status: 'inBlock', blockHash: '0xabcdef0123456789' });
    await waitFor(() => expect(screen.getByTestId('send-status').querySelectorAll('li').length).toBe(4));
    const items = [...screen.getByTestId('send-status').querySelectorAll('li')];
    expect(items.map((li) => li.dataset.status)).toEqual(['signing', 'broadcast', 'inBlock', 'finalized']);
    expect(items.map((li) => li.textContent?.trim())).toEqual(['Signing', 'Sent to the network', 'In block 0xabcd…6789', 'Finalized']);

    finish({
      extrinsicHash: '0x01',
      blockHash: '0xabcdef0123456789',
      blockNumber: 1234568,
      feePaid: '12500000000000',
      events: ['Balances.Transfer'],
    });
    const result = await screen.findByTestId('send-result');
    expect(result.textContent).toContain('Sent 1.5 DBC to 5FHneW…694ty.');
    expect(result.textContent).toContain('Included in block #1,234,568 (0xabcd…6789).');
    expect(result.textContent).toContain('Network fee paid: 0.0125 DBC.');
  });

  test('insufficient-balance shows both amounts formatted', async () => {
    mockBackend({
      wallet_send: () => {
        throw {
          code: 'insufficient-balance',
          message: 'not enough',
          data: { needed: '2000012500000000000', available: '1490000000000000000' },
        };
      },
    });
    render(App);
    await screen.findByTestId('wallet-send');
    await typeInto('send-to', BOB);
    await typeInto('send-amount', '2000');
    await typeInto('send-password', PASSWORD);
    await screen.findByTestId('send-fee');
    await waitFor(() => expect(button('send-submit').disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('send-submit'));
    const error = await screen.findByTestId('send-error');
    expect(error.textContent).toBe('Not enough DBC: this transfer needs 2,000.0125 DBC including the fee, and 1,490 DBC is available.');
  });

  test('a quote that is not enough says how much is available and blocks submit', async () => {
    mockBackend({
      wallet_send_quote: () => ({ fee: '12500000000000', total: '5000012500000000000', transferable: BALANCE.transferable, enough: false }),
    });
    render(App);
    await screen.findByTestId('wallet-send');
    await typeInto('send-to', BOB);
    await typeInto('send-amount', '5000');
    await typeInto('send-password', PASSWORD);
    expect((await screen.findByTestId('send-not-enough')).textContent).toBe('Not enough DBC: you have 1,490 DBC available to send.');
    expect(button('send-submit').disabled).toBe(true);
  });
});

describe('balance and receive', () => {
  beforeEach(() => {
    overview = { accounts: [account()], activeId: 'a1', store: KEYRING_OK };
  });

  test('shows the balance, follows the wallet-balance event and shows the address with a QR code', async () => {
    mockBackend();
    render(App);
    await waitFor(() => expect(screen.getByTestId('balance-transferable').textContent).toBe('1,490'));
    expect(screen.getByTestId('balance-free').textContent).toBe('1,500 DBC');
    expect(screen.getByTestId('balance-reserved').textContent).toBe('10 DBC');
    expect(screen.getByTestId('balance-frozen').textContent).toBe('0 DBC');
    expect(screen.getByTestId('balance-block').textContent).toBe('As of block #1,234,567');
    expect(screen.getByTestId('receive-address').textContent).toBe(ALICE);
    const qr = screen.getByTestId('receive-qr');
    expect(qr.tagName.toLowerCase()).toBe('svg');
    expect(qr.querySelector('path')?.getAttribute('d')?.length).toBeGreaterThan(100);

    await waitFor(async () => {
      await emit('wallet-balance', {
        id: 'a1',
        address: ALICE,
        balance: { ...BALANCE, transferable: '2000000000000000000', block: 1234570 },
      });
      expect(screen.getByTestId('balance-transferable').textContent).toBe('2,000');
    });
    // Another account's event is ignored.
    await emit('wallet-balance', { id: 'other', address: BOB, balance: { ...BALANCE, transferable: '1' } });
    expect(screen.getByTestId('balance-transferable').textContent).toBe('2,000');
  });

  test('offline: the balance says it is unavailable rather than showing a banner', async () => {
    mockBackend({
      wallet_balance: () => {
        throw { code: 'network-unreachable', message: 'offline', data: { network: 'mainnet', endpoint: 'wss://a' } };
      },
    });
    render(App);
    expect((await screen.findByTestId('balance-offline')).textContent).toBe('The balance is unavailable while offline.');
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  test('copy puts the address on the clipboard and says so', async () => {
    let copied = '';
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (s: string) => void (copied = s) }, configurable: true });
    mockBackend();
    render(App);
    await fireEvent.click(await screen.findByTestId('receive-copy'));
    expect((await screen.findByTestId('receive-copied')).textContent).toBe('Copied');
    expect(copied).toBe(ALICE);
  });
});

describe('keyring', () => {
  test('unavailable keyring: a notice with the reason; creating waits for an explicit opt-in to the encrypted file', async () => {
    overview = {
      accounts: [],
      activeId: null,
      store: {
        kind: null,
        osKeyring: { available: false, locked: false, reason: 'no Secret Service provider on this session' },
        fileStoreChosen: false,
      },
    };
    mockBackend({
      wallet_choose_file_store: () => {
        overview = { ...overview, store: { ...overview.store, kind: 'encrypted-file', fileStoreChosen: true } };
        return overview.store;
      },
    });
    render(App);
    const notice = await screen.findByTestId('keyring-notice');
    // The keyring's own (English, technical) words sit behind "Details", never in the sentence.
    expect(screen.getByTestId('keyring-reason-text').textContent).toBe('no Secret Service provider on this session');
    expect(screen.getByTestId('keyring-reason-toggle').textContent).toBe('Details');
    expect(notice.textContent).toContain('protected by your password and stays on this computer');
    expect(button('wallet-create').disabled).toBe(true);
    expect(button('wallet-import').disabled).toBe(true);
    expect(calls.some(([c]) => c === 'wallet_choose_file_store')).toBe(false);

    const before = calls.filter(([c]) => c === 'wallet_overview').length;
    await fireEvent.click(screen.getByTestId('keyring-retry'));
    await waitFor(() => expect(calls.filter(([c]) => c === 'wallet_overview').length).toBe(before + 1));
    expect(screen.getByTestId('keyring-notice')).toBeTruthy();

    await fireEvent.click(screen.getByTestId('keyring-use-file'));
    await waitFor(() => expect(screen.queryByTestId('keyring-notice')).toBeNull());
    expect(calls.filter(([c]) => c === 'wallet_choose_file_store')).toHaveLength(1);
    expect(button('wallet-create').disabled).toBe(false);
    expect(screen.getByTestId('store-file')).toBeTruthy();
  });

  test('a locked keyring says to unlock it and retry', async () => {
    overview = {
      accounts: [],
      activeId: null,
      store: { kind: null, osKeyring: { available: true, locked: true, reason: null }, fileStoreChosen: false },
    };
    mockBackend();
    render(App);
    const notice = await screen.findByTestId('keyring-notice');
    expect(notice.dataset.locked).toBe('true');
    expect(notice.textContent).toContain('Unlock your system keyring');
    expect(button('wallet-create').disabled).toBe(true);
  });
});

describe('accounts', () => {
  test('back up an existing account later: password, words, verification, then backed up', async () => {
    overview = { accounts: [account({ backedUp: false })], activeId: 'a1', store: KEYRING_OK };
    mockBackend({
      wallet_backup_begin: (a) => {
        if (a.password !== PASSWORD) throw { code: 'wrong-password', message: 'wrong password' };
        return { draftId: 'b1', words: WORDS };
      },
      wallet_backup_finish: () => {
        overview = { ...overview, accounts: [account({ backedUp: true })] };
        return overview.accounts[0];
      },
    });
    render(App);
    await screen.findByTestId('backup-reminder');
    expect(screen.getByTestId('nav-wallet').dataset.reminder).toBe('true');
    await fireEvent.click(screen.getByTestId('wallet-backup-now'));
    await typeInto('backup-password', 'nope');
    await fireEvent.click(screen.getByTestId('backup-start'));
    expect((await screen.findByTestId('backup-error')).dataset.code).toBe('wrong-password');
    await typeInto('backup-password', PASSWORD);
    await fireEvent.click(screen.getByTestId('backup-start'));
    await screen.findByTestId('backup-words');
    await fireEvent.click(screen.getByTestId('backup-reveal'));
    await fireEvent.click(screen.getByTestId('backup-written'));
    await screen.findByTestId('verify-pool');
    for (const [i, w] of WORDS.entries()) {
      await fireEvent.click(screen.getByTestId(w === 'walk' ? 'verify-word-walk-1' : `verify-word-${w}`));
      await waitFor(() => expect(screen.getByTestId(`verify-slot-${i + 1}`).textContent).toContain(w));
    }
    await waitFor(() => expect(button('verify-done').disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('verify-done'));
    await screen.findByTestId('backup-done');
    expect(argsOf('wallet_backup_finish')).toEqual({ draftId: 'b1' });
    await waitFor(() => expect(screen.queryByTestId('backup-reminder')).toBeNull());
    expect(screen.getByTestId('nav-wallet').dataset.reminder).toBeUndefined();
  });

  test('an exported keystore gets its own password by default', async () => {
    overview = { accounts: [account()], activeId: 'a1', store: KEYRING_OK };
    mockBackend({ wallet_export_json: () => ({ fileName: 'Main-5Grw.json', json: '{}', savedTo: '/home/u/Downloads/Main-5Grw.json' }) });
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-export'));
    await typeInto('export-password', PASSWORD);
    expect((screen.getByTestId('export-submit') as HTMLButtonElement).disabled).toBe(true);
    await typeInto('export-file-password', 'short');
    expect(screen.getByTestId('export-file-password-short')).toBeTruthy();
    await typeInto('export-file-password', 'file password 9');
    await typeInto('export-file-password-confirm', 'file password 9');
    await fireEvent.click(screen.getByTestId('export-submit'));
    await screen.findByTestId('export-result');
    expect(argsOf('wallet_export_json')).toEqual({ id: 'a1', password: PASSWORD, exportPassword: 'file password 9' });
  });

  test('switch, export, rename and remove', async () => {
    const second = account({ id: 'a2', name: 'Second', address: BOB });
    overview = { accounts: [account(), second], activeId: 'a1', store: KEYRING_OK };
    mockBackend({
      wallet_use: (a) => (overview = { ...overview, activeId: a.id as string }),
      wallet_export_json: () => ({ fileName: 'Second-5FHneW.json', json: '{}', savedTo: '/home/u/Downloads/Second-5FHneW.json' }),
      wallet_rename: (a) =>
        (overview = { ...overview, accounts: overview.accounts.map((x) => (x.id === a.id ? { ...x, name: a.name as string } : x)) }),
      wallet_remove: (a) => (overview = { ...overview, accounts: overview.accounts.filter((x) => x.id !== a.id), activeId: 'a1' }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('wallet-account-1'));
    await waitFor(() => expect(screen.getByTestId('wallet-account-1').dataset.active).toBe('true'));
    expect(argsOf('wallet_use')).toEqual({ id: 'a2' });
    expect(screen.getByTestId('receive-address').textContent).toBe(BOB);

    await fireEvent.click(screen.getByTestId('wallet-export'));
    await typeInto('export-password', PASSWORD);
    // The app password for the file too: an explicit choice, with its warning.
    await fireEvent.click(screen.getByTestId('export-use-app-password'));
    expect(screen.getByTestId('export-app-password-warning')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('export-submit'));
    const exported = await screen.findByTestId('export-result');
    expect(exported.textContent).toContain('/home/u/Downloads/Second-5FHneW.json');
    expect(exported.textContent).toContain('Second-5FHneW.json');
    expect(argsOf('wallet_export_json')).toEqual({ id: 'a2', password: PASSWORD });

    await fireEvent.click(screen.getByTestId('wallet-rename'));
    await typeInto('rename-name', 'Work');
    await fireEvent.click(screen.getByTestId('rename-save'));
    await waitFor(() => expect(screen.getByTestId('wallet-account-1').textContent).toContain('Work'));
    expect(argsOf('wallet_rename')).toEqual({ id: 'a2', name: 'Work' });

    await fireEvent.click(screen.getByTestId('wallet-remove'));
    const dialog = await screen.findByTestId('remove-dialog');
    expect(dialog.textContent).toContain('stays on the chain');
    await typeInto('remove-password', PASSWORD);
    expect(button('remove-submit').disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('remove-understood'));
    await fireEvent.click(screen.getByTestId('remove-submit'));
    await waitFor(() => expect(screen.queryByTestId('remove-dialog')).toBeNull());
    expect(argsOf('wallet_remove')).toEqual({ id: 'a2', password: PASSWORD });
    expect(screen.queryByTestId('wallet-account-1')).toBeNull();
  });
});
