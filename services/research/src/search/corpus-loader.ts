import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { htmlToText } from '../extract/html-to-text.ts';

export type CorpusDocument = { id: string; title: string; url: string; text: string };

const EXTENSIONS = new Set(['.md', '.markdown', '.html', '.htm', '.txt']);
// Repository housekeeping files live next to the documents but are not documents.
const HOUSEKEEPING = /^(?:license|licence|readme|copying|notice)$/i;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile() && EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

function tidyParagraphs(text: string): string {
  return text
    .split(/\n[ \t]*\n/)
    .map((para) =>
      para
        .split('\n')
        .map((line) => line.replace(/[ \t]+/g, ' ').trim())
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}

function stripInlineMarkdown(line: string): string {
  return line
    .replace(/^\s{0,3}#{1,6}\s+/, '')
    .replace(/\s+#+\s*$/, '')
    .replace(/^\s*>\s?/, '')
    .replace(/^\s*(?:[-*_]\s*){3,}$/, '')
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/^\s*\[[^\]]+\]:\s+\S+.*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^\p{L}\p{N}*_])([*_])(?=\S)(.+?)(?<=\S)\2(?![\p{L}\p{N}])/gu, '$1$3')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '');
}

export function markdownToText(markdown: string): { title: string; text: string } {
  const lines = markdown.replace(/^---\n[\s\S]*?\n---\n/, '').split('\n');
  let title = '';
  let inFence = false;
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*(?:```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    const heading = /^\s{0,3}#\s+(.+?)\s*#*\s*$/.exec(line);
    // The first level-one heading becomes the title rather than body text.
    if (!title && heading?.[1]) {
      title = stripInlineMarkdown(heading[1]).trim();
      continue;
    }
    out.push(stripInlineMarkdown(line));
  }
  return { title, text: tidyParagraphs(out.join('\n')) };
}

function plainToText(raw: string): { title: string; text: string } {
  const lines = raw.split('\n');
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0) return { title: '', text: '' };
  return { title: (lines[first] ?? '').trim(), text: tidyParagraphs(lines.slice(first + 1).join('\n')) };
}

function parse(ext: string, raw: string): { title: string; text: string } {
  if (ext === '.html' || ext === '.htm') return htmlToText(raw);
  if (ext === '.txt') return plainToText(raw);
  return markdownToText(raw);
}

export async function loadCorpus(dir: string): Promise<CorpusDocument[]> {
  const root = resolve(dir);
  const files = (await listFiles(root)).filter((file) => !HOUSEKEEPING.test(basename(file, extname(file))));
  const docs = await Promise.all(
    files.map(async (file): Promise<CorpusDocument> => {
      const ext = extname(file).toLowerCase();
      const raw = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
      const parsed = parse(ext, raw);
      const fallback = basename(file, extname(file)).replace(/[-_]+/g, ' ').trim();
      return {
        id: relative(root, file).split(sep).join('/'),
        title: parsed.title || fallback,
        url: pathToFileURL(file).href,
        text: parsed.text,
      };
    }),
  );
  return docs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
