// UI scenarios: what a person sees in VS Code, with a screenshot at each step worth looking at.
// Each step asserts on what is visible; a failing step saves FAILED-<scenario>-<step>.png.
import { BROKEN } from '../../scripts/vscode-tests.mjs';

async function openAlembicView(page) {
  await page.getByRole('tab', { name: /^Alembic/ }).click();
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(name);
  await page.waitForTimeout(600);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tab.active[aria-label*="${name}"], .tab.active :text("${name}")`, { timeout: 15000 }).catch(() => undefined);
}

export const steps = [
  {
    id: 'history', name: 'sample project with a broken file, database at 708192a3b4c5', files: BROKEN, upgradeTo: '708192a3b4c5',
    steps: [
      {
        id: 'tree', name: 'the Migrations view shows the branchy history, both heads marked',
        async run(page, { shot }) {
          await openAlembicView(page);
          await page.getByRole('treeitem', { name: /create users table/ }).waitFor({ timeout: 30000 });
          const items = page.getByRole('treeitem');
          const n = await items.count();
          if (n < 10) throw new Error(`expected 10 revisions in the tree, saw ${n}`);
          const audit = await page.getByRole('treeitem', { name: /create audit log/ }).innerText();
          if (!/head ⚠/.test(audit)) throw new Error(`head marker missing: ${audit}`);
          const merge = await page.getByRole('treeitem', { name: /merge billing into main/ }).innerText();
          if (!/merge/.test(merge)) throw new Error(`merge marker missing: ${merge}`);
          await page.waitForTimeout(300);
          await shot('01-history-tree');
        },
      },
      {
        id: 'status', name: 'the status bar and the tree show what the SQLite database has applied',
        async run(page, { shot }) {
          const bar = page.locator('.statusbar-item', { hasText: 'SQLite app.db' });
          await bar.first().waitFor({ timeout: 30000 });
          const text = await bar.first().innerText();
          if (!/708192a/.test(text) || !/upgrade blocked/.test(text)) throw new Error(`status bar: ${text}`);
          // the tree re-renders just after the status bar: wait for the marks, do not read once
          await page.getByRole('treeitem', { name: /add status to users/ }).filter({ hasText: '● current' }).waitFor({ timeout: 10000 });
          await page.getByRole('treeitem', { name: /create users table/ }).filter({ hasText: '✓ applied' }).waitFor({ timeout: 10000 });
          await bar.first().hover();
          await page.locator('.monaco-hover, .hover-contents').filter({ hasText: 'missing parent deadbeef0000' }).first().waitFor({ timeout: 10000 });
          await page.waitForTimeout(300);
          await shot('02-database-status');
          await page.mouse.move(700, 400);
        },
      },
      {
        id: 'squiggle', name: 'the broken down_revision is squiggled and its hover says what to do',
        async run(page, { shot }) {
          await page.getByRole('treeitem', { name: /rebased badly/ }).click();
          await page.locator('.monaco-editor .squiggly-error >> visible=true').first().waitFor({ timeout: 30000 });
          // put the cursor in the squiggled literal and show the hover from the keyboard (mouse hovers flake)
          await page.locator('.monaco-editor .view-line', { hasText: 'down_revision = "deadbeef0000"' }).first().click();
          await page.keyboard.press('End');
          await page.keyboard.press('ArrowLeft');
          await page.keyboard.press('ArrowLeft');
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+I');
          const hover = page.locator('.monaco-hover').filter({ hasText: 'does not exist in this history' });
          await hover.first().waitFor({ timeout: 15000 });
          await page.waitForTimeout(300);
          await shot('03-broken-down-revision-hover');
        },
      },
      {
        id: 'heads', name: 'each head carries the multiple-heads warning',
        async run(page, { shot }) {
          await page.keyboard.press('Escape');
          await page.getByRole('treeitem', { name: /create audit log/ }).click();
          await page.locator('.monaco-editor .squiggly-warning >> visible=true').first().waitFor({ timeout: 30000 });
          // the code lens above the revision line moves it down when it appears: wait for it before clicking
          await page.locator('.codelens-decoration', { hasText: 'Upgrade to here' }).first().waitFor({ timeout: 30000 });
          await page.waitForTimeout(300);
          // click the revision line, move into the id, show the hover
          await page.locator('.monaco-editor .view-line', { hasText: 'revision: str' }).first().click();
          await page.keyboard.press('End');
          await page.keyboard.press('ArrowLeft');
          await page.keyboard.press('ArrowLeft');
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+I');
          await page.locator('.monaco-hover').filter({ hasText: 'Multiple head revisions are present' }).first().waitFor({ timeout: 15000 });
          await page.waitForTimeout(300);
          await shot('04-multiple-heads-warning');
        },
      },
      {
        id: 'lenses', name: 'code lenses on a migration: database state, Upgrade / Downgrade to here, Show SQL',
        async run(page, { shot }) {
          await page.keyboard.press('Escape');
          await page.getByRole('treeitem', { name: /add status to users/ }).click();
          // wait for this file's lenses (the previous editor's lenses may still be on screen)
          const lens = page.locator('.codelens-decoration', { hasText: '● current in SQLite app.db' });
          await lens.first().waitFor({ timeout: 30000 });
          const text = await lens.first().innerText();
          if (!/● current in SQLite app\.db/.test(text) || !/Downgrade to here/.test(text) || !/Show SQL/.test(text)) throw new Error(`code lenses: ${text}`);
          await page.waitForTimeout(300);
          await shot('05-code-lenses');
        },
      },
      {
        id: 'problems', name: 'the Problems panel lists the error and both warnings',
        async run(page, { shot }) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+Shift+M');
          const panel = page.locator('.markers-panel');
          await panel.getByText(/does not exist in this history/).first().waitFor({ timeout: 15000 });
          const warnings = await panel.getByText(/Multiple head revisions/).count();
          if (warnings < 2) throw new Error(`expected both heads in Problems, saw ${warnings}`);
          await page.waitForTimeout(300);
          await shot('06-problems-panel');
        },
      },
    ],
  },
  {
    id: 'connections', name: 'a database never migrated, and connections from settings',
    settings: {
      'alembic.connections': [
        { name: 'staging', url: 'postgresql://app@db.staging.internal:5432/app' },
        { name: 'prod', url: 'postgresql://app@db.prod.internal:5432/app', production: true },
      ],
    },
    steps: [
      {
        id: 'not-migrated', name: 'the status bar says the database was never migrated; its hover offers upgrade or stamp',
        async run(page, { shot }) {
          await openAlembicView(page);
          const bar = page.locator('.statusbar-item', { hasText: 'SQLite app.db' });
          await bar.filter({ hasText: 'not migrated' }).first().waitFor({ timeout: 30000 });
          await bar.first().hover();
          const hover = page.locator('.monaco-hover, .hover-contents').filter({ hasText: 'Stamp heads' }).first();
          await hover.waitFor({ timeout: 10000 });
          if (!/Upgrade to heads/.test(await hover.innerText())) throw new Error(`hover: ${await hover.innerText()}`);
          await page.waitForTimeout(300);
          await shot('08-not-migrated');
          await page.mouse.move(700, 400);
        },
      },
      {
        id: 'select', name: 'clicking it lists every connection with its source, production marked, then the actions',
        async run(page, { shot }) {
          await page.locator('.statusbar-item', { hasText: 'SQLite app.db' }).first().click();
          const list = page.locator('.quick-input-widget');
          await list.getByText('Stamp heads').waitFor({ timeout: 10000 });
          const text = await list.innerText();
          for (const want of ['SQLite app.db', 'sqlalchemy.url', 'staging', 'postgresql app@db.staging.internal:5432/app', 'prod', 'production', 'Upgrade to heads', 'never migrated']) {
            if (!text.includes(want)) throw new Error(`quick pick lacks "${want}":\n${text}`);
          }
          await page.waitForTimeout(300);
          await shot('09-select-connection');
        },
      },
      {
        id: 'lens', name: 'the "Upgrade to here" code lens migrates up to that revision, and the tree and the lens follow',
        async run(page, { shot }) {
          await page.keyboard.press('Escape');
          await page.getByRole('treeitem', { name: /create orders table/ }).click();
          const upgrade = page.locator('.codelens-decoration a', { hasText: 'Upgrade to here' });
          await upgrade.first().waitFor({ timeout: 30000 });
          await upgrade.first().click();
          await page.getByRole('treeitem', { name: /create orders table/ }).filter({ hasText: '● current' }).waitFor({ timeout: 60000 });
          await page.getByRole('treeitem', { name: /create users table/ }).filter({ hasText: '✓ applied' }).waitFor({ timeout: 10000 });
          await page.locator('.codelens-decoration', { hasText: '● current in SQLite app.db' }).first().waitFor({ timeout: 10000 });
          await page.locator('.statusbar-item', { hasText: 'pending' }).first().waitFor({ timeout: 10000 });
          await page.waitForTimeout(300);
          await shot('10-upgraded-from-lens');
        },
      },
      {
        id: 'upgrade', name: 'from the status bar, one click on "Upgrade to heads" runs the rest with the real Alembic',
        async run(page, { shot }) {
          await page.locator('.statusbar-item', { hasText: 'SQLite app.db' }).first().click();
          const pick = page.locator('.quick-input-widget');
          await pick.getByText('Upgrade to heads').waitFor({ timeout: 10000 });
          if (!/6 pending/.test(await pick.innerText())) throw new Error(`quick pick: ${await pick.innerText()}`);
          await pick.getByText('Upgrade to heads').click();
          await page.locator('.statusbar-item', { hasText: 'up to date' }).first().waitFor({ timeout: 60000 });
          await page.getByRole('treeitem', { name: /create audit log/ }).filter({ hasText: '● current' }).waitFor({ timeout: 10000 });
          await page.waitForTimeout(300);
          await shot('11-upgraded');
        },
      },
    ],
  },
  {
    id: 'welcome', name: 'a workspace without Alembic', empty: true,
    steps: [
      {
        id: 'welcome', name: 'the welcome view explains how to add a setup',
        async run(page, { shot }) {
          await page.waitForTimeout(1500);
          await openAlembicView(page);
          await page.getByText('No Alembic setup found in this workspace.').waitFor({ timeout: 30000 });
          await page.waitForTimeout(300);
          await shot('07-welcome-view');
        },
      },
    ],
  },
];
