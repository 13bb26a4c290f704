const TITLE_PART_MAX = 60;
const ID_PART = 12;

/**
 * A WordPress slug that names the article and its request: `tides-why-the-sea-moves-3f2a9c41d7e0`. It is
 * already in WordPress's own slug alphabet (lowercase a–z, digits, dashes), so WordPress keeps it as sent,
 * and the same request always gets the same slug: the channel finds its own post by it. 48 bits of the
 * request id keep two requests with one title apart.
 */
export function postSlug(title: string, requestId: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const titlePart = words.slice(0, TITLE_PART_MAX).replace(/-+$/, '') || 'article';
  return `${titlePart}-${requestId.replace(/-/g, '').slice(0, ID_PART).toLowerCase()}`;
}
