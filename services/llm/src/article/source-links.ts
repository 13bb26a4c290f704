// Code (`a[0](b)`, fenced blocks) is matched first and kept whole.
const LINKISH =
  /(```[\s\S]*?```|~~~[\s\S]*?~~~|`[^`\n]*`)|(!?)\[((?:[^\]\\\n]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)|<(https?:\/\/[^>\s]+)>|^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$/gim;

const canonical = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

/**
 * Keeps the links and images of the body that point at one of the task's sources, and unlinks the rest (an image
 * elsewhere is dropped, a link keeps its text): the model writes from page text, which can talk it into linking
 * anywhere, and an image from another host is a tracking pixel in every reader's browser. Citations ([n]) are
 * not links and are linked to their sources by the publisher.
 */
export function keepSourceLinks(markdown: string, sourceUrls: readonly string[]): string {
  const allowed = new Set(sourceUrls.map(canonical));
  return markdown.replace(
    LINKISH,
    (match, code: string | undefined, bang: string, text: string | undefined, url: string | undefined, auto: string | undefined, ref: string | undefined) => {
      if (code) return code;
      const target = url ?? auto ?? ref;
      if (target === undefined || allowed.has(canonical(target))) return match;
      if (auto !== undefined || ref !== undefined) return '';
      return bang ? '' : (text ?? '');
    },
  );
}
