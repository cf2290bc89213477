/**
 * Escaping for the HTML report. Every value printed into the page goes through one of these: the
 * report shows data from files nobody vetted (a BOS export may hold `<script>` in a free-text
 * column), so a value must always print as the text it is.
 */

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute value; null and undefined print as nothing. */
export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(HTML_SPECIAL, (c) => HTML_ENTITY[c]!);
}

// Inside <script type="application/json"> the HTML parser ends the element at the first `</script`
// and treats `<!--` specially, whatever JSON says; U+2028/2029 are escaped too so that the text is
// also valid JavaScript should anyone paste it into a script.
const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;
const SCRIPT_ESCAPE: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text safe to place inside `<script type="application/json">`: `<`, `>`, `&`, U+2028 and
 * U+2029 are written as \u escapes, so no value can end the element or start markup, and
 * `JSON.parse` of the element's text gives back exactly the value.
 */
export function jsonForScript(value: unknown): string {
  return scriptSafe(JSON.stringify(value));
}

/** Makes JSON text (already serialised) safe inside a script element, as jsonForScript does. */
export function scriptSafe(json: string): string {
  return json.replace(SCRIPT_UNSAFE, (c) => SCRIPT_ESCAPE[c]!);
}
