/**
 * Plot colours from the JupyterLab theme. JupyterLab's theme manager sets
 * `data-jp-theme-light` on <body> and defines `--jp-*` CSS variables; plots read them, so they
 * follow light and dark themes, and re-render when the theme switches.
 */
import type { Font, Layout } from "./plotly";

export interface Theme {
  light: boolean;
  fontFamily: string;
  font: string;
  fontMuted: string;
  grid: string;
  accent: string;
  /** The colour of clipped regions and of "out of range" marks. */
  warn: string;
  /** The colour of good values (the per-tensor range, best cells). */
  good: string;
  /** Categorical palette (op types, variants). */
  palette: string[];
}

const LIGHT_PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
];
const DARK_PALETTE = [
  "#6baed6",
  "#fdae6b",
  "#74c476",
  "#bcbddc",
  "#d6a58a",
  "#f1b6da",
  "#7fdbe8",
  "#dbdb8d",
];

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v !== "" ? v : fallback;
}

/** The current theme, read from <body> and the CSS variables visible at `node`. */
export function currentTheme(node: HTMLElement): Theme {
  const light = document.body.dataset["jpThemeLight"] !== "false";
  const style = getComputedStyle(node);
  return {
    light,
    fontFamily: cssVar(style, "--jp-ui-font-family", "sans-serif"),
    font: cssVar(style, "--jp-ui-font-color1", light ? "#1f1f1f" : "#e0e0e0"),
    fontMuted: cssVar(style, "--jp-ui-font-color2", light ? "#616161" : "#a0a0a0"),
    grid: cssVar(style, "--jp-border-color2", light ? "#e0e0e0" : "#424242"),
    accent: cssVar(style, "--jp-brand-color1", light ? "#1976d2" : "#64b5f6"),
    warn: cssVar(style, "--jp-error-color1", light ? "#d32f2f" : "#ef5350"),
    good: cssVar(style, "--jp-success-color1", light ? "#388e3c" : "#66bb6a"),
    palette: light ? LIGHT_PALETTE : DARK_PALETTE,
  };
}

/** Layout defaults from the theme: transparent backgrounds, themed text and grid lines. */
export function themedLayout(theme: Theme, height: number): Layout {
  const font: Font = { color: theme.font, family: theme.fontFamily, size: 12 };
  return {
    height,
    autosize: true,
    margin: { l: 60, r: 20, t: 30, b: 50 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font,
    legend: { font, bgcolor: "rgba(0,0,0,0)" },
  };
}

/** Axis colours for the theme. */
export function themedAxis(theme: Theme): {
  gridcolor: string;
  zerolinecolor: string;
  linecolor: string;
} {
  return { gridcolor: theme.grid, zerolinecolor: theme.fontMuted, linecolor: theme.grid };
}

type Listener = () => void;
const listeners = new Set<Listener>();
let observer: MutationObserver | undefined;

/**
 * Call `listener` whenever the JupyterLab theme changes; returns the unsubscribe function. One
 * MutationObserver on <body> serves every rendered output.
 */
export function onThemeChange(listener: Listener): () => void {
  listeners.add(listener);
  if (!observer) {
    observer = new MutationObserver(() => listeners.forEach((l) => l()));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"],
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && observer) {
      observer.disconnect();
      observer = undefined;
    }
  };
}
