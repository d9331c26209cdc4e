/** The package ships no types: it parses a Prometheus text exposition into prom2json-style families. */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
