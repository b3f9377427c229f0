/**
 * The Python the runner starts: `alembic` as its own command line runs it (alembic.config.main:
 * the same options and config files in 1.8 through 1.19), with two additions: sqlalchemy.url set
 * to the selected connection just before the command (for env.py files that read the config;
 * only when it is not the config's own URL), and a check in EnvironmentContext.configure that the
 * database env.py actually connects to is the selected one (dialect, user, host, port, database;
 * loopback names alike, SQLite paths resolved, a host name and one of its addresses alike, two
 * names of this machine alike when they share a loopback address; two names of remote servers
 * differ even when they share an address, as a proxy may route by name) — otherwise nothing runs. The URL comes
 * from the environment, never argv. No VS Code here: the unit tests run SAME_DATABASE_PY.
 */

/** `_same(a, b)`: whether two SQLAlchemy URLs reach the same database (see the file comment). */
export const SAME_DATABASE_PY = [
  'import os',
  'def _addresses(host):',
  '    import socket',
  '    if not host: return {"127.0.0.1", "::1"}',
  '    try: infos = socket.getaddrinfo(host, None)',
  '    except Exception: return set()',
  '    return {info[4][0].split("%")[0] for info in infos}',
  'def _is_address(host):',
  '    import ipaddress',
  '    try: ipaddress.ip_address(host)',
  '    except ValueError: return False',
  '    return True',
  'def _same(a, b):',
  '    import ipaddress',
  '    from sqlalchemy.engine import make_url',
  '    a, b = make_url(a), make_url(b)',
  '    ports = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}',
  '    loop = ("", "localhost", "127.0.0.1", "::1")',
  '    def key(u):',
  '        be = u.get_backend_name()',
  '        db = u.database or ""',
  '        if be == "sqlite" and db and db != ":memory:": db = os.path.realpath(db)',
  '        host = "" if (u.host or "") in loop else u.host',
  '        host = u.query.get("host", host) if be == "postgresql" else host',
  '        return (be, u.username or "", host, u.port or ports.get(be), db)',
  '    ka, kb = key(a), key(b)',
  '    if ka == kb: return True',
  '    if ka[0] == "sqlite" or ka[:2] + ka[3:] != kb[:2] + kb[3:]: return False',
  '    # only the host differs. The same server: a name and one of its addresses, or two names of',
  '    # this machine sharing a loopback address. Two names of remote servers stay different even',
  '    # when they share an address: a proxy may route by name (cloud poolers, SNI routers).',
  '    ha, hb = str(ka[2] or ""), str(kb[2] or "")',
  '    if ha.startswith("/") or hb.startswith("/"): return False',
  '    x, y = _addresses(ha), _addresses(hb)',
  '    if not (x & y): return False',
  '    if _is_address(ha) or _is_address(hb): return True',
  '    return all(ipaddress.ip_address(h).is_loopback for h in x | y)',
].join('\n');

export const WITH_URL = [
  'import os, sys',
  'from alembic import config as _c',
  'from alembic.runtime import environment as _e',
  '_url = os.environ.pop("ALEMBIC_MIGRATIONS_URL", None)',
  '_set = os.environ.pop("ALEMBIC_MIGRATIONS_SET_URL", "") == "1"',
  '_run = _c.CommandLine.run_cmd',
  'def _run_with_url(self, cfg, options):',
  '    if _set: cfg.set_main_option("sqlalchemy.url", _url.replace("%", "%%"))',
  '    return _run(self, cfg, options)',
  '_c.CommandLine.run_cmd = _run_with_url',
  SAME_DATABASE_PY,
  '_configure = _e.EnvironmentContext.configure',
  'def _checked(self, connection=None, url=None, **kw):',
  '    got = connection.engine.url if connection is not None else url',
  '    if _url and got is not None and not _same(got, _url):',
  '        from sqlalchemy.engine import make_url',
  '        sys.stderr.write("FAILED: env.py connected to %s, not to the selected connection %s. Nothing was run. Make env.py take its URL from sqlalchemy.url or DATABASE_URL, or select the connection env.py uses.\\n" % (make_url(got).render_as_string(hide_password=True), make_url(_url).render_as_string(hide_password=True)))',
  '        sys.exit(255)',
  '    return _configure(self, connection=connection, url=url, **kw)',
  '_e.EnvironmentContext.configure = _checked',
  '_c.main(prog="alembic")',
].join('\n');
