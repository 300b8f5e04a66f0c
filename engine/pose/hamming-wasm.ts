/**
 * Brute-force Hamming matching of binary descriptors in a hand-assembled WebAssembly
 * kernel: `i64.popcnt` is one native instruction, where JavaScript has to count bits
 * with a dozen shifts and masks per 32-bit word. Same loop, same early exit and same
 * result as the JavaScript reference `bestMatchesJs` (orb.ts's matcher uses this one;
 * test/pose/hamming-wasm.test.ts compares them on random and real descriptors).
 *
 * The kernel, for every row i in [first, end) of A against every row j of B (nb rows):
 *   d = Hamming distance, summed 8 bytes at a time; after every 16 bytes it stops once
 *       d >= cut = max(row i's second best, column j's best) (such a pair changes neither);
 *   row i keeps its best (index, distance) and second-best distance, column j its best
 *   (distance, row). Ties keep the first (lowest index) as the JavaScript loop does.
 *
 * Memory layout (byte offsets, all 8-aligned; rows zero-padded to a multiple of 8 bytes,
 * padding adds 0 to every distance):
 *   A [na, rowBytes] | B [nb, rowBytes] | colBestD i32 [nb] | colBest i32 [nb]
 *   | best i32 [na] | bestD i32 [na] | secondD i32 [na]
 */

/** Distances start here: larger than any descriptor's bit count. */
export const NO_MATCH_DISTANCE = 1 << 30;

export interface BestMatches {
  /** [na] best column per row (-1: none) */
  best: Int32Array;
  /** [na] its distance, [na] the second-best distance (NO_MATCH_DISTANCE when none) */
  bestD: Int32Array;
  secondD: Int32Array;
  /** [nb] best row per column and its distance */
  colBest: Int32Array;
  colBestD: Int32Array;
}

/**
 * Reference: the plain JavaScript loop over packed 32-bit words (`perRow` words a row).
 */
export function bestMatchesJs(da: Uint32Array, db: Uint32Array, na: number, nb: number, perRow: number): BestMatches {
  const best = new Int32Array(na).fill(-1);
  const bestD = new Int32Array(na).fill(NO_MATCH_DISTANCE);
  const secondD = new Int32Array(na).fill(NO_MATCH_DISTANCE);
  const colBest = new Int32Array(nb).fill(-1);
  const colBestD = new Int32Array(nb).fill(NO_MATCH_DISTANCE);
  for (let i = 0; i < na; i++) {
    const oa = i * perRow;
    let b1 = NO_MATCH_DISTANCE;
    let b2 = NO_MATCH_DISTANCE;
    let bj = -1;
    for (let j = 0; j < nb; j++) {
      const ob = j * perRow;
      // Partial distances only grow: once one reaches both the row's second best and the
      // column's best, this pair can change neither, so the rest of its words are skipped
      // (same result as the full sum; most pairs stop after half the descriptor).
      const cut = b2 > colBestD[j] ? b2 : colBestD[j];
      let d = 0;
      for (let w = 0; w < perRow; w++) {
        d += popcount32(da[oa + w] ^ db[ob + w]);
        if ((w & 3) === 3 && d >= cut) break;
      }
      if (d >= cut) continue;
      if (d < b1) {
        b2 = b1;
        b1 = d;
        bj = j;
      } else if (d < b2) b2 = d;
      if (d < colBestD[j]) {
        colBestD[j] = d;
        colBest[j] = i;
      }
    }
    best[i] = bj;
    bestD[i] = b1;
    secondD[i] = b2;
  }
  return { best, bestD, secondD, colBest, colBestD };
}

/** Bits set in a 32-bit word (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// --- the kernel ---------------------------------------------------------------------

/** Unsigned / signed LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, void: 0x40, select: 0x1b,
  get: 0x20, set: 0x21, tee: 0x22, i32Load: 0x28, i64Load: 0x29, i32Store: 0x36, i32Const: 0x41,
  i32Eqz: 0x45, i32LtS: 0x48, i32GtS: 0x4a, i32GeS: 0x4e, i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71,
  i64Popcnt: 0x7b, i64Xor: 0x85, i32WrapI64: 0xa7,
} as const;

// Parameters (i32): first row, end row, nb, rowBytes, A, B, colBestD, colBest, best, bestD, secondD; then locals.
const [I0, IEND, NB, ROW, PA, PB, PCOLD, PCOLI, PBEST, PBESTD, PSECOND] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [I, J, OA, OB, B1, B2, BJ, CUT, D, OFF, CB, CADDR] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
const LOCALS = 12;

/** The function body, instruction by instruction (see the header for what it computes). */
function kernelBody(): number[] {
  const get = (l: number) => [OP.get, l];
  const set = (l: number) => [OP.set, l];
  const c = (v: number) => [OP.i32Const, ...sleb(v)];
  const load = [OP.i32Load, 2, 0];
  const store = [OP.i32Store, 2, 0];
  const at = (base: number, index: number) => [...get(base), ...get(index), ...c(4), OP.i32Mul, OP.i32Add];
  return [
    ...get(I0), ...set(I),
    OP.block, OP.void, OP.loop, OP.void, // rows
    ...get(I), ...get(IEND), OP.i32GeS, OP.brIf, 1,
    ...get(PA), ...get(I), ...get(ROW), OP.i32Mul, OP.i32Add, ...set(OA),
    ...c(NO_MATCH_DISTANCE), ...set(B1), ...c(NO_MATCH_DISTANCE), ...set(B2), ...c(-1), ...set(BJ),
    ...c(0), ...set(J),
    OP.block, OP.void, OP.loop, OP.void, // columns
    ...get(J), ...get(NB), OP.i32GeS, OP.brIf, 1,
    ...get(PB), ...get(J), ...get(ROW), OP.i32Mul, OP.i32Add, ...set(OB),
    ...at(PCOLD, J), OP.tee, CADDR, ...load, ...set(CB),
    // cut = b2 > cb ? b2 : cb
    ...get(B2), ...get(CB), ...get(B2), ...get(CB), OP.i32GtS, OP.select, ...set(CUT),
    ...c(0), ...set(D), ...c(0), ...set(OFF),
    OP.block, OP.void, OP.loop, OP.void, // 8-byte words
    ...get(D),
    ...get(OA), ...get(OFF), OP.i32Add, OP.i64Load, 3, 0,
    ...get(OB), ...get(OFF), OP.i32Add, OP.i64Load, 3, 0,
    OP.i64Xor, OP.i64Popcnt, OP.i32WrapI64, OP.i32Add, ...set(D),
    ...get(OFF), ...c(8), OP.i32Add, ...set(OFF),
    // every 16 bytes: stop once d >= cut
    ...get(OFF), ...c(15), OP.i32And, OP.i32Eqz, ...get(D), ...get(CUT), OP.i32GeS, OP.i32And, OP.brIf, 1,
    ...get(OFF), ...get(ROW), OP.i32LtS, OP.brIf, 0,
    OP.end, OP.end,
    ...get(D), ...get(CUT), OP.i32LtS,
    OP.if, OP.void,
    ...get(D), ...get(B1), OP.i32LtS,
    OP.if, OP.void,
    ...get(B1), ...set(B2), ...get(D), ...set(B1), ...get(J), ...set(BJ),
    OP.else,
    ...get(D), ...get(B2), OP.i32LtS, OP.if, OP.void, ...get(D), ...set(B2), OP.end,
    OP.end,
    ...get(D), ...get(CB), OP.i32LtS,
    OP.if, OP.void,
    ...get(CADDR), ...get(D), ...store,
    ...at(PCOLI, J), ...get(I), ...store,
    OP.end,
    OP.end,
    ...get(J), ...c(1), OP.i32Add, ...set(J),
    OP.br, 0,
    OP.end, OP.end, // columns
    ...at(PBEST, I), ...get(BJ), ...store,
    ...at(PBESTD, I), ...get(B1), ...store,
    ...at(PSECOND, I), ...get(B2), ...store,
    ...get(I), ...c(1), OP.i32Add, ...set(I),
    OP.br, 0,
    OP.end, OP.end, // rows
    OP.end,
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const I32 = 0x7f;
  const body = [1, ...uleb(LOCALS), I32, ...kernelBody()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 11, ...new Array(11).fill(I32), 0]), // type: (i32 x11) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0x00, 1]), // one memory, 1 page minimum
    ...section(7, [2, ...name('m'), 0x02, 0, ...name('match'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** Rows of A per kernel call. */
const ROW_BLOCK = 64;

type Kernel = { memory: WebAssembly.Memory; match: (...args: number[]) => void };
let kernel: Kernel | null | undefined;

function getKernel(): Kernel | null {
  if (kernel === undefined) {
    try {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
      kernel = { memory: inst.exports.m as WebAssembly.Memory, match: inst.exports.match as Kernel['match'] };
    } catch {
      kernel = null; // no WebAssembly here: the JavaScript loop does the same
    }
  }
  return kernel;
}

/** Whether the WebAssembly kernel runs here (else `bestMatches` falls back to JavaScript). */
export function hammingKernelAvailable(): boolean {
  return getKernel() !== null;
}

/**
 * Best matches between rows of two packed binary descriptor arrays (`dim` bytes a row):
 * the wasm kernel, or the JavaScript reference where WebAssembly is unavailable.
 */
export function bestMatches(a: Uint8Array, b: Uint8Array, na: number, nb: number, dim: number): BestMatches {
  const k = getKernel();
  if (!k) {
    const perRow = Math.ceil(dim / 4);
    return bestMatchesJs(packRows(a, na, dim, perRow * 4, Uint32Array), packRows(b, nb, dim, perRow * 4, Uint32Array), na, nb, perRow);
  }
  const rowBytes = Math.max(8, Math.ceil(dim / 8) * 8);
  const pa = 0;
  const pb = pa + na * rowBytes;
  const pColD = pb + nb * rowBytes;
  const pColI = pColD + 4 * nb;
  const pBest = pColI + 4 * nb;
  const pBestD = pBest + 4 * na;
  const pSecond = pBestD + 4 * na;
  const bytes = pSecond + 4 * na;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  const mem = new Uint8Array(k.memory.buffer);
  mem.fill(0, 0, pColD);
  for (let i = 0; i < na; i++) mem.set(a.subarray(i * dim, (i + 1) * dim), pa + i * rowBytes);
  for (let j = 0; j < nb; j++) mem.set(b.subarray(j * dim, (j + 1) * dim), pb + j * rowBytes);
  new Int32Array(k.memory.buffer, pColD, nb).fill(NO_MATCH_DISTANCE);
  new Int32Array(k.memory.buffer, pColI, nb).fill(-1);
  // In row blocks: V8 runs a wasm function's first calls in its baseline tier and swaps in
  // optimized code only between calls, so one long call would run ~2x slower throughout.
  for (let i0 = 0; i0 < na; i0 += ROW_BLOCK) k.match(i0, Math.min(na, i0 + ROW_BLOCK), nb, rowBytes, pa, pb, pColD, pColI, pBest, pBestD, pSecond);
  const view = (at: number, n: number) => new Int32Array(k.memory.buffer, at, n).slice();
  return { best: view(pBest, na), bestD: view(pBestD, na), secondD: view(pSecond, na), colBest: view(pColI, nb), colBestD: view(pColD, nb) };
}

/** Rows of `dim` bytes zero-padded to `rowBytes`, viewed as `Type`. */
export function packRows<T extends Uint32Array>(bytes: Uint8Array, n: number, dim: number, rowBytes: number, Type: new (b: ArrayBuffer) => T): T {
  const padded = new Uint8Array(n * rowBytes);
  for (let i = 0; i < n; i++) padded.set(bytes.subarray(i * dim, (i + 1) * dim), i * rowBytes);
  return new Type(padded.buffer);
}
