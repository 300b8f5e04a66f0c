/**
 * The scene formats Sparrow reads and writes, and the SH degree each can hold: in a module of
 * their own, without the codecs, so the CLI's help text and flag checks can name them without
 * loading every codec (engine/io/scene-codec.ts re-exports them).
 */
export const SCENE_FORMATS = ['ply', 'compressed-ply', 'spz', 'splat', 'glb', 'sog'] as const;
export type SceneFormat = (typeof SCENE_FORMATS)[number];

/** Largest SH degree each format can hold. */
export const MAX_SH_DEGREE: Record<SceneFormat, number> = { ply: 3, 'compressed-ply': 3, spz: 3, splat: 0, glb: 3, sog: 3 };
