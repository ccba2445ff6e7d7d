// plotly.js-basic-dist-min ships no types; the views use the typed slice in ./plotly.ts.
declare module "plotly.js-basic-dist-min" {
  const plotly: unknown;
  export default plotly;
}
