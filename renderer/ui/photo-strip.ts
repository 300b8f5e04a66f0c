/** The strip of input photos with per-photo status (registered, depth ready, excluded and why). */
export type PhotoStatus = 'loaded' | 'registered' | 'depth' | 'excluded' | 'error';

export interface PhotoEntry {
  name: string;
  bytes: Uint8Array;
  status: PhotoStatus;
  note?: string;
}

export class PhotoStrip {
  private readonly entries = new Map<string, { entry: PhotoEntry; el: HTMLElement; url: string }>();

  constructor(private readonly root: HTMLElement) {}

  get photos(): PhotoEntry[] {
    return [...this.entries.values()].map((e) => e.entry);
  }

  clear(): void {
    for (const { url } of this.entries.values()) URL.revokeObjectURL(url);
    this.entries.clear();
    this.root.replaceChildren();
  }

  add(name: string, bytes: Uint8Array): void {
    if (this.entries.has(name)) return;
    const type = /\.png$/i.test(name) ? 'image/png' : 'image/jpeg';
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
    const el = document.createElement('figure');
    el.className = 'photo loaded';
    el.dataset.name = name;
    const img = document.createElement('img');
    img.src = url;
    img.alt = name;
    const status = document.createElement('figcaption');
    status.className = 'status';
    el.append(img, status);
    this.root.append(el);
    const entry: PhotoEntry = { name, bytes, status: 'loaded' };
    this.entries.set(name, { entry, el, url });
    this.setStatus(name, 'loaded');
  }

  setStatus(name: string, status: PhotoStatus, note?: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    e.entry.status = status;
    e.entry.note = note;
    e.el.className = `photo ${status}`;
    const label = { loaded: 'loaded', registered: 'registered', depth: 'depth ready', excluded: 'excluded', error: 'error' }[status];
    const text = note ? `${label}: ${note}` : label;
    const caption = e.el.querySelector('.status')!;
    caption.textContent = text;
    e.el.title = `${name} — ${text}`;
  }
}
