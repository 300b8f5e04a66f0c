/** Draws an [H, W, 3] f32 colour buffer from the rasterizer onto a WebGPU canvas. */
import type { Gpu } from '../../engine/gpu/acquire.js';

export class CanvasBlit {
  private readonly pipeline: GPURenderPipeline;
  private readonly params: GPUBuffer;
  private bindGroup?: GPUBindGroup;
  private boundColor?: GPUBuffer;

  constructor(private readonly gpu: Gpu, private readonly context: GPUCanvasContext, format: GPUTextureFormat) {
    const module = gpu.device.createShaderModule({ label: 'viewer/blit', code: gpu.shaders.build('viewer/blit') });
    this.pipeline = gpu.device.createRenderPipeline({
      label: 'viewer/blit',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.params = gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  draw(color: GPUBuffer, width: number, height: number): void {
    const device = this.gpu.device;
    device.queue.writeBuffer(this.params, 0, new Uint32Array([width, height, 0, 0]));
    if (this.boundColor !== color) {
      this.bindGroup = device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: color } },
          { binding: 1, resource: { buffer: this.params } },
        ],
      });
      this.boundColor = color;
    }
    const enc = device.createCommandEncoder();
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup!);
    pass.draw(3);
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  dispose(): void {
    this.params.destroy();
  }
}
