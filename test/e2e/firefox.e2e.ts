// A call across browsers: a visitor in Firefox (Debian's firefox-esr, driven by puppeteer-core over
// WebDriver BiDi, with its fake camera and microphone) and one in Chromium, through the real server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import { newPage, root, startPartnerPage, startServer, waitInPage, type FixtureServer, type RunningServer } from './harness.js';

const FIREFOX = '/usr/bin/firefox-esr';
const probes = readFileSync(path.join(root, 'test/e2e/probes.js'), 'utf8');
const remoteFrames = (name: string) => `(__un75.remoteVideo().find((t) => t.name === ${JSON.stringify(name)})?.frames ?? 0)`;

describe('a call between Firefox and Chromium', () => {
  let server: RunningServer;
  let partner: FixtureServer;
  let firefox: Browser;

  before(async () => {
    server = await startServer();
    partner = await startPartnerPage();
    firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: {
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        'media.autoplay.default': 0,
      },
    });
  });

  after(async () => {
    await firefox?.close();
    await partner?.close();
    await server?.stop();
  });

  test('each sees the other with live video', async () => {
    const url = (name: string) => `${partner.url}/meeting.html?${new URLSearchParams({ server: server.url, room: 'cross', name })}`;
    const chromium = await newPage(0);
    await chromium.context.addInitScript({ content: probes });
    await chromium.page.goto(url('Chromie'));
    const fox = await firefox.newPage();
    await fox.evaluateOnNewDocument(probes);
    await fox.goto(url('Foxy'));
    try {
      await waitInPage(chromium.page, `${remoteFrames('Foxy')} > 0`, 'video from Firefox in Chromium');
      await fox.waitForFunction(`${remoteFrames('Chromie')} > 0`, { timeout: 45000, polling: 200 });
      // Live, not a frozen first frame: the counters keep advancing (waited on, however slow the machine).
      const before = [(await chromium.page.evaluate(remoteFrames('Foxy'))) as number, (await fox.evaluate(remoteFrames('Chromie'))) as number];
      await waitInPage(chromium.page, `${remoteFrames('Foxy')} > ${before[0]! + 2}`, "Firefox's video to keep moving in Chromium");
      await fox.waitForFunction(`${remoteFrames('Chromie')} > ${before[1]! + 2}`, { timeout: 45000, polling: 200 });
      assert.deepEqual(await fox.evaluate('__un75.names()'), ['Chromie', 'Foxy']);
    } finally {
      await fox.close();
      await chromium.context.close();
    }
  });
});
