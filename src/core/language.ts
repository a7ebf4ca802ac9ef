/**
 * Facts about BCP 47 language tags, in one place for the whole library: the primary language,
 * text direction, and when two tags name the same language.
 *
 * Two kinds of "same language" are needed, and they differ for Chinese:
 * - written ({@link sameLanguage}): captions and transcripts. Traditional (`zh-TW`, `zh-Hant`) and
 *   Simplified (`zh`, `zh-CN`, `zh-Hans`) Chinese are different scripts, and a reader of one is
 *   given a translation into the other (the script comes from `Intl.Locale#maximize()`, so `zh-TW`
 *   and `zh-HK` are Traditional, `zh-SG` Simplified). Region variants of other languages
 *   (`fr-CA`, `ar-EG`) are the same written language.
 * - spoken ({@link sameSpokenLanguage}): interpretation channels are voices, so they match on the
 *   primary language only: a listener in `zh-TW` hears the `zh` channel, one in `fr-CA` the `fr`.
 */

/** The primary language subtag, lower case: `fr-CA` → `fr`, `zh_Hant` → `zh`. */
export function primarySubtag(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0] ?? '';
}

/** UN languages with one script: every tag of theirs is translated as the primary language. */
const ONE_SCRIPT = new Set(['ar', 'en', 'es', 'fr', 'ru']);

/**
 * The common Chinese tags, Simplified or Traditional (its group), whose written language `maximize()` would
 * give: every language picker offers `zh`, and the first `maximize()` of a page loads the
 * likely-subtags data, 20-100 ms of the main thread while the call renders on joining (a test holds
 * these to `Intl.Locale#maximize`). Other Chinese tags are asked of Intl.
 */
const CHINESE = /^zh(-cn|-sg|-hans(-cn|-sg)?|-(tw|hk|mo|hant(-tw|-hk|-mo)?))?$/i;

/**
 * The written language of a tag, as translators are asked for it: the primary language, plus the
 * script for Traditional Chinese (`zh-TW` → `zh-Hant`), which is a separate translation model.
 */
export const translationTag = rememberedPerTag((tag: string): string => {
  // Languages written in one script whose codes no alias replaces: their primary subtag, without
  // loading the likely-subtags data that the first maximize() costs (some 10 ms on joining).
  const primary = primarySubtag(tag);
  if (ONE_SCRIPT.has(primary)) return primary;
  // The third group is set for Traditional.
  const chinese = CHINESE.exec(tag);
  if (chinese) return chinese[3] ? 'zh-Hant' : 'zh';
  try {
    const locale = new Intl.Locale(tag).maximize();
    return locale.language === 'zh' && locale.script === 'Hant' ? 'zh-Hant' : locale.language;
  } catch {
    return primarySubtag(tag) || tag;
  }
});

/**
 * `compute` remembered per key: Intl's locale data (likely subtags, display names, text info) costs
 * milliseconds a call, and captions, tiles and pickers ask for the same few tags again and again.
 * Keys come from other people's browsers, so at most 256 are kept (all forgotten when full).
 */
export function rememberedPerTag<T>(compute: (key: string) => T): (key: string) => T {
  const remembered = new Map<string, T>();
  return (key) => {
    if (remembered.has(key)) return remembered.get(key)!;
    const value = compute(key);
    if (remembered.size >= 256) remembered.clear();
    remembered.set(key, value);
    return value;
  };
}

/** One key per translation model: `zh-TW`→`fr-CA` and `zh-Hant`→`fr` are the same pair. */
export const pairKey = (from: string, to: string) => `${translationTag(from)}>${translationTag(to)}`;

/** True when text in `a` needs no translation to be read by someone who asked for `b`. */
export function sameLanguage(a: string, b: string): boolean {
  return translationTag(a) === translationTag(b);
}

/** True when a voice speaking `a` is understood by someone who asked for `b` (interpretation channels). */
export function sameSpokenLanguage(a: string, b: string): boolean {
  return primarySubtag(a) === primarySubtag(b);
}

/** Text direction of a language tag, for captions, names and transcripts in any language. */
export const directionOf = rememberedPerTag((tag: string): 'ltr' | 'rtl' => {
  try {
    const locale = new Intl.Locale(tag) as Intl.Locale & { getTextInfo?: () => { direction: string }; textInfo?: { direction: string } };
    const info = locale.getTextInfo?.() ?? locale.textInfo;
    if (info) return info.direction === 'rtl' ? 'rtl' : 'ltr';
  } catch {
    // not a valid tag: fall through
  }
  return /^(ar|he|fa|ur|ps|sd|ug|yi|dv|ckb)$/.test(primarySubtag(tag)) ? 'rtl' : 'ltr';
});
