/**
 * Assembles bench/RESULTS.md from the per-area result files each bench script writes
 * to bench/results/<area>.md, in a fixed order, so figures are kept with the adapter,
 * date and command that produced them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../engine/io/atomic-write.js';

const dir = join(import.meta.dirname, 'results');
const ORDER = ['render', 'sort', 'train-kernels', 'train', 'poses', 'matching', 'depth', 'sparse', 'viewer', 'formats', 'deform'];
const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
const names = [...ORDER.filter((n) => files.includes(`${n}.md`)), ...files.map((f) => f.replace(/\.md$/, '')).filter((n) => !ORDER.includes(n)).sort()];
const header = `# Benchmark results

Assembled by \`npm run bench:results\` from \`bench/results/*.md\`; each section names its
adapter, date and command. Unless a section says otherwise the adapter is Dawn's OpenGL ES
backend on Mesa llvmpipe (a CPU rasterizer) on a shared 2-core machine, often under heavy
load from parallel work: treat wall times as upper bounds, and compare figures measured in
the same run only. No GPU machine was available for these runs.
`;
const body = names.map((n) => {
  const p = join(dir, `${n}.md`);
  return existsSync(p) ? readFileSync(p, 'utf8').trim().replace(/^# /, '## ').replace(/\n# /g, '\n## ') : '';
});
writeFileAtomic(join(import.meta.dirname, 'RESULTS.md'), [header, ...body].join('\n\n') + '\n');
console.log(`bench/RESULTS.md: ${names.join(', ')}`);
