/**
 * The comparison table's derived columns, sorting and "best value" marks. Pure and DOM-free.
 */
import type { ComparisonRow, TablePayload } from "../../kernel/src/display/payload";

/** A row with the columns derived against the float baseline. */
export interface TableRow extends ComparisonRow {
  /** accuracy − baseline accuracy (0 for the baseline itself). */
  accuracyDelta: number;
  /** baseline size / size: how many times smaller than the baseline (1 for the baseline). */
  compressionRatio: number;
}

export type ColumnKey =
  | "variant"
  | "accuracy"
  | "accuracyDelta"
  | "sizeBytes"
  | "compressionRatio"
  | "latencyMs"
  | "inputType"
  | "outputType";

/** Which direction is better for a numeric column; text columns have no best value. */
export const BETTER: Partial<Record<ColumnKey, "higher" | "lower">> = {
  accuracy: "higher",
  accuracyDelta: "higher",
  sizeBytes: "lower",
  compressionRatio: "higher",
  latencyMs: "lower",
};

/**
 * Rows with Δ accuracy and compression ratio against `payload.baseline`. If the baseline is
 * missing from the rows (a malformed payload the validator lets through only if rows is empty),
 * the first row is the baseline.
 */
export function deriveRows(payload: TablePayload): TableRow[] {
  const base = payload.rows.find((r) => r.variant === payload.baseline) ?? payload.rows[0];
  return payload.rows.map((r) => ({
    ...r,
    accuracyDelta: base ? r.accuracy - base.accuracy : 0,
    compressionRatio: base && r.sizeBytes > 0 ? base.sizeBytes / r.sizeBytes : 1,
  }));
}

/**
 * Rows sorted by one column (stable; a copy). `null` latencies sort last in either direction,
 * because "not measured" is neither fast nor slow.
 */
export function sortRows(rows: TableRow[], key: ColumnKey, direction: "asc" | "desc"): TableRow[] {
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((p, q) => {
      const a = p.row[key];
      const b = q.row[key];
      if (a === null && b === null) return p.i - q.i;
      if (a === null) return 1;
      if (b === null) return -1;
      const c =
        typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
      return c !== 0 ? sign * c : p.i - q.i;
    })
    .map((p) => p.row);
}

/** The best value of each numeric column (ties all count as best); absent if no row has one. */
export function bestValues(rows: TableRow[]): Partial<Record<ColumnKey, number>> {
  const best: Partial<Record<ColumnKey, number>> = {};
  for (const [key, better] of Object.entries(BETTER) as [ColumnKey, "higher" | "lower"][]) {
    for (const row of rows) {
      const v = row[key];
      if (typeof v !== "number") continue;
      const current = best[key];
      if (current === undefined || (better === "higher" ? v > current : v < current)) best[key] = v;
    }
  }
  return best;
}
