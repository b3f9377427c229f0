/**
 * The Python the runner starts: `alembic` as its own command line runs it (alembic.config.main:
 * the same options and config files in 1.8 through 1.19), with two additions: sqlalchemy.url set
 * to the selected connection just before the command (for env.py files that read the config;
 * only when it is not the config's own URL), and a check in EnvironmentContext.configure that the
 * database env.py actually connects to is the selected one (dialect, user, host, port, database;
 * loopback names alike, SQLite paths resolved, a host under another name (a DNS alias, its
 * address) the same when both resolve to a shared address) — otherwise nothing runs. The URL comes
 * from the environment, never argv. No VS Code here: the unit tests run SAME_DATABASE_PY.
 */

/** `_same(a, b)`: whether two SQLAlchemy URLs reach the same database (see the file comment). */
export const SAME_DATABASE_PY = [
  'import os',
  'def _addresses(host):',
  '    import ipaddress, socket',
  '    if not host: return {"loopback"}',
  '    try: infos = socket.getaddrinfo(host, None)',
  '    except Exception: return set()',
  '    out = set()',
  '    for info in infos:',
  '        a = info[4][0].split("%")[0]',
  '        try: out.add("loopback" if ipaddress.ip_address(a).is_loopback else a)',
  '        except ValueError: out.add(a)',
  '    return out',
  'def _same(a, b):',
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
  '    # only the host differs: the same server under another name when both resolve to a shared address',
  '    if any(str(h).startswith("/") for h in (ka[2], kb[2])): return False',
  '    return bool(_addresses(ka[2]) & _addresses(kb[2]))',
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
