// The lint rule that keeps lib/view pure (eslint.config.mjs), checked through ESLint's own API on
// source text placed at lib/view paths: each forbidden import is reported, a pure one is not.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("lib/view purity rule", () => {
  it.each([
    'import { useState } from "react";',
    'import { createRoot } from "react-dom/client";',
    'import { useRouter } from "next/navigation";',
    'import { readFileSync } from "node:fs";',
    'import { get } from "node:http";',
    'import { KubeConfig } from "@kubernetes/client-node";',
    'import type { ClusterInfo } from "@/lib/server/types";',
    'import type { ClusterInfo } from "../../server/types";',
  ])("forbids %s", async (code) => {
    const messages = await restricted(`${code}\nexport const x = 1;\n`, "lib/view/namespace/example.ts");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("lib/view holds pure view helpers");
  });

  it("allows the core and other view helpers", async () => {
    const code =
      'import type { Certificate } from "../../core/snapshot/schema";\nimport { parseWindow } from "../window";\nexport type C = Certificate;\nexport const p = parseWindow;\n';
    expect(await restricted(code, "lib/view/namespace/example.ts")).toEqual([]);
  });
});
