/**
 * PLY container: header parsing and reading elements into named columns.
 * Shared by the INRIA 3DGS reader (ply.ts) and the PlayCanvas compressed PLY
 * reader (compressed-ply.ts). Supports binary little/big endian and ASCII;
 * list properties are rejected (no splat format uses them).
 */
import { FormatError, ensure, ensureCountFits } from './format-error.js';

export type PlyEncoding = 'binary_little_endian' | 'binary_big_endian' | 'ascii';
export type PlyScalar = 'char' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'float' | 'double';

export interface PlyProperty {
  name: string;
  type: PlyScalar;
}

export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

export interface PlyHeader {
  encoding: PlyEncoding;
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the body (just after `end_header\n`). */
  bodyOffset: number;
}

const TYPE_ALIASES: Record<string, PlyScalar> = {
  char: 'char', int8: 'char',
  uchar: 'uchar', uint8: 'uchar',
  short: 'short', int16: 'short',
  ushort: 'ushort', uint16: 'ushort',
  int: 'int', int32: 'int',
  uint: 'uint', uint32: 'uint',
  float: 'float', float32: 'float',
  double: 'double', float64: 'double',
};

export const PLY_TYPE_SIZE: Record<PlyScalar, number> = {
  char: 1, uchar: 1, short: 2, ushort: 2, int: 4, uint: 4, float: 4, double: 8,
};

/** Headers longer than this are rejected (real ones are < 4 KiB). */
const MAX_HEADER_BYTES = 1 << 16;

export function isPly(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 0x0a || bytes[3] === 0x0d);
}

export function parsePlyHeader(bytes: Uint8Array, file: string): PlyHeader {
  ensure(isPly(bytes), file, "not a PLY file (missing 'ply' magic)");
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  const marker = 'end_header';
  let end = -1;
  // Search for "end_header" followed by \n or \r\n.
  outer: for (let i = 0; i + marker.length < limit; i++) {
    for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker.charCodeAt(j)) continue outer;
    let k = i + marker.length;
    if (bytes[k] === 0x0d) k++;
    if (bytes[k] === 0x0a) {
      end = k + 1;
      break;
    }
  }
  ensure(end > 0, file, `PLY header has no 'end_header' line within ${limit} bytes`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end));
  const lines = text.split(/\r?\n/);
  let encoding: PlyEncoding | undefined;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '' ) continue;
    const tok = line.split(/\s+/);
    switch (tok[0]) {
      case 'format':
        ensure(tok[1] === 'binary_little_endian' || tok[1] === 'binary_big_endian' || tok[1] === 'ascii', file, `unknown PLY format '${tok[1]}'`);
        ensure(tok[2] === '1.0', file, `unknown PLY version '${tok[2]}'`);
        encoding = tok[1] as PlyEncoding;
        break;
      case 'comment':
      case 'obj_info':
        comments.push(line.slice(tok[0].length).trim());
        break;
      case 'element': {
        const count = Number(tok[2]);
        ensure(tok.length === 3 && Number.isSafeInteger(count) && count >= 0, file, `bad PLY element line '${line}'`);
        elements.push({ name: tok[1], count, properties: [] });
        break;
      }
      case 'property': {
        const el = elements[elements.length - 1];
        ensure(el !== undefined, file, `PLY property before any element: '${line}'`);
        ensure(tok[1] !== 'list', file, `PLY list property '${tok[tok.length - 1]}' in element '${el.name}' is not supported for splats`);
        const type = TYPE_ALIASES[tok[1]];
        ensure(type !== undefined && tok.length === 3, file, `bad PLY property line '${line}'`);
        ensure(!el.properties.some((p) => p.name === tok[2]), file, `duplicate PLY property '${tok[2]}' in element '${el.name}'`);
        el.properties.push({ name: tok[2], type });
        break;
      }
      case 'end_header':
        break;
      default:
        throw new FormatError(file, `unexpected PLY header line '${line.slice(0, 80)}'`);
    }
  }
  ensure(encoding !== undefined, file, 'PLY header has no format line');
  return { encoding, elements, comments, bodyOffset: end };
}

export function rowBytes(el: PlyElement): number {
  let s = 0;
  for (const p of el.properties) s += PLY_TYPE_SIZE[p.type];
  return s;
}

/** Decoded element: one Float64-exact column per property (float32 storage is enough for splats). */
export type PlyColumns = Map<string, Float32Array | Uint32Array | Uint8Array>;

/**
 * Binary body layout: elements are stored back to back in header order.
 * Returns the byte offset of each element. Checks the counts against the file
 * size before anything is allocated.
 */
export function binaryElementOffsets(header: PlyHeader, byteLength: number, file: string): number[] {
  const offsets: number[] = [];
  let off = header.bodyOffset;
  for (const el of header.elements) {
    offsets.push(off);
    const rb = rowBytes(el);
    ensureCountFits(el.count, rb, byteLength - off, file, `PLY element '${el.name}'`);
    off += el.count * rb;
  }
  return offsets;
}

/**
 * Read the named properties of a binary element as columns. Integer types keep
 * their integer value (uint stays exact in Uint32Array, uchar in Uint8Array);
 * everything else becomes float32.
 */
export function readBinaryElement(
  bytes: Uint8Array,
  header: PlyHeader,
  elementIndex: number,
  offset: number,
  wanted: string[],
): PlyColumns {
  const el = header.elements[elementIndex];
  const le = header.encoding === 'binary_little_endian';
  const stride = rowBytes(el);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, el.count * stride);
  const cols: PlyColumns = new Map();
  const n = el.count;
  // Wanted properties: byte offset in the row, destination column.
  const picks: { index: number; offset: number; type: PlyScalar; col: Float32Array | Uint32Array | Uint8Array }[] = [];
  let propOffset = 0;
  el.properties.forEach((prop, index) => {
    if (wanted.includes(prop.name)) {
      const col = prop.type === 'uchar' ? new Uint8Array(n) : prop.type === 'uint' ? new Uint32Array(n) : new Float32Array(n);
      cols.set(prop.name, col);
      picks.push({ index, offset: propOffset, type: prop.type, col });
    }
    propOffset += PLY_TYPE_SIZE[prop.type];
  });
  // One pass over the rows (row-major, cache-friendly), not one strided pass per column.
  if (le && el.properties.every((p) => p.type === 'float') && littleEndianHost()) {
    // Fast path (INRIA PLYs): an aligned float32 copy of the element; the copy also
    // detaches us from a Node Buffer's shared pool.
    const f32 = new Float32Array(new Uint8Array(bytes.subarray(offset, offset + n * stride)).buffer);
    const stride4 = stride / 4;
    const idx = Int32Array.from(picks, (p) => p.index);
    const dst = picks.map((p) => p.col as Float32Array);
    for (let i = 0; i < n; i++) {
      const row = i * stride4;
      for (let q = 0; q < idx.length; q++) dst[q][i] = f32[row + idx[q]];
    }
    return cols;
  }
  const getters = picks.map((p) => scalarGetter(view, p.type, le));
  for (let i = 0; i < n; i++) {
    const row = i * stride;
    for (let q = 0; q < picks.length; q++) picks[q].col[i] = getters[q](row + picks[q].offset);
  }
  return cols;
}

function scalarGetter(view: DataView, type: PlyScalar, le: boolean): (o: number) => number {
  switch (type) {
    case 'char': return (o) => view.getInt8(o);
    case 'uchar': return (o) => view.getUint8(o);
    case 'short': return (o) => view.getInt16(o, le);
    case 'ushort': return (o) => view.getUint16(o, le);
    case 'int': return (o) => view.getInt32(o, le);
    case 'uint': return (o) => view.getUint32(o, le);
    case 'float': return (o) => view.getFloat32(o, le);
    case 'double': return (o) => view.getFloat64(o, le);
  }
}

/**
 * ASCII body: whitespace-separated numbers, elements in header order. Every
 * value takes at least 2 bytes ("0 "), which bounds the counts before
 * allocating.
 */
export function readAsciiElements(bytes: Uint8Array, header: PlyHeader, file: string, wanted: string[]): PlyColumns[] {
  const body = bytes.subarray(header.bodyOffset);
  let values = 0;
  for (const el of header.elements) values += el.count * el.properties.length;
  ensure(values * 2 <= body.length + 1, file, `PLY ASCII body of ${body.length} bytes cannot hold ${values} values (truncated or corrupt)`);
  const text = new TextDecoder('latin1').decode(body);
  const re = /\S+/g;
  const out: PlyColumns[] = [];
  let valueIndex = 0;
  for (const el of header.elements) {
    const cols: (Float32Array | undefined)[] = el.properties.map((p) => (wanted.includes(p.name) ? new Float32Array(el.count) : undefined));
    for (let i = 0; i < el.count; i++) {
      for (let p = 0; p < el.properties.length; p++) {
        const m = re.exec(text);
        if (!m) throw new FormatError(file, `PLY ASCII body ends after ${valueIndex} of ${values} values (truncated)`);
        valueIndex++;
        const col = cols[p];
        if (col) {
          const v = Number(m[0]);
          if (Number.isNaN(v) && m[0] !== 'nan' && m[0] !== 'NaN') {
            throw new FormatError(file, `PLY ASCII value '${m[0].slice(0, 20)}' for '${el.properties[p].name}' of row ${i} is not a number`);
          }
          col[i] = v;
        }
      }
    }
    const map: PlyColumns = new Map();
    el.properties.forEach((p, k) => cols[k] && map.set(p.name, cols[k]!));
    out.push(map);
  }
  return out;
}

export function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Header text for a binary little-endian PLY. */
export function plyHeaderText(elements: PlyElement[], comments: string[] = []): string {
  const lines = ['ply', 'format binary_little_endian 1.0'];
  for (const c of comments) lines.push(`comment ${c}`);
  for (const el of elements) {
    lines.push(`element ${el.name} ${el.count}`);
    for (const p of el.properties) lines.push(`property ${p.type} ${p.name}`);
  }
  lines.push('end_header', '');
  return lines.join('\n');
}
