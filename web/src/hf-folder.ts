// hf-folder.ts: Hugging Face model folders on the page: the files of a drop (walking dropped
// folders) or of a file input, read into the { name: bytes } record engine.importHuggingFace
// takes, the folder's name, and writing an exported folder to disk (into a directory the person
// picks where the browser allows it, else as separate downloads).

import { download } from './dom.js';

interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

async function walk(entry: EntryLike, out: File[]): Promise<void> {
  if (entry.isFile && entry.file) {
    out.push(await new Promise<File>((ok, fail) => entry.file!(ok, fail)));
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {  // readEntries returns the entries in batches until an empty one
      const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, out);
    }
  }
}

/** Every file of a drop: dropped files, and the files inside dropped folders. */
export async function droppedFiles(data: DataTransfer): Promise<File[]> {
  const entries = Array.from(data.items ?? [])
    .map((i) => (i as { webkitGetAsEntry?: () => EntryLike | null }).webkitGetAsEntry?.())
    .filter((e): e is EntryLike => !!e);
  if (entries.length === 0) return Array.from(data.files);
  const out: File[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}

/** The files as engine.importHuggingFace takes them (the engine keeps only the names' last part). */
export async function readFolder(files: File[]): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of files) out[f.webkitRelativePath || f.name] = new Uint8Array(await f.arrayBuffer());
  return out;
}

/** The folder's name when the files came from one, else undefined. */
export function folderName(files: File[]): string | undefined {
  const path = files.find((f) => f.webkitRelativePath)?.webkitRelativePath;
  return path && path.includes('/') ? path.split('/')[0] : undefined;
}

interface DirectoryHandle {
  getFileHandle(name: string, o: { create: boolean }): Promise<{ createWritable(): Promise<{ write(b: Blob): Promise<void>; close(): Promise<void> }> }>;
}

/** Writes the files into a folder the person picks (Chromium), else downloads each one. */
export async function saveFolder(files: Record<string, Uint8Array>): Promise<'folder' | 'downloads' | 'cancelled'> {
  const pick = (window as { showDirectoryPicker?: (o: object) => Promise<DirectoryHandle> }).showDirectoryPicker;
  const blob = (b: Uint8Array) => new Blob([b as BlobPart], { type: 'application/octet-stream' });
  if (pick) {
    let dir: DirectoryHandle;
    try {
      dir = await pick({ mode: 'readwrite' });
    } catch {
      return 'cancelled';
    }
    for (const [name, bytes] of Object.entries(files)) {
      const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await w.write(blob(bytes));
      await w.close();
    }
    return 'folder';
  }
  for (const [name, bytes] of Object.entries(files)) download(blob(bytes), name);
  return 'downloads';
}
