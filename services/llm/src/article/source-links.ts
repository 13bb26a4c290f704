// Code (`a[0](b)`, fenced blocks) is matched first and kept whole. Link text may hold one level of brackets and
// line breaks; a destination may be <bracketed> (with spaces) and carry a "title", 'title' or (title), as
// CommonMark allows. A reference definition is a line of its own whose destination is an absolute URL.
const TEXT = String.raw`((?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)`;
const DEST = String.raw`(?:<([^<>\n]*)>|([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*))`;
const TITLE = String.raw`(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?`;
const LINKISH = new RegExp(
  String.raw`(\`\`\`[\s\S]*?\`\`\`|~~~[\s\S]*?~~~|\`[^\`\n]*\`)|(!?)\[${TEXT}\]\(\s*${DEST}${TITLE}\s*\)|<((?:https?:)?\/\/[^>\s]+|mailto:[^>\s]+)>|^ {0,3}\[[^\]\n]+\]:[ \t]*<?((?:https?:)?\/\/[^\s>]+)>?(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$`,
  'gim',
);

// What a reader's browser would follow: an absolute (or protocol-relative) URL, or mailto. A relative one such as
// the "2021" of [3](2021) is no link the publisher renders, and is left as written.
const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;
const canonical = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();

/**
 * Keeps the links and images of the body that point at one of the task's sources, and unlinks the rest (an image
 * elsewhere is dropped, a link keeps its text): the model writes from page text, which can talk it into linking
 * anywhere, and an image from another host is a tracking pixel in every reader's browser. Citations ([n]) are
 * not links and are linked to their sources by the publisher.
 */
export function keepSourceLinks(markdown: string, sourceUrls: readonly string[]): string {
  const allowed = new Set(sourceUrls.map(canonical));
  return markdown.replace(LINKISH, (match, ...groups: Array<string | undefined>) => {
    const [code, bang, text, bracketed, bare, auto, ref] = groups;
    if (code) return code;
    const target = bracketed ?? bare ?? auto ?? ref;
    if (target === undefined || allowed.has(canonical(target))) return match;
    if (auto !== undefined || ref !== undefined) return '';
    if (!ABSOLUTE.test(target.trim())) return match;
    return bang ? '' : (text ?? '');
  });
}
