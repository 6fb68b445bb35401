// Lighthouse's accessibility audit of pages in the Chromium the browser tests drive.
//
//   node lighthouse.mjs PORT
//
// PORT is that Chromium's remote-debugging port. Reads one request a line on stdin and answers
// each with one line of JSON on stdout, so that Lighthouse starts once for all the audits:
//   {"mode": "navigation", "target": URL}   loads URL in a new tab and audits it
//   {"mode": "snapshot", "target": NAME}    audits, as it is, the open tab whose window.name is
//                                           NAME (a page behind a sign-in)
// The answer: the accessibility score (0 to 1), every audit that did not pass with the elements
// it names, the audits that passed, and any audit that could not run.
import { createInterface } from "node:readline";
import { navigation, snapshot } from "lighthouse";
import puppeteer from "puppeteer-core";

const port = process.argv[2];
if (!port) {
  console.error("usage: node lighthouse.mjs PORT   (requests on stdin, one JSON a line)");
  process.exit(2);
}

const config = {
  extends: "lighthouse:default",
  settings: {
    onlyCategories: ["accessibility"],
    formFactor: "desktop",
    // The tests' window size, not a simulated phone. Throttling stays "simulate": it only
    // changes performance figures (not audited here), and any other method makes Lighthouse
    // wait 5 s of quiet after a page loads instead of 1 s.
    screenEmulation: { disabled: true },
    skipAboutBlank: true,
  },
};

async function findTab(browser, name) {
  for (const page of await browser.pages()) {
    try {
      if ((await page.evaluate(() => window.name)) === name) return page;
    } catch {
      // a tab closing or navigating meanwhile: not the one asked for
    }
  }
  throw new Error(`no open tab has window.name ${JSON.stringify(name)}`);
}

function summary(lhr) {
  const category = lhr.categories.accessibility;
  const audits = category.auditRefs.map((ref) => lhr.audits[ref.id]);
  return {
    url: lhr.finalDisplayedUrl,
    score: category.score,
    failing: audits
      .filter((audit) => audit.score !== null && audit.score < 1)
      .map((audit) => ({
        id: audit.id,
        title: audit.title,
        nodes: (audit.details?.items ?? []).map(
          (item) => item.node?.snippet ?? item.node?.selector ?? JSON.stringify(item),
        ),
      })),
    passed: audits.filter((audit) => audit.score === 1).map((audit) => audit.id),
    errors: Object.values(lhr.audits)
      .filter((audit) => audit.errorMessage)
      .map((audit) => `${audit.id}: ${audit.errorMessage}`),
  };
}

async function audit(browser, { mode, target }) {
  if (mode === "snapshot") {
    return summary((await snapshot(await findTab(browser, target), { config })).lhr);
  }
  if (mode !== "navigation") throw new Error(`unknown mode ${JSON.stringify(mode)}`);
  const tab = await browser.newPage();
  try {
    await tab.setViewport({ width: 1280, height: 900 });
    await tab.bringToFront();
    return summary((await navigation(tab, target, { config })).lhr);
  } finally {
    await tab.close();
  }
}

const browser = await puppeteer.connect({
  browserURL: `http://127.0.0.1:${port}`,
  defaultViewport: null,
});
try {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let answer;
    try {
      answer = await audit(browser, JSON.parse(line));
    } catch (error) {
      answer = { error: String(error?.stack ?? error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
} finally {
  // The browser is the tests': only this connection ends.
  await browser.disconnect();
}
