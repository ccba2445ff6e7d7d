/**
 * The display convention every layer may use: a MIME bundle type, the registered symbol an object
 * implements to display itself (Deno's `Symbol.for("Jupyter.display")`), and the HTML escape
 * every text fallback goes through, so a tensor or layer name like `<img onerror=…>` shows as
 * text and never runs (bundles render in notebooks opened from anywhere, and on GitHub).
 */
import { type Payload, TSQUANT_MIME } from "../display/payload";

/** A Jupyter MIME bundle: MIME type → data (a string, or a JSON object for `+json` types). */
export interface MimeBundle {
  "text/plain"?: string;
  "text/html"?: string;
  [TSQUANT_MIME]?: Payload;
  [mime: string]: unknown;
}

/** The method key of the display convention (a registered symbol: no import needed to use it). */
export const DISPLAY_SYMBOL: unique symbol = Symbol.for("Jupyter.display") as never;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `s` with `& < > " '` replaced by entities: safe as element text and as a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
