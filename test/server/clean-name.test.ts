// cleanName's shortcut for plain ASCII names gives what the full cleaning gives, for any string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cleanName } from '../../src/protocol/signaling.js';

/** The full cleaning, as cleanName does it for a name that is not plain ASCII. */
const full = (raw: string) => raw.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();

test('a name cleaned through the ASCII shortcut is the name cleaned in full', () => {
  const char = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'aZ09 .-_~!\'') },
    { weight: 2, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f', '\0', '\x1f', '\x7f', '\x85', '\xa0') },
    { weight: 2, arbitrary: fc.constantFrom('\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\u2066', '\ufeff', '\u3000', 'é', '李', '\u{1f600}') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1 }) },
  );
  fc.assert(
    fc.property(fc.array(char, { maxLength: 24 }), (chars) => {
      const raw = chars.join('');
      assert.equal(cleanName(raw), full(raw));
    }),
    { numRuns: 5000 },
  );
  for (const raw of ['Ana', 'First', 'Dr. Ana María', ' Ana', 'Ana ', 'A  B', 'A\tB', '', ' ']) assert.equal(cleanName(raw), full(raw), JSON.stringify(raw));
});
