/**
 * The real-time viewer. Every frame the display path (engine/splat/display/display-renderer.ts)
 * projects the splats, sorts them by depth on the GPU (a fresh sort per frame, so the order never
 * lags the camera) and draws them as quads straight into the canvas (one indexed draw where the
 * device allows, see DisplayDrawPath); the three.js overlay adds controls, grid and frustums.
 * The engine's compute tile rasterizer (what training renders with) + a blit stays available as
 * `path: 'compute'` for comparisons.
 */
import type { Gpu } from '../../engine/gpu/acquire.js';
import { writeBuffer } from '../../engine/gpu/buffers.js';
import type { Camera } from '../../engine/splat/camera.js';
import { ALPHA_MIN } from '../../engine/splat/constants.js';
import { growSphere, meansSphere, type MeansSphere } from '../../engine/splat/display/display-params.js';
import { DisplayRenderer, type DisplayDrawPath } from '../../engine/splat/display/display-renderer.js';
import { fieldWidths, GpuScene, SCENE_FIELDS, type SceneField } from '../../engine/splat/gpu-scene.js';
import { Rasterizer } from '../../engine/splat/render.js';
import type { GaussianScene } from '../../engine/splat/scene.js';
import { CanvasBlit } from './blit.js';
import { ViewerOverlay } from './overlay.js';

/** 'display': render-pipeline quads (default); 'compute': the training rasterizer + a blit. */
export type ViewerPath = 'display' | 'compute';

/** New values for some fields of a run of splats, in GaussianScene layout (`means: [n, 3]`, ...). */
export type SplatFieldUpdate = Partial<Record<SceneField, Float32Array>>;

export interface ViewerStats {
  splats: number;
  fps: number;
  frameMs: number;
  width: number;
  height: number;
}

export class Viewer {
  readonly overlay: ViewerOverlay;
  readonly path: ViewerPath;
  private display?: DisplayRenderer;
  private readonly rasterizer?: Rasterizer;
  private readonly blit?: CanvasBlit;
  private readonly context: GPUCanvasContext;
  private readonly format: GPUTextureFormat;
  private scene?: GpuScene;
  /** Holds every splat mean: the 16-bit depth keys are spread over its depth range. */
  private sphere?: MeansSphere;
  private running = false;
  private frameMs = 0;
  private fps = 0;
  private lastFrame = 0;
  resolutionScale = 1;
  background: [number, number, number] = [0, 0, 0];
  /**
   * Display path: alpha below which splat tails are not drawn. ALPHA_MIN (1/255) draws what the
   * engine's rasterizer draws; larger values trade the faint rims for fewer fragments.
   */
  minAlpha = ALPHA_MIN;
  onStats?: (s: ViewerStats) => void;
  /** A frame failed (e.g. the scene exceeds the adapter's buffer limits); the loop stops. */
  onError?: (e: unknown) => void;
  /** Resolves after the next frame has been drawn (tests and screenshots wait on it). */
  private frameWaiters: (() => void)[] = [];
  private drawing: Promise<void> = Promise.resolve();
  /** The camera of the last frame drawn (engine convention). */
  lastCamera?: Camera;

  constructor(
    private readonly gpu: Gpu,
    private readonly canvas: HTMLCanvasElement,
    overlayCanvas: HTMLCanvasElement,
    options: { path?: ViewerPath } = {},
  ) {
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('this browser cannot draw WebGPU into a canvas');
    this.context = ctx;
    this.format = navigator.gpu.getPreferredCanvasFormat();
    this.context.configure({ device: gpu.device, format: this.format, alphaMode: 'opaque' });
    this.path = options.path ?? 'display';
    if (this.path === 'display') this.display = new DisplayRenderer(gpu);
    else {
      this.rasterizer = new Rasterizer(gpu);
      this.blit = new CanvasBlit(gpu, this.context, this.format);
    }
    this.overlay = new ViewerOverlay(overlayCanvas, canvas);
  }

  /**
   * Display path: how the quads reach the vertex stage ('indexed' where the device allows
   * vertex-stage storage buffers, else 'instanced'; see display-renderer.ts). Settable so
   * benchmarks can compare the two; the next frame uses the new one.
   */
  get drawPath(): DisplayDrawPath | undefined {
    return this.display?.drawPath;
  }

  set drawPath(path: DisplayDrawPath | undefined) {
    const old = this.display;
    if (!old || !path || path === old.drawPath) return;
    this.display = new DisplayRenderer(this.gpu, { drawPath: path });
    // A frame in flight may still use the old renderer's buffers.
    void this.drawing.then(() => old.dispose());
  }

  get hasScene(): boolean {
    return this.scene !== undefined;
  }

  /** Show a new scene and frame the view on it. */
  setScene(scene: GaussianScene): void {
    this.scene?.dispose();
    this.scene = GpuScene.upload(this.gpu, scene);
    this.sphere = meansSphere(scene.means);
    const { center, radius } = bounds(scene);
    this.overlay.frame(center, radius * 2.5);
    if (!this.running) this.start();
  }

  /** Replace the parameters of the current scene, keeping the view (live training preview, edits). */
  updateScene(scene: GaussianScene): void {
    if (this.scene && this.scene.count === scene.count && this.scene.shDegree === scene.shDegree) this.scene.write(scene);
    else {
      this.scene?.dispose();
      this.scene = GpuScene.upload(this.gpu, scene);
    }
    this.sphere = meansSphere(scene.means);
    this.requestFrame();
  }

  /**
   * Overwrite some fields of splats [first, first + n) of the current scene in place (an editor
   * moving or rotating Gaussians): `fields.means` is [n, 3], `fields.quats` [n, 4], ... as in
   * GaussianScene, every given field for the same n splats. Only those bytes are uploaded; the
   * next frame (drawn now if the loop is stopped) shows them.
   */
  updateSplats(fields: SplatFieldUpdate, first = 0): void {
    const scene = this.scene;
    if (!scene) throw new Error('Viewer.updateSplats: no scene is shown');
    const widths = fieldWidths(scene.shDegree);
    const given = SCENE_FIELDS.filter((f) => fields[f]);
    // Check every field before writing any, so a bad call changes nothing.
    for (const f of given) {
      const n = fields[f]!.length / widths[f];
      if (!Number.isInteger(first) || first < 0 || !Number.isInteger(n) || first + n > scene.count) {
        throw new Error(`Viewer.updateSplats: ${f} holds ${fields[f]!.length} floats (${widths[f]} per splat) for splats from ${first}; the scene has ${scene.count}`);
      }
    }
    for (const f of given) writeBuffer(this.gpu, scene.buffers[f], fields[f]!, first * widths[f] * 4);
    if (fields.means && this.sphere) this.sphere = growSphere(this.sphere, fields.means);
    this.requestFrame();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.drawFrame();
      } catch (e) {
        // Say why instead of freezing silently; a new scene (setScene) restarts the loop.
        this.running = false;
        this.onError?.(e);
        return;
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  stop(): void {
    this.running = false;
  }

  /** Draw a frame now when the loop is stopped (the loop draws continuously otherwise). */
  requestFrame(): void {
    if (!this.running) this.drawFrame().catch((e) => this.onError?.(e));
  }

  nextFrame(): Promise<void> {
    return new Promise((resolve) => this.frameWaiters.push(resolve));
  }

  /** The camera the current frame is drawn from (engine convention). */
  currentCamera(): Camera {
    const { w, h } = this.renderSize();
    return this.overlay.engineCamera(w, h);
  }

  private renderSize(): { w: number; h: number } {
    const dpr = globalThis.devicePixelRatio || 1;
    const cssW = Math.max(1, this.canvas.clientWidth);
    const cssH = Math.max(1, this.canvas.clientHeight);
    return { w: Math.max(1, Math.round(cssW * dpr * this.resolutionScale)), h: Math.max(1, Math.round(cssH * dpr * this.resolutionScale)) };
  }

  /**
   * Draw one frame. Frames are serialized: the compute path reads its intersection count
   * back with mapAsync, and a second forward on the same buffers before the first has
   * finished would be rejected; the display path waits for the GPU to time the frame.
   */
  drawFrame(capture?: (canvas: HTMLCanvasElement) => void): Promise<void> {
    const next = this.drawing.then(() => this.drawOnce(capture));
    this.drawing = next.catch(() => {});
    return next;
  }

  private async drawOnce(capture?: (canvas: HTMLCanvasElement) => void): Promise<void> {
    const t0 = performance.now();
    const { w, h } = this.renderSize();
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.overlay.resize(w, h);
    }
    const camera = this.overlay.engineCamera(w, h);
    if (this.scene && this.display) {
      await this.display.ready(this.format);
      const enc = this.gpu.device.createCommandEncoder({ label: 'viewer/frame' });
      const target = this.context.getCurrentTexture().createView();
      this.display.encode(enc, this.scene, camera, target, this.format, { background: this.background, sphere: this.sphere, minAlpha: this.minAlpha });
      this.gpu.device.queue.submit([enc.finish()]);
    } else if (this.scene && this.rasterizer && this.blit) {
      const result = await this.rasterizer.forward(this.scene, camera, { background: this.background });
      this.blit.draw(result.color, w, h);
    }
    this.lastCamera = camera;
    // The canvas's current texture is only readable in the task that drew it.
    capture?.(this.canvas);
    this.overlay.draw();
    await this.gpu.device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    this.frameMs = t1 - t0;
    if (this.lastFrame > 0) {
      const inst = 1000 / Math.max(t1 - this.lastFrame, 1e-3);
      this.fps = this.fps === 0 ? inst : 0.9 * this.fps + 0.1 * inst;
    }
    this.lastFrame = t1;
    this.onStats?.({ splats: this.scene?.count ?? 0, fps: this.fps, frameMs: this.frameMs, width: w, height: h });
    for (const resolve of this.frameWaiters.splice(0)) resolve();
  }

  /** PNG of the current view at the render resolution (only the splats, no overlay). */
  async screenshot(): Promise<Blob> {
    return (await this.capture()).png;
  }

  /** Draw a frame and return its PNG with the exact camera it was drawn from. */
  async capture(): Promise<{ png: Blob; camera: Camera }> {
    let png: Promise<Blob> | undefined;
    let camera: Camera | undefined;
    await this.drawFrame((canvas) => {
      camera = this.lastCamera;
      png = new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('screenshot failed'))), 'image/png'));
    });
    return { png: await png!, camera: camera! };
  }

  dispose(): void {
    this.stop();
    this.display?.dispose();
    this.rasterizer?.dispose();
    this.blit?.dispose();
    this.scene?.dispose();
    this.scene = undefined;
    this.overlay.dispose();
  }
}

/** Robust centre (median) and radius (80th percentile distance) of the splat means. */
export function bounds(scene: GaussianScene): { center: [number, number, number]; radius: number } {
  const n = scene.count;
  if (n === 0) return { center: [0, 0, 0], radius: 1 };
  const step = Math.max(1, Math.floor(n / 20000));
  const xs: number[][] = [[], [], []];
  for (let i = 0; i < n; i += step) for (let a = 0; a < 3; a++) xs[a].push(scene.means[i * 3 + a]);
  const center = xs.map((v) => v.sort((p, q) => p - q)[v.length >> 1]) as [number, number, number];
  const d: number[] = [];
  for (let i = 0; i < n; i += step) d.push(Math.hypot(scene.means[i * 3] - center[0], scene.means[i * 3 + 1] - center[1], scene.means[i * 3 + 2] - center[2]));
  d.sort((p, q) => p - q);
  return { center, radius: Math.max(d[Math.floor(d.length * 0.8)] ?? 1, 1e-3) };
}
