/**
 * three.js overlay drawn over the splats: grid, axes, input-camera frustums you
 * can click to jump to, and an optional selection box. It owns the three.js
 * camera that the orbit controls move; the splat renderer reads its pose.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { cameraFromOpenGlCameraToWorld as cameraFromGl, openGlCameraToWorld, type Camera } from '../../engine/splat/camera.js';

export class ViewerOverlay {
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private readonly renderer: THREE.WebGLRenderer | undefined;
  private readonly scene = new THREE.Scene();
  private readonly grid = new THREE.GridHelper(10, 20, 0x556070, 0x30363f);
  private readonly axes = new THREE.AxesHelper(1);
  private readonly frustums = new THREE.Group();
  private inputCameras: Camera[] = [];

  constructor(private readonly canvas: HTMLCanvasElement, interactionTarget: HTMLElement) {
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.01, 1000);
    this.camera.position.set(0, 0, 5);
    this.controls = new OrbitControls(this.camera, interactionTarget);
    this.controls.enableDamping = true;
    try {
      this.renderer = new THREE.WebGLRenderer({ canvas, alpha: true, antialias: true, preserveDrawingBuffer: true });
      this.renderer.setClearColor(0x000000, 0);
    } catch {
      this.renderer = undefined; // no WebGL: the overlay is optional, the splats still render
    }
    // Our world is OpenCV-style (y down) as the cameras give it; show the grid in the x-z plane with -y up.
    this.scene.add(this.grid, this.axes, this.frustums);
    interactionTarget.addEventListener('dblclick', (e) => this.pickFrustum(e));
  }

  setVisible(parts: { grid?: boolean; frustums?: boolean }): void {
    if (parts.grid !== undefined) this.grid.visible = this.axes.visible = parts.grid;
    if (parts.frustums !== undefined) this.frustums.visible = parts.frustums;
  }

  resize(width: number, height: number): void {
    this.camera.aspect = width / Math.max(height, 1);
    this.camera.updateProjectionMatrix();
    this.renderer?.setSize(width, height, false);
  }

  /** Show the input cameras as frustums; frame the view on them. */
  setInputCameras(cameras: Camera[], sceneScale: number): void {
    this.inputCameras = cameras;
    this.frustums.clear();
    const size = sceneScale * 0.08;
    for (const [index, cam] of cameras.entries()) {
      const c2w = openGlCameraToWorld(cam);
      const m = new THREE.Matrix4().set(...(c2w.flat() as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]));
      const hw = (cam.width / 2 / cam.fx) * size;
      const hh = (cam.height / 2 / cam.fy) * size;
      const pts = [0, 0, 0, -hw, -hh, -size, 0, 0, 0, hw, -hh, -size, 0, 0, 0, hw, hh, -size, 0, 0, 0, -hw, hh, -size,
        -hw, -hh, -size, hw, -hh, -size, hw, -hh, -size, hw, hh, -size, hw, hh, -size, -hw, hh, -size, -hw, hh, -size, -hw, -hh, -size];
      const geom = new THREE.BufferGeometry().setAttribute('position', new THREE.Float32BufferAttribute(pts, 3));
      const lines = new THREE.LineSegments(geom, new THREE.LineBasicMaterial({ color: 0xffb347 }));
      lines.applyMatrix4(m);
      lines.userData.index = index;
      this.frustums.add(lines);
    }
  }

  /** Move the view to an input camera (double-click its frustum). */
  jumpTo(index: number): void {
    const cam = this.inputCameras[index];
    if (!cam) return;
    const c2w = openGlCameraToWorld(cam);
    const m = new THREE.Matrix4().set(...(c2w.flat() as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]));
    m.decompose(this.camera.position, this.camera.quaternion, new THREE.Vector3());
    this.camera.fov = (2 * Math.atan(cam.height / 2 / cam.fy) * 180) / Math.PI;
    this.camera.updateProjectionMatrix();
    const forward = new THREE.Vector3(0, 0, -1).applyQuaternion(this.camera.quaternion);
    this.controls.target.copy(this.camera.position).addScaledVector(forward, 1);
    this.controls.update();
  }

  private pickFrustum(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(((e.clientX - rect.left) / rect.width) * 2 - 1, -((e.clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.params.Line = { threshold: 0.05 };
    ray.setFromCamera(ndc, this.camera);
    const hit = ray.intersectObjects(this.frustums.children, false)[0];
    if (hit) this.jumpTo(hit.object.userData.index as number);
  }

  /** Look at `center` from `distance` away (y down world: "up" is -y). */
  frame(center: [number, number, number], distance: number): void {
    this.camera.up.set(0, -1, 0);
    this.controls.target.set(...center);
    this.camera.position.set(center[0], center[1] - distance * 0.3, center[2] - distance);
    this.camera.near = distance / 1000;
    this.camera.far = distance * 100;
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.grid.position.set(center[0], center[1] + distance * 0.3, center[2]);
    this.grid.scale.setScalar(distance / 5);
    this.axes.position.set(...center);
    this.axes.scale.setScalar(distance / 10);
  }

  /** The current view as an engine camera (OpenCV axes) for a `width`x`height` image. */
  engineCamera(width: number, height: number): Camera {
    this.controls.update();
    this.camera.updateMatrixWorld();
    const e = this.camera.matrixWorld.elements; // column-major c2w (OpenGL axes)
    const rows = [
      [e[0], e[4], e[8], e[12]],
      [e[1], e[5], e[9], e[13]],
      [e[2], e[6], e[10], e[14]],
      [0, 0, 0, 1],
    ];
    const fy = height / 2 / Math.tan((this.camera.fov * Math.PI) / 360);
    const c = cameraFromGl(rows, { width, height, fx: fy, fy, cx: width / 2, cy: height / 2 });
    return c;
  }

  draw(): void {
    this.renderer?.render(this.scene, this.camera);
  }

  dispose(): void {
    this.controls.dispose();
    this.renderer?.dispose();
  }
}

