// Small string helpers that stay linear whatever the text: the regular expressions they replace (/[\\/]+$/,
// /\s+$/ and the like) try every starting point of a long run and fail at its end, which is quadratic.

/** `text` without the run of `chars` (any of them) at its end: `withoutTrailing('a//', '/')` is `a`. */
export function withoutTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}
