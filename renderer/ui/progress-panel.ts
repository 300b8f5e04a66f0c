/** Per-stage progress with ETA, fed by the engine's event stream (the same events the CLI prints). */
import type { SparrowEvent } from '../../engine/pipeline/events.js';

function formatEta(ms?: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class ProgressPanel {
  private readonly rows = new Map<string, { el: HTMLElement; bar: HTMLProgressElement; info: HTMLElement }>();

  constructor(private readonly root: HTMLElement) {}

  reset(): void {
    this.rows.clear();
    this.root.replaceChildren();
  }

  private row(stage: string) {
    let r = this.rows.get(stage);
    if (!r) {
      const el = document.createElement('div');
      el.className = 'stage';
      el.dataset.stage = stage;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = stage;
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = 0;
      const info = document.createElement('span');
      info.className = 'info';
      el.append(name, bar, info);
      this.root.append(el);
      r = { el, bar, info };
      this.rows.set(stage, r);
    }
    return r;
  }

  handle(e: SparrowEvent): void {
    if (e.type === 'stage') {
      const r = this.row(e.stage);
      if (e.status === 'start') r.el.className = 'stage running';
      else {
        r.el.className = 'stage done';
        r.bar.value = r.bar.max;
        r.info.textContent = e.elapsedMs !== undefined ? `${(e.elapsedMs / 1000).toFixed(1)}s` : e.status;
      }
    } else if (e.type === 'step') {
      const r = this.row(e.stage);
      r.bar.max = Math.max(e.total, 1);
      r.bar.value = e.step;
      r.info.textContent = `${e.step}/${e.total} ${formatEta(e.etaMs)}`;
    } else if (e.type === 'error' && e.stage) {
      const r = this.row(e.stage);
      r.el.className = 'stage error';
      r.info.textContent = 'failed';
    }
  }
}
