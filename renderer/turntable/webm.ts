/**
 * PNG frames -> WebM in the browser with WebCodecs: each frame is decoded, encoded by a
 * VideoEncoder (VP9, else VP8) with an exact timestamp k/fps, and the chunks are written into
 * a WebM by webm-muxer. Not MediaRecorder on a canvas stream: that stamps frames with wall
 * time and, on a loaded CPU, drops frames it has not encoded by the time it is stopped (we
 * measured empty files here); the encoder path keeps every frame and needs no pacing.
 */
import { ArrayBufferTarget, Muxer } from 'webm-muxer';
import { throwIfCancelled } from '../../engine/pipeline/events.js';

/** WebCodecs codec string and the WebM codec id it is stored under, most preferred first. */
const CODECS = [
  { codec: 'vp09.00.40.08', webm: 'V_VP9' }, // VP9 profile 0, level 4 (up to 2048x1088), 8-bit
  { codec: 'vp8', webm: 'V_VP8' },
];

/** The first codec this browser can encode at this size, with its encoder configuration. */
export async function webmEncoderConfig(width: number, height: number, fps: number): Promise<{ config: VideoEncoderConfig; webm: string } | undefined> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') return undefined;
  for (const c of CODECS) {
    // ~0.15 bits per pixel per frame: visually clean for renders, a few MB for a 4-second turn at 720p.
    const config: VideoEncoderConfig = { codec: c.codec, width, height, framerate: fps, bitrate: Math.round(Math.min(5e7, Math.max(5e5, width * height * fps * 0.15))) };
    const support = await VideoEncoder.isConfigSupported(config).catch(() => undefined);
    if (support?.supported) return { config, webm: c.webm };
  }
  return undefined;
}

/** Encode `frames` (PNG blobs of one size) at `fps`; undefined when the browser cannot encode VP8/VP9. */
export async function encodeWebm(
  frames: Blob[],
  width: number,
  height: number,
  fps: number,
  hooks: { signal?: AbortSignal; onFrame?: (done: number) => void } = {},
): Promise<Uint8Array | undefined> {
  if (!(fps > 0 && fps <= 120)) throw new Error(`WebM frame rate must be in (0, 120], got ${fps}`);
  const chosen = frames.length ? await webmEncoderConfig(width, height, fps) : undefined;
  if (!chosen) return undefined;
  const target = new ArrayBufferTarget();
  const muxer = new Muxer({ target, video: { codec: chosen.webm, width, height, frameRate: fps } });
  let failure: unknown;
  const encoder = new VideoEncoder({ output: (chunk, meta) => muxer.addVideoChunk(chunk, meta), error: (e) => (failure = e) });
  encoder.configure(chosen.config);
  const periodUs = 1e6 / fps;
  try {
    for (let i = 0; i < frames.length; i++) {
      throwIfCancelled(hooks.signal);
      if (failure) throw failure;
      const bitmap = await createImageBitmap(frames[i]);
      const frame = new VideoFrame(bitmap, { timestamp: Math.round(i * periodUs), duration: Math.round(periodUs) });
      encoder.encode(frame, { keyFrame: i % Math.max(1, Math.round(2 * fps)) === 0 }); // a key frame every 2 s for seeking
      frame.close();
      bitmap.close();
      // Hold at most a few frames in the encoder's queue (each is a full-size bitmap).
      while (encoder.encodeQueueSize > 4) await new Promise((r) => setTimeout(r, 5));
      hooks.onFrame?.(i + 1);
    }
    await encoder.flush();
    if (failure) throw failure;
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  muxer.finalize();
  return new Uint8Array(target.buffer);
}
