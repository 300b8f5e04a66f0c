/**
 * The edit mode's drawing: control points as three.js screen-size points on a canvas of
 * their own stacked over the viewer (the viewer's overlay keeps its scene private), drawn
 * with the overlay's camera so they sit exactly on the splats. Colours say what a point
 * does in the next drag: selected (moves), pinned (held), held by the region of interest
 * during a drag, or free (solved by ARAP).
 */
import * as THREE from 'three';

export type PointRole = 'free' | 'selected' | 'pinned' | 'held';

/** Marker diameter in CSS pixels (converted to render pixels at draw time). */
const POINT_CSS_PX = 10;

/** A round, antialiased marker: alpha falls off over the last pixel of a 32 px disc. */
function discTexture(): THREE.DataTexture {
  const n = 32;
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r = Math.hypot(x + 0.5 - n / 2, y + 0.5 - n / 2);
      const a = Math.max(0, Math.min(1, n / 2 - r));
      const edge = r > n / 2 - 3 ? 0.25 : 1; // dark rim so the marker reads on bright splats
      data.set([255 * edge, 255 * edge, 255 * edge, 255 * a], (y * n + x) * 4);
    }
  }
  const t = new THREE.DataTexture(data, n, n);
  t.needsUpdate = true;
  return t;
}

const COLORS: Record<PointRole, THREE.Color> = {
  free: new THREE.Color(0x5ec8ff),
  selected: new THREE.Color(0xffd54a),
  pinned: new THREE.Color(0xff5e5e),
  held: new THREE.Color(0x8a93a6),
};

export class EditLayer {
  private readonly renderer?: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly geometry = new THREE.BufferGeometry();
  private readonly points: THREE.Points;
  private count = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    try {
      this.renderer = new THREE.WebGLRenderer({ canvas, alpha: true, antialias: true, preserveDrawingBuffer: true });
      this.renderer.setClearColor(0x000000, 0);
    } catch {
      this.renderer = undefined; // no WebGL: editing still works, only the markers are missing
    }
    const material = new THREE.PointsMaterial({ size: POINT_CSS_PX, sizeAttenuation: false, vertexColors: true, depthTest: false, transparent: true, map: discTexture(), alphaTest: 0.1 });
    this.points = new THREE.Points(this.geometry, material);
    this.points.frustumCulled = false;
    this.points.renderOrder = 10;
    this.scene.add(this.points);
  }

  /** Control-point positions [M, 3] and what each does. */
  setPoints(positions: ArrayLike<number>, role: (i: number) => PointRole): void {
    const m = positions.length / 3;
    if (m !== this.count) {
      this.geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(m * 3), 3));
      this.geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(m * 3), 3));
      this.count = m;
    }
    const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
    const col = this.geometry.getAttribute('color') as THREE.BufferAttribute;
    for (let i = 0; i < m; i++) {
      pos.setXYZ(i, positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]);
      const c = COLORS[role(i)];
      col.setXYZ(i, c.r, c.g, c.b);
    }
    pos.needsUpdate = true;
    col.needsUpdate = true;
  }

  set visible(v: boolean) {
    this.canvas.style.display = v ? '' : 'none';
  }

  /**
   * Draw with `camera` (same aspect as this canvas's box). The markers are drawn at the
   * screen's resolution, not the viewer's (possibly reduced) render resolution, so they stay crisp.
   */
  draw(camera: THREE.Camera): void {
    if (!this.renderer) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== width || this.canvas.height !== height) this.renderer.setSize(width, height, false);
    (this.points.material as THREE.PointsMaterial).size = POINT_CSS_PX * dpr;
    this.renderer.render(this.scene, camera);
  }

  dispose(): void {
    this.geometry.dispose();
    const material = this.points.material as THREE.PointsMaterial;
    material.map?.dispose();
    material.dispose();
    this.renderer?.dispose();
  }
}
