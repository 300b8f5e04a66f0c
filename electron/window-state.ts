/** Window bounds remembered between runs, clamped to a visible display. */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../engine/io/atomic-write.js';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1400, height: 900, maximized: false };

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function loadWindowState(file: string): WindowState {
  if (!existsSync(file)) return { ...DEFAULT_WINDOW };
  try {
    const s = JSON.parse(readFileSync(file, 'utf8'));
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    return {
      x: num(s.x),
      y: num(s.y),
      width: Math.max(640, Math.min(num(s.width) ?? DEFAULT_WINDOW.width, 10000)),
      height: Math.max(480, Math.min(num(s.height) ?? DEFAULT_WINDOW.height, 10000)),
      maximized: s.maximized === true,
    };
  } catch {
    return { ...DEFAULT_WINDOW };
  }
}

/** Drop the position when the window would not overlap any display (monitor unplugged). */
export function clampToDisplays(state: WindowState, displays: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const visible = displays.some(
    (d) => state.x! < d.x + d.width - 50 && state.x! + state.width > d.x + 50 && state.y! < d.y + d.height - 50 && state.y! + state.height > d.y + 50,
  );
  return visible ? state : { ...state, x: undefined, y: undefined };
}

export function saveWindowState(file: string, state: WindowState): void {
  writeFileAtomic(file, JSON.stringify(state));
}
