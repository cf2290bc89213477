import { describe, expect, it } from 'vitest';
import { configFiles } from '../support/config-file.js';
import { resolveConfig } from '../../src/config/config.js';
import { BUILTIN_PRODUCTS, resolveProducts } from '../../src/config/products.js';

const { dir, configWith, errorOf } = configFiles('dcass-products-');

describe('the product table (root -> clearing house)', () => {
  it('the built-in table covers the fixtures: index products at HKCC, the stock option class at SEOCH', () => {
    expect(BUILTIN_PRODUCTS).toMatchObject({ HSI: 'HKCC', MHI: 'HKCC', TCH: 'SEOCH' });
    expect(Object.isFrozen(BUILTIN_PRODUCTS)).toBe(true);
  });

  it('no configuration, or one without products: the built-in table', () => {
    expect(resolveConfig({ cwd: dir }).products).toEqual(BUILTIN_PRODUCTS);
    expect(configWith('participant: { code: CABC }\n').products).toEqual(BUILTIN_PRODUCTS);
  });

  it("the configuration's products add roots and override built-in ones", () => {
    const c = configWith('participant: { code: CABC }\nproducts:\n  HKB: SEOCH\n  MHI: SEOCH\n');
    expect(c.products).toEqual({ ...BUILTIN_PRODUCTS, HKB: 'SEOCH', MHI: 'SEOCH' });
    expect(resolveProducts({ HSI: 'SEOCH' }).HSI).toBe('SEOCH');
    expect(Object.isFrozen(c.products)).toBe(true);
  });

  it('a bad root or house is refused naming the line and key', () => {
    const file = errorOf('participant: { code: CABC }\nproducts:\n  HSI: HKCC\n  TCH: HKEX\n');
    expect(file).toMatch(/:4: products\.TCH: a clearing house: HKCC or SEOCH/);
    expect(errorOf('participant: { code: CABC }\nproducts:\n  hsi1: HKCC\n')).toMatch(
      /:3: products\.hsi1: a product root of 1 to 6 letters A-Z, such as HSI/,
    );
  });
});

describe("the participant's clearing houses", () => {
  it('one house: runs, reports and the confirmation cover that house by default', () => {
    const c = configWith('participant: { code: CABC, clearingHouses: [SEOCH] }\n');
    expect([c.houseScope, c.participant?.clearingHouses]).toEqual(['SEOCH', ['SEOCH']]);
  });

  it('a house listed twice is refused', () => {
    expect(errorOf('participant: { code: CABC, clearingHouses: [SEOCH, SEOCH] }\n')).toMatch(
      /:1: participant\.clearingHouses: each clearing house once/,
    );
  });

  it('both houses, or none declared: nothing is hidden (the confirmation still defaults to HKCC)', () => {
    expect(configWith('participant: { code: CABC, clearingHouses: [HKCC, SEOCH] }\n').houseScope).toBeNull();
    const none = configWith('participant: { code: CABC }\n');
    expect([none.houseScope, none.participant?.clearingHouses]).toEqual([null, ['HKCC']]);
  });
});
