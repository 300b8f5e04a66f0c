/** The bundle's entry file when it is current, else null (see cli-bundle.mjs). */
export function freshCliBundle(root: string, dir?: string): string | null;
