/**
 * The turntable dialog (frames per turn, optional WebM and its frame rate) and the progress
 * box shown while it renders (bar, frame count, Cancel). Built here rather than in
 * index.html so the feature is one module.
 */
import type { TurntableProgress } from '../turntable/render-turntable.js';

export interface TurntableChoice {
  frames: number;
  webmFps?: number;
}

const DEFAULT_FRAMES = 90;

function field(label: string, input: HTMLElement): HTMLLabelElement {
  const l = document.createElement('label');
  l.append(label, input);
  return l;
}

function input(id: string, attrs: Record<string, string>): HTMLInputElement {
  const i = document.createElement('input');
  i.id = id;
  for (const [k, v] of Object.entries(attrs)) i.setAttribute(k, v);
  return i;
}

function buildDialog(): HTMLDialogElement {
  const dialog = document.createElement('dialog');
  dialog.id = 'turntable-dialog';
  const form = document.createElement('form');
  form.method = 'dialog';
  const title = document.createElement('h2');
  title.textContent = 'Turntable render';
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = 'Orbits the current target at the current distance and height; one PNG per frame, rendered like the screen.';
  const frames = input('turntable-frames', { type: 'number', min: '2', max: '720', step: '1', value: String(DEFAULT_FRAMES) });
  const webm = input('turntable-webm', { type: 'checkbox' });
  const fps = input('turntable-fps', { type: 'number', min: '1', max: '60', step: '1', value: '30' });
  const menu = document.createElement('menu');
  const cancel = document.createElement('button');
  cancel.value = 'cancel';
  cancel.textContent = 'Cancel';
  cancel.formNoValidate = true;
  const ok = document.createElement('button');
  ok.id = 'turntable-confirm';
  ok.value = 'ok';
  ok.textContent = 'Render';
  menu.append(cancel, ok);
  form.append(title, hint, field('Frames per turn', frames), field('Also a WebM video', webm), field('Video frame rate', fps), menu);
  dialog.append(form);
  document.body.append(dialog);
  return dialog;
}

/** Ask for the turntable settings; null if cancelled. */
export async function openTurntableDialog(): Promise<TurntableChoice | null> {
  const dialog = (document.getElementById('turntable-dialog') as HTMLDialogElement | null) ?? buildDialog();
  dialog.returnValue = '';
  dialog.showModal();
  const ok = await new Promise<boolean>((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
  if (!ok) return null;
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement);
  const frames = Math.round(Number(value('turntable-frames').value));
  const fps = Number(value('turntable-fps').value);
  if (!Number.isFinite(frames) || frames < 2 || frames > 720) throw new Error(`frames per turn must be 2..720, got ${value('turntable-frames').value}`);
  if (value('turntable-webm').checked && !(fps >= 1 && fps <= 60)) throw new Error(`video frame rate must be 1..60, got ${value('turntable-fps').value}`);
  return { frames, ...(value('turntable-webm').checked ? { webmFps: fps } : {}) };
}

/** The progress box in the messages area: bar, "frame k of N", Cancel. */
export function showTurntableProgress(onCancel: () => void): { update(p: TurntableProgress): void; close(): void } {
  const box = document.createElement('div');
  box.className = 'message info';
  box.dataset.testid = 'turntable-progress';
  const text = document.createElement('span');
  text.textContent = 'Turntable: starting…';
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  bar.style.display = 'block';
  bar.style.width = '100%';
  const cancel = document.createElement('button');
  cancel.id = 'turntable-cancel';
  cancel.textContent = 'Cancel';
  cancel.onclick = () => {
    cancel.disabled = true;
    onCancel();
  };
  box.append(cancel, text, bar);
  document.getElementById('messages')!.append(box);
  return {
    update: (p) => {
      bar.value = p.done / p.total;
      text.textContent = p.phase === 'frames' ? `Turntable: frame ${p.done} of ${p.total}` : `Turntable: video ${p.done} of ${p.total}`;
    },
    close: () => box.remove(),
  };
}
