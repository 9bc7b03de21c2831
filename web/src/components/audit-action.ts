/**
 * An audit action code in words, derived rather than listed so that a new action needs no entry:
 * `application.rotate_secret` → "Application: rotate secret", `login` → "Login".
 * (No DOM here: the unit tests read this file.)
 */
export function actionLabel(action: string): string {
  const [subject, ...verb] = action.split('.');
  const words = (text: string) => text.replace(/[_-]+/g, ' ').trim();
  const head = words(subject);
  const title = head.charAt(0).toUpperCase() + head.slice(1);
  return verb.length === 0 ? title : `${title}: ${words(verb.join(' '))}`;
}

/** Action codes by their words, without repeats. */
export function sortActions(actions: Iterable<string>): string[] {
  return [...new Set(actions)].sort((a, b) => actionLabel(a).localeCompare(actionLabel(b)));
}
