// gr.I18n on the page (twin of porch/components/i18n.py).
//
// The server sends a translatable text as a token string, `__i18n__{"__type__":
// "translation_metadata", "key": "greet"}` (alone, or inside a longer string when the app
// concatenated one), and the app's tables in the config's `i18n_translations`. Here every
// token in the config and in every value an event sends is swapped for its text, before
// anything is drawn: components never see a token.
//
// Which text: the browser's languages in order of preference (navigator.languages), each
// first as it is ("de-AT"), then by language alone ("de", or any "de-…" table); then English;
// then the key itself, so a missing translation shows something readable.

const TOKEN = /__i18n__(\{"__type__": ?"translation_metadata", ?"key": ?"(?:[^"\\]|\\.)*"\})/g;

let chain = []; // the tables to look a key up in, best first

const lower = (text) => String(text).toLowerCase();
const base = (tag) => lower(tag).split("-")[0];

/** The tables of `translations` for `languages`, best first (exported for tests). */
export function tablesFor(translations, languages) {
  const locales = Object.keys(translations ?? {});
  const picked = [];
  const add = (locale) => {
    if (locale !== undefined && !picked.includes(locale)) picked.push(locale);
  };
  for (const wanted of [...languages, "en"]) {
    if (!wanted) continue;
    add(locales.find((l) => lower(l) === lower(wanted)));
    add(locales.find((l) => lower(l) === base(wanted)));
    add(locales.find((l) => base(l) === base(wanted)));
  }
  return picked.map((locale) => translations[locale] ?? {});
}

/** Use the app's tables (the config's `i18n_translations`) for this browser. */
export function useTranslations(translations, languages = navigator.languages ?? [navigator.language]) {
  chain = translations && typeof translations === "object" ? tablesFor(translations, languages) : [];
}

function text(key) {
  for (const table of chain) {
    const found = table[key];
    if (typeof found === "string") return found;
  }
  return key;
}

function translateString(value) {
  if (!value.includes("__i18n__")) return value;
  return value.replace(TOKEN, (whole, json) => {
    try {
      return text(String(JSON.parse(json).key));
    } catch {
      return whole;
    }
  });
}

/** `value` with every token in it (in strings, arrays, plain objects) translated. */
export function translate(value) {
  if (typeof value === "string") return translateString(value);
  if (Array.isArray(value)) return value.map(translate);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = translate(v);
    return out;
  }
  return value;
}
