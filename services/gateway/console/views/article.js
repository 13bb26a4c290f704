import { h, safeLink } from '../dom.js';

/**
 * The article as plain text blocks: Markdown headings, list items and paragraphs become elements whose content
 * is text, so whatever the body holds (HTML included) is shown, never interpreted.
 */
export function articleView(result) {
  if (!result) return h('p', { class: 'muted' }, 'Not written yet.');
  const blocks = result.body_markdown.split(/\n{2,}/).map((block) => {
    const heading = /^(#{1,6})\s+(.*)$/s.exec(block);
    if (heading) return h(`h${Math.min(6, heading[1].length + 2)}`, {}, heading[2]);
    if (/^\s*[-*] /.test(block))
      return h(
        'ul',
        {},
        block.split('\n').map((line) => h('li', {}, line.replace(/^\s*[-*] /, ''))),
      );
    return h('p', {}, block);
  });
  return h(
    'article',
    { class: 'article', id: 'article' },
    h('h3', {}, result.title),
    h('p', { class: 'summary' }, result.summary),
    blocks,
    result.sources.length
      ? h(
          'ol',
          { class: 'sources' },
          result.sources.map((s) => h('li', {}, safeLink(s.url, s.title || s.url))),
        )
      : null,
    h('p', {}, 'Published: ', result.published_url ? h('span', { class: 'mono', id: 'published-url' }, result.published_url) : 'not yet'),
  );
}
