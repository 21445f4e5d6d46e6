import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { splitOf } from '../../src/corpus/index.js';

/** md5(id) mod 10 by Horner's rule over the hex digits, in plain numbers (no BigInt). */
function md5Mod10(id: string): number {
  let r = 0;
  for (const ch of createHash('md5').update(id, 'utf8').digest('hex')) r = (r * 16 + parseInt(ch, 16)) % 10;
  return r;
}

describe('splitOf: test iff md5(id) mod 10 == 0', () => {
  it('matches values computed with Python hashlib for real Fish Fillets ids', () => {
    // python3: int(hashlib.md5(id.encode()).hexdigest(), 16) % 10
    expect(md5Mod10('let-m-divna')).toBe(0);
    expect(md5Mod10('let-v-vrak1')).toBe(9);
    expect(splitOf('let-m-divna')).toBe('test');
    expect(splitOf('let-v-vrak0')).toBe('test');
    expect(splitOf('kni-m-hromado')).toBe('test');
    expect(splitOf('sp-v-no0')).toBe('test');
    expect(splitOf('let-v-vrak1')).toBe('train');
    expect(splitOf('let-v-vrak2')).toBe('train');
    expect(splitOf('laser')).toBe('train'); // md5 bf6570f6…e053 ≡ 3
  });

  it('agrees with an independent md5 mod 10 on many ids', () => {
    for (let k = 0; k < 2000; k++) {
      const id = `utt-${k}-ř${k % 7}`;
      expect(splitOf(id)).toBe(md5Mod10(id) === 0 ? 'test' : 'train');
    }
  });

  it('puts about a tenth of the ids in test', () => {
    let test = 0;
    for (let k = 0; k < 5000; k++) if (splitOf(`id${k}`) === 'test') test++;
    expect(test / 5000).toBeGreaterThan(0.085);
    expect(test / 5000).toBeLessThan(0.115);
  });
});
