/** A small loss / PSNR curve on a 2-D canvas (two series, each on its own scale). */
export class MetricChart {
  private readonly series = new Map<string, { x: number; y: number }[]>();
  private readonly colors: Record<string, string> = { loss: '#ff9f43', psnr: '#5e9cff' };

  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(): void {
    this.series.clear();
    this.draw();
  }

  push(name: string, x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = []));
    s.push({ x, y });
    if (s.length > 2000) s.splice(0, s.length - 2000);
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width: W, height: H } = this.canvas;
    ctx.clearRect(0, 0, W, H);
    ctx.font = '10px system-ui';
    let legendY = 12;
    for (const [name, pts] of this.series) {
      if (pts.length < 2) continue;
      const xs = pts.map((p) => p.x);
      const ys = pts.map((p) => p.y);
      const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
      const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
      ctx.strokeStyle = this.colors[name] ?? '#ccc';
      ctx.beginPath();
      pts.forEach((p, i) => {
        const px = ((p.x - x0) / Math.max(x1 - x0, 1e-9)) * (W - 4) + 2;
        const py = H - 2 - ((p.y - y0) / Math.max(y1 - y0, 1e-9)) * (H - 4);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(`${name} ${ys[ys.length - 1].toPrecision(4)}`, W - 90, legendY);
      legendY += 12;
    }
  }
}
