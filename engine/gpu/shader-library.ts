/**
 * WGSL sources by name (`splat/project_forward` -> `shaders/splat/project_forward.wgsl`),
 * with a tiny preprocessor so kernels can share helpers without pasting them:
 *
 *   #include "common/math"      inlines shaders/common/math.wgsl once per module
 *   #define NAME value          plain text substitution of NAME (set by the host too)
 *   #ifdef NAME / #else / #endif  variants of one kernel file
 *
 * Defines given by the host are applied after includes, so included helpers
 * see the same values.
 */
export type ShaderSourceLoader = (name: string) => string;

export class ShaderLibrary {
  private readonly cache = new Map<string, string>();

  constructor(private readonly load: ShaderSourceLoader) {}

  raw(name: string): string {
    let code = this.cache.get(name);
    if (code === undefined) {
      code = this.load(name);
      this.cache.set(name, code);
    }
    return code;
  }

  /** Full module source for `name` with includes expanded and defines applied. */
  build(name: string, defines: Record<string, string | number | boolean> = {}): string {
    const seen = new Set<string>();
    const expanded = this.expand(name, seen, 0);
    return preprocess(expanded, defines);
  }

  private expand(name: string, seen: Set<string>, depth: number): string {
    if (depth > 16) throw new Error(`shader include depth exceeded at '${name}'`);
    if (seen.has(name)) return '';
    seen.add(name);
    return this.raw(name).replace(/^[ \t]*#include\s+"([^"]+)"[^\n]*$/gm, (_m, inc: string) =>
      this.expand(inc.replace(/\.wgsl$/, ''), seen, depth + 1),
    );
  }
}

export function preprocess(code: string, hostDefines: Record<string, string | number | boolean>): string {
  const defines = new Map<string, string>();
  for (const [k, v] of Object.entries(hostDefines)) {
    if (v === false) continue;
    defines.set(k, v === true ? '1' : String(v));
  }
  const out: string[] = [];
  // Stack of "is this branch active" flags for #ifdef nesting.
  const active: boolean[] = [];
  const taken: boolean[] = [];
  for (const line of code.split('\n')) {
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^#ifdef\s+(\w+)/)) || (m = t.match(/^#ifndef\s+(\w+)/))) {
      const want = t.startsWith('#ifdef') ? defines.has(m[1]) : !defines.has(m[1]);
      const parent = active.every(Boolean);
      active.push(want);
      taken.push(want);
      if (!parent) active[active.length - 1] = false;
      continue;
    }
    if (t.startsWith('#else')) {
      const i = active.length - 1;
      if (i < 0) throw new Error('#else without #ifdef');
      const parent = active.slice(0, i).every(Boolean);
      active[i] = parent && !taken[i];
      continue;
    }
    if (t.startsWith('#endif')) {
      if (!active.length) throw new Error('#endif without #ifdef');
      active.pop();
      taken.pop();
      continue;
    }
    if (!active.every(Boolean)) continue;
    if ((m = t.match(/^#define\s+(\w+)\s*(.*)$/))) {
      if (!defines.has(m[1])) defines.set(m[1], m[2] || '1');
      continue;
    }
    out.push(line);
  }
  if (active.length) throw new Error('unterminated #ifdef');
  let result = out.join('\n');
  for (const [k, v] of defines) result = result.replace(new RegExp(`\\b${k}\\b`, 'g'), v);
  return result;
}
