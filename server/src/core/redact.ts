/**
 * Hides the password of a database URL: `postgresql://user:secret@host/db` becomes
 * `postgresql://user:***@host/db`. A password holding `@` or `/` is hidden whole too.
 */
export function redactUrl(url: string): string {
  const m = /^([a-zA-Z][\w+.-]*:\/\/)([^\s]*)$/.exec(url);
  if (!m) return url;
  const rest = m[2];
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return url;
  return `${m[1]}${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
}
