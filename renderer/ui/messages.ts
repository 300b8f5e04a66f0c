/** User-facing messages: errors the user can act on, never a blank window. */
const container = () => document.getElementById('messages')!;

export function showMessage(text: string, kind: 'info' | 'error' = 'info', timeoutMs = kind === 'error' ? 0 : 6000): HTMLElement {
  const el = document.createElement('div');
  el.className = `message ${kind}`;
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = 'Dismiss';
  close.onclick = () => el.remove();
  el.append(close, document.createTextNode(text));
  container().append(el);
  if (timeoutMs > 0) setTimeout(() => el.remove(), timeoutMs);
  return el;
}

export function showError(context: string, e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  console.error(context, e);
  showMessage(`${context}: ${msg}`, 'error');
}
