/** Characters as people count them: an emoji or a letter with its accents is one (grapheme clusters). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)) count++;
  return count;
}
