// CRC-32 (the gzip one) of a concatenation from the CRCs and lengths of its parts, without reading the bytes again:
// the gzip trailer of a body assembled from separately compressed pieces needs the CRC of the whole body.
//
// The CRC of A·B is crc(A) "shifted" by |B| zero bytes, xor crc(B). Shifting by n bytes is multiplying by x^(8n)
// modulo the CRC polynomial, in GF(2); x^(8n) is built from the table of x^(2^k) (repeated squaring), so a combine
// costs a few dozen 32-step polynomial multiplications, whatever the lengths. This is the algorithm of zlib's
// crc32_combine (1.2.12 and later), written here from its description. Polynomials are bit-reflected, as in CRC-32:
// the x^0 coefficient is the top bit.

/** The CRC-32 polynomial, reflected. */
const POLYNOMIAL = 0xedb88320;
const X_TO_THE_0 = 0x80000000;

/** a(x)·b(x) modulo the polynomial. */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  let multiplier = b >>> 0;
  for (let bit = X_TO_THE_0; bit !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) {
      product ^= multiplier;
      // No lower terms left in a: the rest of the loop would add nothing.
      if ((a & (bit - 1)) === 0) break;
    }
    multiplier = (multiplier & 1) !== 0 ? (multiplier >>> 1) ^ POLYNOMIAL : multiplier >>> 1;
  }
  return product >>> 0;
}

/** X_TO_THE_POWER_OF_2[k] = x^(2^k) modulo the polynomial; the powers repeat with period 2^32 - 1 > every k used. */
const X_TO_THE_POWER_OF_2 = (() => {
  const table = new Uint32Array(64);
  table[0] = X_TO_THE_0 >>> 1; // x^1
  for (let k = 1; k < table.length; k += 1) table[k] = multiplyModP(table[k - 1]!, table[k - 1]!);
  return table;
})();

/** x^(8·bytes) modulo the polynomial. */
function shiftOperator(bytes: number): number {
  let operator = X_TO_THE_0;
  // 8·bytes = bytes·2^3: start three squarings in.
  let k = 3;
  for (let rest = bytes; rest > 0; rest = Math.floor(rest / 2), k += 1) {
    if (rest % 2 === 1) operator = multiplyModP(X_TO_THE_POWER_OF_2[k]!, operator);
  }
  return operator;
}

/** CRC-32 of A followed by B, from crc(A), crc(B) and the length of B in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(shiftOperator(lengthB), crcA) ^ crcB) >>> 0;
}
