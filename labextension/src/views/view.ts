/**
 * What every view implements. A view owns a DOM node (appended by the widget), draws one payload
 * kind, keeps its own interactive state, and can redraw for a new theme or size.
 */
import type { Theme } from "../theme";

export interface View {
  readonly node: HTMLElement;
  /** Draw (or redraw, keeping interactive state) with the theme's colours. */
  render(theme: Theme): Promise<void>;
  /** The container changed size: let plots fit it again. */
  resize(): void;
  dispose(): void;
}
