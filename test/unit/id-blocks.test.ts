import { describe, expect, it } from 'vitest';
import { IdBlocks } from '../../src/ingest/load/id-blocks.js';

describe('IdBlocks: the ids a file’s batches took', () => {
  it('gives each batch its consecutive ids and finds a row’s id by its place in the file', () => {
    const blocks = new IdBlocks();
    expect(blocks.add('100', 3)).toEqual(['100', '101', '102']);
    // Another load took 103-199 meanwhile: the next block starts elsewhere.
    expect(blocks.add('200', 2)).toEqual(['200', '201']);
    expect(blocks.idsOf([0, 2, 3, 4])).toEqual(['100', '102', '200', '201']);
  });

  it('counts exactly beyond the doubles’ safe integers', () => {
    const blocks = new IdBlocks();
    const first = (2n ** 53n - 1n).toString();
    expect(blocks.add(first, 3)).toEqual(['9007199254740991', '9007199254740992', '9007199254740993']);
    expect(blocks.idsOf([2])).toEqual(['9007199254740993']);
  });

  it('refuses a row that was never stored, or ordinals out of order', () => {
    const blocks = new IdBlocks();
    blocks.add('1', 2);
    blocks.add('10', 2);
    expect(() => blocks.idsOf([4])).toThrow('no row 4 of 4 was stored');
    expect(() => blocks.idsOf([3, 0])).toThrow('row ordinals out of order');
  });
});
