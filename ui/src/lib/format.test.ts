import { describe, expect, test } from 'vitest';
import { formatDbc, formatInteger, parseDbc, planckToDbc, shortAddress, shortHash } from './format';

describe('formatDbc', () => {
  test('zero', () => {
    expect(formatDbc('0')).toBe('0');
    expect(formatDbc('0', 0)).toBe('0');
  });

  test('one planck', () => {
    expect(formatDbc('1', 15)).toBe('0.000000000000001');
    expect(formatDbc('1')).toBe('<0.0001');
    expect(formatDbc('1', 0)).toBe('<1');
  });

  test('one DBC', () => {
    expect(formatDbc('1000000000000000')).toBe('1');
    expect(formatDbc('1000000000000000', 15)).toBe('1');
  });

  test('1234.5 DBC with thousands separators', () => {
    expect(formatDbc('1234500000000000000')).toBe('1,234.5');
    expect(formatDbc('1000000000000000000000')).toBe('1,000,000');
  });

  test('rounds half up at the last shown place', () => {
    expect(formatDbc('1999950000000000')).toBe('2'); // 1.99995
    expect(formatDbc('1999949999999999')).toBe('1.9999');
    expect(formatDbc('1234560000000000', 2)).toBe('1.23'); // 1.23456
    expect(formatDbc('1235000000000000', 2)).toBe('1.24'); // 1.235
    expect(formatDbc('500000000000000', 0)).toBe('1'); // 0.5
    expect(formatDbc('499999999999999', 0)).toBe('<1');
  });

  test('stays exact beyond float precision', () => {
    // 2^64 planck and more: a float would lose the last digits.
    expect(formatDbc('123456789012345678901234567', 15)).toBe('123,456,789,012.345678901234567');
  });

  test('negative amounts and junk', () => {
    expect(formatDbc('-1500000000000000')).toBe('-1.5');
    expect(formatDbc('abc')).toBe('abc');
    expect(formatDbc('1.5')).toBe('1.5');
  });
});

describe('other formatting', () => {
  test('formatInteger', () => {
    expect(formatInteger(0)).toBe('0');
    expect(formatInteger(999)).toBe('999');
    expect(formatInteger(1234567)).toBe('1,234,567');
    expect(formatInteger(12345678901234567890n)).toBe('12,345,678,901,234,567,890');
  });

  test('short address and hash', () => {
    expect(shortAddress('5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty')).toBe('5FHneW…694ty');
    expect(shortAddress('5F')).toBe('5F');
    expect(shortHash('0x1234567890abcdef1234567890abcdef')).toBe('0x1234…cdef');
  });
});

describe('parseDbc and planckToDbc', () => {
  test('exact round trip', () => {
    expect(parseDbc('1')).toBe(BigInt('1000000000000000'));
    expect(parseDbc(' 12.5 ')).toBe(BigInt('12500000000000000'));
    expect(parseDbc('.5')).toBe(BigInt('500000000000000'));
    expect(parseDbc('0.000000000000001')).toBe(BigInt(1));
    expect(planckToDbc('12500000000000000')).toBe('12.5');
    expect(planckToDbc(BigInt(1))).toBe('0.000000000000001');
    expect(planckToDbc('123456789000000000000000')).toBe('123456789');
  });

  test('rejects what is not a plain amount', () => {
    for (const bad of ['', '.', '-1', '1e3', '1,5', 'abc', '0.0000000000000001']) expect(parseDbc(bad)).toBeNull();
  });
});
