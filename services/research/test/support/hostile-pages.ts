/** Pages built to hurt an HTML extractor, each exactly `size` bytes (FETCH_MAX_BYTES in the tests). */
export function hostilePages(size: number): Record<string, string> {
  const fill = (head: string, unit: string) => (head + unit.repeat(Math.ceil(size / unit.length))).slice(0, size);
  return {
    'only <': '<'.repeat(size),
    'nested unclosed tags': fill('<html><body>', '<div><span><b><i><table><tr><td><ul><li><a href="x">'),
    'unclosed tags then stray end tags': fill('<div>'.repeat(Math.floor(size / 10)), '</b>'),
    'repeated <title>': fill('<html><head><title>First title</title>', '<title>again</title>'),
    'repeated unclosed <title>': fill('', '<title>'),
    'unterminated attributes': fill('<p class="nav" id="', 'x&amp;"y\''),
    entities: fill('<p>', '&amp;&#x41;&bogus;&#xD800;'),
  };
}

/** `text` in windows-1252: one byte per character, with 0x80–0x9F holding € “ ” – and friends. */
export function windows1252(text: string): Buffer {
  const high: Record<string, number> = { '€': 0x80, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92 };
  return Buffer.from([...text].map((c) => high[c] ?? c.charCodeAt(0)));
}

/** A page whose article sits behind a link bar, a cookie banner, a menu and breadcrumbs, with no <article> or <main>. */
export const BOILERPLATE_PAGE = `<!doctype html><html><head><title>Sourdough starter care</title></head><body>
<div class="top-bar"><a href="/">Home</a> <a href="/recipes">Recipes</a> <a href="/shop">Shop</a> <a href="/about">About us</a> <a href="/contact">Contact</a></div>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<ul class="menu-list">${Array.from({ length: 40 }, (_, i) => `<li><a href="/c/${i}">Category ${i}</a></li>`).join('')}</ul>
<div class="breadcrumbs"><a href="/">Home</a> › <a href="/recipes">Recipes</a> › Starter</div>
<div class="content"><h1>Caring for a sourdough starter</h1>
<p>A sourdough starter is a culture of flour, water and wild yeast that leavens bread.</p>
<p>Feed the sourdough starter daily with equal weights of flour and water; see <a href="/flour">our flour guide</a> for which flour to use.</p></div>
<div class="footer-links"><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/jobs">Jobs</a></div>
<footer>© 2025 Example Bakery</footer></body></html>`;

export const BOILERPLATE_TEXT = [
  'Caring for a sourdough starter',
  'A sourdough starter is a culture of flour, water and wild yeast that leavens bread.',
  'Feed the sourdough starter daily with equal weights of flour and water; see our flour guide for which flour to use.',
].join('\n\n');
