import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pollUntil, startHttpStub, type HttpStub } from '@pressroom/test-support';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { email: 'operator@console.test', password: 'operator password for the console test' };
const JAEGER = 'http://jaeger.console.test:16686';
const TOPIC = 'How do honeybees communicate?';
// HTML in a field the console shows: it must appear as text, never run.
const AUDIENCE = 'beekeepers <img src=x onerror="window.__pwned=1">';
// CONSOLE_SCREENSHOTS=docs/console writes the main views there (the README shows one).
const SHOTS = process.env['CONSOLE_SCREENSHOTS'] ? resolve(process.env['CONSOLE_SCREENSHOTS']) : undefined;

/**
 * The operator console in headless Chromium against the four real services. The request's webhook receiver
 * answers 410 Gone at first, so its publish task is dead-lettered; the operator finds it, opens its timeline,
 * the receiver is fixed, and replaying the dead letter from the page takes the request to published, which the
 * open timeline shows live over the event stream.
 */
describe('operator console in Chromium: four processes', () => {
  let pipeline: Pipeline;
  let receiver: HttpStub;
  let browser: Browser;
  let publishDir: string;
  let receiverGone = true;
  const violations: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it when missing`);
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-console-'));
    receiver = await startHttpStub(() =>
      receiverGone ? { status: 410, body: { error: 'gone' } } : { status: 200, body: { url: 'https://blog.example/honeybees' } },
    );
    pipeline = await startPipeline('console', {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      JAEGER_UI_URL: JAEGER,
      PUBLISH_DIR: publishDir,
      STARTED_EVENT_DELAY_MS: '0',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: 30_000 });
    if (SHOTS) await mkdir(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await pipeline?.close();
    await receiver?.close();
    await rm(publishDir, { recursive: true, force: true });
  });

  /** A fresh browser profile whose page reports every CSP violation, console error and uncaught exception. */
  async function openConsole(sink = violations): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // Runs in the page (a string: this file is typed for Node, not the DOM); violations reach the console listener below.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
    );
    page.on('console', (msg) => {
      // A refused API call logs a network error; those are the point of some steps. CSP and script errors are not.
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) sink.push(msg.text());
    });
    page.on('pageerror', (err) => sink.push(`page error: ${err.message}`));
    await page.goto(`${pipeline.url}/console`);
    return { context, page };
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.fill('#sign-in input[name=email]', email);
    await page.fill('#sign-in input[name=password]', password);
    await page.click('#sign-in button[type=submit]');
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('when the console is loaded, then it is served with a CSP that allows only its own files and forbids framing', async () => {
    const res = await fetch(`${pipeline.url}/console/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"])
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son\w+=/i, 'no inline script, style attribute or handler');
    const script = await fetch(`${pipeline.url}/console/app.js`);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${pipeline.url}/console/../package.json`)).status, 404);

    // The violation listener is not vacuous: a script that reaches for another origin, or for an HTML sink, is reported.
    const seen: string[] = [];
    const { context, page } = await openConsole(seen);
    await page.waitForSelector('#sign-in');
    await page.evaluate("const i = new Image(); i.src = 'https://cdn.example/x.png'; document.body.append(i)");
    await page.evaluate("try { document.body.innerHTML = '<b>x</b>' } catch (e) { console.error('blocked: ' + e.name) }");
    await pollUntil('the violations to be reported', () => (seen.length >= 2 ? seen : undefined), { timeoutMs: 5000 });
    assert.ok(
      seen.some((m) => /CSP violation: img-src/.test(m)),
      seen.join('\n'),
    );
    assert.ok(
      seen.some((m) => /blocked: TypeError|require-trusted-types-for/.test(m)),
      seen.join('\n'),
    );
    await context.close();
  });

  it('when an admin finds the failed request, opens its timeline and replays its dead letter, then the open timeline follows it to published', async () => {
    const user = await pipeline.api.registerAndLogin();
    const submitted = await pipeline.api.call('POST', '/v1/requests', {
      token: user.access,
      body: { topic: TOPIC, audience: AUDIENCE, length: 'short', channel: { type: 'webhook', url: `${receiver.url}/hook` } },
    });
    assert.equal(submitted.status, 202);
    const id = submitted.body.id as string;

    const { context, page } = await openConsole();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#request-filters');
    // The request fails once its publish is dead-lettered; the list shows it under the failed filter, and the
    // operator narrows it to the user's own by their e-mail.
    await page.selectOption('#request-filters select[name=status]', 'failed');
    await page.fill('#request-filters input[name=user]', user.email.toUpperCase());
    const row = page.locator(`#request-list tr[data-id="${id}"]`);
    for (let i = 0; i < 60 && !(await row.count()); i++) {
      await page.click('#request-filters button[type=submit]');
      await page.waitForTimeout(500);
    }
    assert.equal(await row.count(), 1, 'the failed request is listed');
    assert.equal(await page.locator('#request-list tr[data-id]').count(), 1, "only that user's requests are listed");
    await shot(page, 'requests');
    await row.locator('a').first().click();

    await page.waitForSelector('#request-status[data-status="failed"]');
    assert.equal(await page.locator('#request-detail h2').textContent(), TOPIC);
    assert.equal(await page.locator('#request-audience').textContent(), AUDIENCE, 'markup from the API is shown as text');
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no markup from the API ran');
    assert.equal(await page.locator('#request-detail img').count(), 0);
    const publishRow = page.locator('tr[data-stage="publish"]');
    assert.match((await publishRow.textContent()) ?? '', /failed/, (await page.locator('#request-detail').textContent()) ?? '');
    assert.match((await publishRow.textContent()) ?? '', /upstream_410/);
    assert.match((await page.locator('#request-detail').textContent()) ?? '', /request\.publish\.failed/);
    const trace = await pipeline.api.call('GET', `/v1/admin/requests/${id}`, { token: await adminToken() });
    if (trace.body.trace_id) assert.equal(await page.locator('#trace-link a').getAttribute('href'), `${JAEGER}/trace/${trace.body.trace_id}`);
    else assert.equal(trace.body.trace_url, null);
    await page.waitForSelector('#article h3');
    await shot(page, 'request-timeline');

    receiverGone = false;
    await page.click('tr[data-letter] button.replay');
    await page.waitForSelector('#request-status[data-status="published"]', { timeout: 30_000 });
    assert.equal(await page.locator('#published-url').textContent(), 'https://blog.example/honeybees');
    assert.equal(await page.locator('tr[data-letter] button.replay').count(), 0, 'the replayed letter offers no second replay');
    await shot(page, 'request-published');

    await page.click('nav a[href="#/dead-letters"]');
    await page.waitForSelector('#dead-letter-list');
    await page.check('input[name=include_replayed]');
    await page.waitForSelector(`#dead-letter-list tr[data-request="${id}"]`);
    await shot(page, 'dead-letters');
    await page.click('nav a[href="#/queues"]');
    await page.waitForSelector('#queue-list tr[data-stage="publish"]');
    await shot(page, 'queues');
    await page.click('nav a[href="#/breakers"]');
    await page.waitForSelector('#breaker-list');
    await shot(page, 'breakers');
    await page.click('nav a[href="#/users"]');
    await page.waitForSelector(`#user-list tr[data-user="${user.userId}"]`);
    await shot(page, 'users');
    await context.close();
  });

  it('when an admin replays every dead letter of a stage, then the button counts what waits on the gateway and asks first; dismissed, nothing is replayed', async () => {
    const user = await pipeline.api.registerAndLogin();
    receiverGone = true;
    const submitted = await pipeline.api.call('POST', '/v1/requests', {
      token: user.access,
      body: { topic: TOPIC, length: 'short', channel: { type: 'webhook', url: `${receiver.url}/hook` } },
    });
    assert.equal(submitted.status, 202);
    const waitingNow = async () =>
      ((await pipeline.api.call('GET', '/v1/admin/queues', { token: await adminToken() })).body.items as Array<{ stage: string; dead_letters: number }>).find(
        (q) => q.stage === 'publish',
      )!.dead_letters;
    await pollUntil('its publish task to be dead-lettered', async () => {
      const list = await pipeline.api.call('GET', `/v1/admin/dead-letters?request_id=${submitted.body.id}`, { token: await adminToken() });
      return list.body.items?.[0];
    });
    const waiting = await waitingNow();
    receiverGone = false;
    const { context, page } = await openConsole();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#request-filters');
    await page.click('nav a[href="#/dead-letters"]');
    const button = page.locator('button.replay-stage[data-stage="publish"]');
    await button.waitFor();
    assert.equal(await button.textContent(), `Replay all publish (${waiting})`);
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await button.click();
    await pollUntil('the confirmation', async () => (asked ? true : undefined));
    assert.match(asked, new RegExp(`^Replay all ${waiting} waiting publish dead letters?\\?`));
    assert.equal(await waitingNow(), waiting, 'dismissed: nothing replayed');
    page.once('dialog', (d) => void d.accept());
    await button.click();
    await page.waitForSelector('p.replay-all:has-text("replayed")');
    assert.match((await page.locator('p.replay-all').textContent()) ?? '', /Replay all publish: [1-9]\d* replayed/);
    await waitForFinalRequest(pipeline.api, user.access, submitted.body.id);
    await context.close();
  });

  it("when an admin disables a user and sets a quota from the users view, then the API reflects it, and a bad quota shows the API's problem", async () => {
    const user = await pipeline.api.registerAndLogin();
    const { context, page } = await openConsole();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#request-filters');
    await page.click('nav a[href="#/users"]');
    const row = page.locator(`#user-list tr[data-user="${user.userId}"]`);
    await row.waitFor();
    await row.locator('input.quota').fill('7');
    await row.locator('form button').click();
    await page.waitForFunction(`document.querySelector('#user-list tr[data-user="${user.userId}"] input.quota')?.value === '7'`);
    // Its "requests" link: the list filtered by that user (not a request page for an id of "user_id=…").
    const own = await pipeline.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'console user link, own' } });
    const other = await pipeline.api.call('POST', '/v1/requests', { token: await adminToken(), body: { topic: 'console user link, other' } });
    assert.deepEqual([own.status, other.status], [202, 202]);
    await row.locator('a', { hasText: 'requests' }).click();
    await page.waitForSelector('#request-list table');
    assert.equal(await page.locator('#problem').isHidden(), true, (await page.locator('#problem').textContent()) ?? '');
    assert.equal(await page.locator('#request-filters input[name="user"]').inputValue(), user.userId);
    const listed = (await page.locator('#request-list').textContent()) ?? '';
    assert.ok(listed.includes('console user link, own') && !listed.includes('console user link, other'), listed);
    await page.click('nav a[href="#/users"]');
    await row.waitFor();
    await row.locator('button.toggle-disabled').click();
    await page.waitForSelector(`#user-list tr[data-user="${user.userId}"] .badge-disabled`);
    const users = await pipeline.api.call('GET', '/v1/admin/users?limit=100', { token: await adminToken() });
    const seen = users.body.items.find((u: { id: string }) => u.id === user.userId);
    assert.equal(seen.daily_quota, 7);
    assert.equal(seen.disabled, true);

    // 2000000 is over the schema's maximum: the gateway's problem+json (title, detail, field) is what the operator reads.
    await row.locator('input.quota').evaluate((el: { removeAttribute(name: string): void }) => el.removeAttribute('max'));
    await row.locator('input.quota').fill('2000000');
    await row.locator('form button').click();
    await page.waitForSelector('#problem:not([hidden])');
    const problem = (await page.locator('#problem').textContent()) ?? '';
    assert.match(problem, /Validation failed/);
    assert.match(problem, /400/);
    assert.match(problem, /daily_quota/);
    await context.close();
  });

  it('when a user without the admin role signs in, then the console refuses with a clear message and shows no data', async () => {
    const user = await pipeline.api.registerAndLogin();
    const { context, page } = await openConsole();
    await signIn(page, user.email, user.password);
    await page.waitForSelector('#sign-in-message.notice');
    assert.match((await page.locator('#sign-in-message').textContent()) ?? '', /is not an admin/);
    assert.equal(await page.locator('#nav').isHidden(), true);
    assert.equal(await page.locator('#request-list').count(), 0);

    // A wrong password is the API's 401, shown as it came.
    await signIn(page, ADMIN.email, 'not the password at all');
    await page.waitForSelector('#problem:not([hidden])');
    assert.match((await page.locator('#problem').textContent()) ?? '', /401/);
    await context.close();
  });

  it('when the session ends while the console is open, then the next action asks the operator to sign in again', async () => {
    const { context, page } = await openConsole();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#request-filters');
    // The session is ended behind the console's back (as an expiry or a revocation would): its access token and its refresh token stop working.
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('pressroom.console.session') ?? 'null') as { access: string } | null);
    assert.ok(stored?.access, 'the console keeps its session in sessionStorage');
    assert.equal((await pipeline.api.call('POST', '/v1/auth/logout', { token: stored.access, body: {} })).status, 204);
    await page.click('nav a[href="#/queues"]');
    await page.waitForSelector('#sign-in-message.notice');
    assert.match((await page.locator('#sign-in-message').textContent()) ?? '', /session has expired/i);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pressroom.console.session')), null, 'the dead session is forgotten');
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#queue-list tr[data-stage="research"]');
    await context.close();
  });

  it('when a token refresh meets a 503 (a deploy, the database away), then the operator stays signed in, sees it, and the next action works', async () => {
    const { context, page } = await openConsole();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForSelector('#request-filters');
    // The access token has expired (as after 15 idle minutes: the tab is reloaded with it), and the gateway answers
    // the refresh with 503 once.
    await page.route(
      '**/v1/auth/refresh',
      (r) =>
        r.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ status: 503, code: 'unavailable', title: 'Service unavailable', detail: 'starting' }),
        }),
      { times: 1 },
    );
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('pressroom.console.session') ?? 'null') as { access: string };
      sessionStorage.setItem('pressroom.console.session', JSON.stringify({ ...s, access: `${s.access}x` }));
    });
    await page.reload();
    await page.waitForSelector('#problem:not([hidden])');
    assert.match((await page.locator('#problem').textContent()) ?? '', /503/);
    assert.notEqual(await page.evaluate(() => sessionStorage.getItem('pressroom.console.session')), null, 'still signed in');
    assert.equal(await page.locator('#sign-in-message.notice').count(), 0, 'not sent back to the sign-in form');
    await page.evaluate("location.hash = '#/queues'");
    await page.waitForSelector('#queue-list tr[data-stage="research"]');
    await context.close();
  });

  it('when the tests are done, then no page reported a CSP violation, a script error or an exception', () => {
    assert.deepEqual(violations, []);
  });

  let token: string | undefined;
  async function adminToken(): Promise<string> {
    token ??= (await pipeline.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token as string;
    return token;
  }
});
