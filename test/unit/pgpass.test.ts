/** The password file as libpq reads it (client/src/db/pgpass.ts): matching, escapes, defaults, where it is, who may read it. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { matchPgpass, pgpassPassword, pgpassPath } from '../../client/src/db/pgpass';
import { cleanupTmp, tmpDir } from '../helpers';

after(cleanupTmp);

describe('password file (~/.pgpass)', () => {
  const env = { USER: 'osuser' } as NodeJS.ProcessEnv;

  it('the first line whose host, port, database and user match (or are *) gives the password', () => {
    const text = [
      '# comment line',
      '',
      'db.example:5432:app:alice:first',
      'db.example:5432:app:alice:second',
      '*:5432:*:bob:bobs',
      'db.example:*:other:*:any-user',
      'localhost:5433:app:alice:on-5433',
    ].join('\r\n');
    assert.strictEqual(matchPgpass(text, { host: 'db.example', port: 5432, database: 'app', user: 'alice' }, env), 'first');
    assert.strictEqual(matchPgpass(text, { host: 'anywhere', port: 5432, database: 'x', user: 'bob' }, env), 'bobs');
    assert.strictEqual(matchPgpass(text, { host: 'db.example', port: 6000, database: 'other', user: 'carol' }, env), 'any-user');
    assert.strictEqual(matchPgpass(text, { host: 'localhost', port: 5433, database: 'app', user: 'alice' }, env), 'on-5433');
    assert.strictEqual(matchPgpass(text, { host: 'db.example', port: 5432, database: 'app', user: 'dave' }, env), undefined);
    assert.strictEqual(matchPgpass(text, { host: 'db.example', port: 5432, database: 'appx', user: 'alice' }, env), undefined, 'whole fields only');
  });

  it('backslash escapes ":" and "\\\\" in fields and the password; the password ends at an unescaped ":"', () => {
    const text = 'h\\:x:5432:d:u:p\\:a\\\\ss:ignored\nh:5432:d:u:pl:ain';
    assert.strictEqual(matchPgpass('h:5432:d:empty:\nh:5432:d:empty:later', { host: 'h', port: 5432, database: 'd', user: 'empty' }, env), undefined, 'an empty password is none (the first matching line decides)');
    assert.strictEqual(matchPgpass(text, { host: 'h:x', port: 5432, database: 'd', user: 'u' }, env), 'p:a\\ss');
    assert.strictEqual(matchPgpass(text, { host: 'h', port: 5432, database: 'd', user: 'u' }, env), 'pl');
  });

  it('what the connection leaves out takes libpq\'s defaults: localhost (also its default socket directory), 5432, the user, the OS user', () => {
    const text = 'localhost:5432:osuser:osuser:mine\n/srv/pg:5432:app:osuser:socket';
    assert.strictEqual(matchPgpass(text, {}, env), 'mine');
    assert.strictEqual(matchPgpass(text, { host: '/var/run/postgresql', user: 'osuser' }, env), 'mine');
    assert.strictEqual(matchPgpass(text, { host: '/srv/pg', database: 'app' }, env), 'socket', 'another socket directory is matched as written');
    assert.strictEqual(matchPgpass(text, {}, { PGUSER: 'other' }), undefined);
  });

  it('is found where libpq looks, and a file that others may read is ignored (as libpq does)', () => {
    assert.strictEqual(pgpassPath({ PGPASSFILE: '/x/pw' }, 'linux'), '/x/pw');
    assert.strictEqual(pgpassPath({ HOME: '/home/a' }, 'linux'), path.join('/home/a', '.pgpass'));
    assert.strictEqual(pgpassPath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), path.join('C:\\Users\\a\\AppData\\Roaming', 'postgresql', 'pgpass.conf'));
    if (process.platform === 'win32') return; // no Unix permission bits there: libpq does not check them either
    const dir = tmpDir();
    const file = path.join(dir, 'pgpass');
    fs.writeFileSync(file, 'db:5432:app:alice:s3cret\n');
    fs.chmodSync(file, 0o600);
    const target = { host: 'db', port: 5432, database: 'app', user: 'alice' };
    assert.strictEqual(pgpassPassword(target, { PGPASSFILE: file }, 'linux'), 's3cret');
    fs.chmodSync(file, 0o644);
    assert.strictEqual(pgpassPassword(target, { PGPASSFILE: file }, 'linux'), undefined, 'group/world readable: ignored');
    assert.strictEqual(pgpassPassword(target, { PGPASSFILE: path.join(dir, 'none') }, 'linux'), undefined);
    assert.strictEqual(pgpassPassword(target, { PGPASSFILE: dir }, 'linux'), undefined, 'a folder is no file');
  });
});
