// Shared helpers for the Playwright specs in e2e/.
import type { Page } from "@playwright/test";

/** Where every spec writes its screenshots (looked at by people, not compared by tests). */
export const SCREENSHOT_DIR = "e2e/screenshots";

export function screenshotPath(name: string): string {
  return `${SCREENSHOT_DIR}/${name}`;
}

/** Collects console errors and uncaught page errors so a spec can assert there were none. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}
