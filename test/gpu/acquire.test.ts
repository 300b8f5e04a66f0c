import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../engine/gpu/acquire.js';
import { readU32, uploadStorage, computePass, createStorage } from '../../engine/gpu/buffers.js';
import { checkedKernel } from '../../engine/gpu/kernel.js';
import { preprocess } from '../../engine/gpu/shader-library.js';
import { testGpu } from '../util/gpu.js';

describe('acquireGpu', () => {
  it('gets an adapter and reports it', async () => {
    const gpu = await testGpu();
    const text = describeAdapter(gpu.report);
    expect(text.length).toBeGreaterThan(0);
    // Compat defaults are 4 storage buffers per stage; kernels need more.
    expect(gpu.device.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
  });

  it('runs a kernel with an #include, a host #define and a 2-D folded dispatch', async () => {
    const gpu = await testGpu();
    const n = 70_000 * 64 + 3; // more workgroups than fit in one dimension
    const k = await checkedKernel(gpu, { shader: 'test/fill_index', defines: { OFFSET: 7 } });
    const out = createStorage(gpu, n * 4);
    const params = uploadStorage(gpu, new Uint32Array([n]));
    computePass(gpu, (pass) => k.dispatch1d(pass, [k.bind([out, params])], n, 64));
    const got = await readU32(gpu, out, n);
    let bad = -1;
    for (let i = 0; i < n; i++) if (got[i] !== i + 7) { bad = i; break; }
    expect(bad).toBe(-1);
  });
});

describe('shader preprocessor', () => {
  it('selects #ifdef branches and substitutes defines', () => {
    const src = '#ifdef A\nlet a = X;\n#else\nlet b = X;\n#endif\n#ifndef A\nnope\n#endif';
    expect(preprocess(src, { A: true, X: 3 }).trim()).toBe('let a = 3;');
    expect(preprocess(src, { X: 4 }).trim()).toBe('let b = 4;\nnope');
  });
  it('rejects unbalanced blocks', () => {
    expect(() => preprocess('#ifdef A\n', {})).toThrow(/unterminated/);
  });
});
