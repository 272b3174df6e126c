import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const k8sDir = fileURLToPath(new URL('../../k8s/', import.meta.url));

/** A Kubernetes object as written in a manifest, before any typing. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface ManifestDoc {
  file: string;
  index: number;
  object: Manifest;
}

/** YAML files of the directory other than the kustomization itself. */
export function manifestFiles(dir = k8sDir): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();
}

/** Every document of every manifest file; a YAML error fails with the file and line. */
export function loadManifests(dir = k8sDir): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const file of manifestFiles(dir)) {
    const docs = parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'));
    docs.forEach((doc, index) => {
      if (doc.errors.length) throw new Error(`${file} document ${index + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const object = doc.toJS() as Manifest | null;
      if (object === null) return;
      out.push({ file, index, object });
    });
  }
  return out;
}

export function loadKustomization(dir = k8sDir): { namespace?: string; resources?: string[] } {
  const [doc] = parseAllDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  return doc!.toJS() as { namespace?: string; resources?: string[] };
}
