import type { PublishInput } from '../channels/channel.ts';

/**
 * A YAML double-quoted scalar. JSON string syntax is valid YAML 1.2, and it escapes quotes, backslashes and
 * control characters (newlines included), so a title like `a: "b"\n---` cannot end the scalar or the block.
 * NEL and the Unicode line/paragraph separators are escaped too: YAML 1.1 parsers treat them as line breaks.
 */
export function yamlString(value: string): string {
  return JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The Markdown file the `file` channel writes: YAML front matter, a blank line, then the article body. */
export function renderMarkdownFile(input: PublishInput): string {
  const { article } = input;
  const sources =
    article.sources.length === 0
      ? ['sources: []']
      : ['sources:', ...article.sources.flatMap((s) => [`  - title: ${yamlString(s.title)}`, `    url: ${yamlString(s.url)}`])];
  const lines = [
    '---',
    `title: ${yamlString(article.title)}`,
    `summary: ${yamlString(article.summary)}`,
    `topic: ${yamlString(input.brief.topic)}`,
    `request_id: ${yamlString(input.request_id)}`,
    `published_at: ${yamlString(input.published_at)}`,
    ...sources,
    '---',
    '',
    article.body_markdown.replace(/\s+$/, ''),
    '',
  ];
  return lines.join('\n');
}
