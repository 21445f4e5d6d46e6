import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDebs, parseDebFileName } from '../../scripts/lib/debian.js';

describe('.deb file names', () => {
  it('splits package, version and architecture', () => {
    expect(parseDebFileName('fillets-ng-data-cs_1.0.1-1.1_all.deb')).toEqual({ package: 'fillets-ng-data-cs', version: '1.0.1-1.1', arch: 'all' });
    expect(parseDebFileName('libfoo2_1%3a2.3+dfsg-4_amd64.deb')).toEqual({ package: 'libfoo2', version: '1:2.3+dfsg-4', arch: 'amd64' });
    expect(parseDebFileName('notes.txt')).toBeNull();
    expect(parseDebFileName('fillets-ng-data_1.0.1.deb')).toBeNull();
  });

  it('finds one .deb per package and names what is missing or ambiguous', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-debs-'));
    writeFileSync(join(dir, 'fillets-ng-data_1.0.1-1.1_all.deb'), '');
    writeFileSync(join(dir, 'fillets-ng-data-cs_1.0.1-1.1_all.deb'), '');
    expect(findDebs(dir, ['fillets-ng-data', 'fillets-ng-data-cs']).map((d) => [d.package, d.version, d.path])).toEqual([
      ['fillets-ng-data', '1.0.1-1.1', join(dir, 'fillets-ng-data_1.0.1-1.1_all.deb')],
      ['fillets-ng-data-cs', '1.0.1-1.1', join(dir, 'fillets-ng-data-cs_1.0.1-1.1_all.deb')],
    ]);
    expect(() => findDebs(dir, ['fillets-ng-data-de'])).toThrow(`${dir}: no fillets-ng-data-de_<version>_all.deb here`);
    writeFileSync(join(dir, 'fillets-ng-data_1.0.2-1_all.deb'), '');
    expect(() => findDebs(dir, ['fillets-ng-data'])).toThrow(/several versions of fillets-ng-data/);
  });
});
