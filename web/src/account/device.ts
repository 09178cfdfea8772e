import Bowser from "bowser";

/** "Firefox on Windows", from a session's User-Agent; what cannot be told is said so. */
export function deviceName(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const { browser, os } = Bowser.parse(userAgent);
  if (!browser.name && !os.name) return "Unknown device";
  if (!os.name) return browser.name!;
  return browser.name ? `${browser.name} on ${os.name}` : os.name;
}
