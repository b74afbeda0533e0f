import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/metrics/byte-writer.ts';

describe('ByteWriter', () => {
  it('starts empty', () => {
    const writer = new ByteWriter();
    expect(writer.length).toBe(0);
    expect(writer.toBuffer()).toEqual(Buffer.alloc(0));
  });

  it('encodes UTF-8 across many growths and returns exactly the bytes written', () => {
    const writer = new ByteWriter(8);
    const pieces = ['a', 'ü', '日本', '😀', '\ud800', 'plain text line\n'];
    let expected = '';
    for (let round = 0; round < 500; round += 1) {
      for (const piece of pieces) {
        writer.write(piece);
        expected += piece;
      }
    }
    const bytes = writer.toBuffer();
    expect(bytes).toEqual(Buffer.from(expected, 'utf8'));
    expect(writer.length).toBe(bytes.length);
  });
});
