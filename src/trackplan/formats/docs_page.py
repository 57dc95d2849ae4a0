"""The HTML export's stylesheet and script. The page carries the plan once, as JSON; the script
renders the events a reader looks at (a window of them, grown as they scroll), filters them
and the contents as they type, and follows links to events that are not rendered yet.

The catalogue's shape (`formats/docs.py` writes it):
  properties: [name, anchor, type, allowed values, pattern, description, sent as]
  events:     [name, anchor, description, owner, stakeholders, sources, tags, version, status, refs]
              where each ref is 2 * property index + 1 if required
  categories: [name, anchor, event indexes]
"""

CSS = """
:root{--header:120px}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2328;background:#fff}
header{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:12px 24px;z-index:2}
header h1{font-size:20px;margin:0 0 4px;overflow-wrap:anywhere}header p{margin:0;color:#57606a;font-size:13px}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px;margin-top:8px}
#search{flex:1 1 240px;max-width:480px;min-width:0;padding:6px 10px;font-size:15px;border:1px solid #d0d7de;
border-radius:6px}
#count{color:#57606a;font-size:13px}
#menu{display:none;font:inherit;font-size:13px;padding:5px 10px;border:1px solid #d0d7de;border-radius:6px;
background:#fff}
main{display:grid;grid-template-columns:240px minmax(0,1fr);gap:24px;padding:16px 24px}
nav{position:sticky;top:calc(var(--header) + 16px);align-self:start;font-size:13px;
max-height:calc(100vh - var(--header) - 32px);overflow:auto}
nav a{display:block;color:#0969da;text-decoration:none;padding:1px 0;overflow-wrap:break-word}
nav summary a{display:inline}
nav details{margin:0 0 4px}nav summary{cursor:pointer;font-weight:600}nav .links{padding-left:12px}
nav .n{color:#57606a;font-weight:400}nav button,#content button{font:inherit;font-size:13px;color:#0969da;
background:none;border:0;padding:1px 0;cursor:pointer;text-align:left}
section.event{border:1px solid #d0d7de;border-radius:8px;padding:8px 16px;margin:0 0 16px}
section.event h3{margin:4px 0;overflow-wrap:anywhere}.facts{color:#57606a;font-size:13px}
section.event,h2,li{scroll-margin-top:calc(var(--header) + 8px)}
.tag{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 8px;
margin-right:4px;font-size:12px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
code{background:#f6f8fa;border-radius:4px;padding:0 4px;overflow-wrap:break-word}
#empty{color:#57606a;font-size:17px;padding:24px 0}[hidden]{display:none!important}
@media (max-width:720px){
header{padding:8px 12px}#menu{display:inline-block}
main{display:block;padding:12px}
nav{display:none;position:fixed;z-index:1;left:0;right:0;top:var(--header);bottom:0;max-height:none;
background:#fff;padding:12px;border-bottom:1px solid #d0d7de}
nav.open{display:block}
section.event{padding:8px 10px}
.scroll table,.scroll tbody,.scroll tr,.scroll td{display:block}.scroll tr:first-child{display:none}
.scroll tr{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:4px 8px}
.scroll td{border:0;padding:1px 0}.scroll td:empty{display:none}
.scroll td[data-label]::before{content:attr(data-label) ": ";color:#57606a}
}
"""

SCRIPT = r"""
(() => {
const data = JSON.parse(document.getElementById('catalogue').textContent);
const P = data.properties, E = data.events, C = data.categories, BATCH = 100;
const $ = id => document.getElementById(id);
const box = $('search'), list = $('events'), more = $('more'), earlier = $('earlier'), nav = $('nav');
const ENTITIES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
const esc = s => String(s).replace(/[&<>"']/g, c => ENTITIES[c]);
const words = E.map(e => [e[0], e[2], e[3], ...e[5], ...e[6], ...e[9].map(r => P[r >> 1][0])].join(' ').toLowerCase());
const byAnchor = new Map(E.map((e, i) => [e[1], i]));
const categoryByAnchor = new Map(C.map((c, i) => [c[1], i]));
let query = '', matches = E.map(() => true), items = [], start = 0, end = 0;

let firstAt = new Map();  // event -> its first item: the one that carries the event's id
function filter() {
  matches = words.map(w => query === '' || w.includes(query));
  items = [];
  C.forEach((c, ci) => c[2].forEach(ei => { if (matches[ei]) items.push([ci, ei]); }));
  firstAt = new Map();
  items.forEach((item, i) => { if (!firstAt.has(item[1])) firstAt.set(item[1], i); });
}

function row(ref) {
  const p = P[ref >> 1];
  const allowed = p[3].map(v => `<code>${esc(v)}</code>`).join(' ');
  return `<tr><td><a href="#${esc(p[1])}"><code>${esc(p[0])}</code></a>${p[6] ? ` (${esc(p[6])})` : ''}</td>` +
    `<td data-label="Type">${esc(p[2])}</td><td data-label="Required">${ref & 1 ? 'yes' : 'no'}</td>` +
    `<td data-label="Allowed values">${allowed}</td>` +
    `<td data-label="Pattern">${p[4] ? `<code>${esc(p[4])}</code>` : ''}</td>` +
    `<td data-label="Description">${esc(p[5])}</td></tr>`;
}

function eventHtml(ei, withId) {
  const e = E[ei];
  const facts = [['Owner', e[3]], ['Stakeholders', e[4].join(', ')], ['Sources', e[5].join(', ')],
    ['Version', e[7]], ['Status', e[8]]].filter(f => f[1]).map(f => `<b>${f[0]}:</b> ${esc(f[1])}`).join(' · ');
  const tags = e[6].map(t => `<span class="tag">${esc(t)}</span>`).join('');
  const head = '<tr><th>Property</th><th>Type</th><th>Required</th><th>Allowed values</th><th>Pattern</th>' +
    '<th>Description</th></tr>';
  const table = e[9].length ? `<div class="scroll"><table>${head}${e[9].map(row).join('')}</table></div>` : '';
  return `<section class="event"${withId ? ` id="${esc(e[1])}"` : ''}><h3>${esc(e[0])}</h3><p>${esc(e[2])}</p>` +
    `<p class="facts">${facts} ${tags}</p>${table}</section>`;
}

// Items a..b; a category's heading opens its first item and the window.
function itemsHtml(a, b, opensWindow) {
  let out = '';
  for (let i = a; i < b; i++) {
    const [ci, ei] = items[i];
    const first = i === 0 || items[i - 1][0] !== ci;
    if (first || (i === a && opensWindow)) {
      out += `<h2 class="category"${first ? ` id="${esc(C[ci][1])}"` : ''}>${esc(C[ci][0])}</h2>`;
    }
    out += eventHtml(ei, firstAt.get(ei) === i);
  }
  return out;
}

function render() {
  list.innerHTML = itemsHtml(start, end, true);
  earlier.hidden = start === 0;
  earlier.textContent = `Show ${Math.min(BATCH, start)} earlier events`;
  more.hidden = end >= items.length;
  more.textContent = `Show ${Math.min(BATCH, items.length - end)} more events`;
}

function grow() {
  const next = Math.min(items.length, end + BATCH);
  list.insertAdjacentHTML('beforeend', itemsHtml(end, next, false));
  end = next;
  more.hidden = end >= items.length;
  more.textContent = `Show ${Math.min(BATCH, items.length - end)} more events`;
}

function count() {
  const n = matches.filter(Boolean).length;
  $('count').textContent = query === '' ? `${E.length} events` : `${n} of ${E.length} events match`;
  $('empty').hidden = n > 0;
  $('empty').textContent = query === '' ? 'This plan has no events.' : `No event matches “${box.value.trim()}”.`;
}

function navLinks(details, ci, shown) {
  const events = C[ci][2].filter(ei => matches[ei]);
  const links = details.querySelector('.links');
  const rest = events.length - shown;
  links.innerHTML = events.slice(0, shown).map(ei => `<a href="#${esc(E[ei][1])}">${esc(E[ei][0])}</a>`).join('') +
    (rest > 0 ? `<button type="button" data-more="${shown + BATCH}">${rest} more</button>` : '');
}

function navUpdate() {
  nav.querySelectorAll('details[data-category]').forEach(details => {
    const ci = +details.dataset.category, n = C[ci][2].filter(ei => matches[ei]).length;
    details.hidden = n === 0;
    details.querySelector('.n').textContent = query === '' ? `(${n})` : `(${n} of ${C[ci][2].length})`;
    if (details.open) navLinks(details, ci, BATCH);
  });
}

function buildNav() {
  const open = E.length <= 300 ? ' open' : '';
  nav.insertAdjacentHTML('afterbegin', C.map((c, ci) => `<details data-category="${ci}"${open}><summary>` +
    `<a href="#${esc(c[1])}">${esc(c[0])}</a> <span class="n"></span></summary><div class="links"></div>` +
    '</details>').join(''));
  nav.querySelectorAll('details[data-category]').forEach(details => details.addEventListener('toggle', () => {
    if (details.open) navLinks(details, +details.dataset.category, BATCH);
  }));
  navUpdate();
}

function buildProperties() {
  const users = new Map();
  E.forEach((e, ei) => e[9].forEach(ref => {
    const p = P[ref >> 1];
    if (!users.has(p[0])) users.set(p[0], {anchor: p[1], events: []});
    const events = users.get(p[0]).events;
    if (events[events.length - 1] !== ei) events.push(ei);
  }));
  const key = name => name.toLowerCase();
  const names = [...users.keys()].sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  $('property-list').innerHTML = names.map(name => {
    const u = users.get(name);
    return `<li id="${esc(u.anchor)}"><code>${esc(name)}</code>: <button type="button" data-users="${esc(name)}">` +
      `${u.events.length} event${u.events.length === 1 ? '' : 's'}</button></li>`;
  }).join('');
  $('property-list').addEventListener('click', event => {
    const button = event.target.closest('button[data-users]');
    if (!button) return;
    const u = users.get(button.dataset.users);
    button.outerHTML = u.events.map(ei => `<a href="#${esc(E[ei][1])}">${esc(E[ei][0])}</a>`).join(', ');
  });
}

// An event or category anchor: render a window starting there (clearing a search that hides it) and scroll to it.
function go(id) {
  const ei = byAnchor.get(id), ci = categoryByAnchor.get(id);
  if (ei === undefined && ci === undefined) return false;
  const at = () => items.findIndex(item => ei !== undefined ? item[1] === ei : item[0] === ci);
  if (at() < 0) { box.value = ''; query = ''; filter(); count(); navUpdate(); }
  start = at() - at() % BATCH; end = Math.min(items.length, start + BATCH);  // the batch that holds it
  render();
  nav.classList.remove('open');
  const target = document.getElementById(id);
  if (target) target.scrollIntoView();
  return true;
}

function search() {
  query = box.value.toLowerCase().trim();
  filter(); count(); navUpdate();
  start = 0; end = Math.min(items.length, BATCH);
  render();
}

document.addEventListener('click', event => {
  const more = event.target.closest('nav button[data-more]');
  if (more) { const d = more.closest('details'); navLinks(d, +d.dataset.category, +more.dataset.more); return; }
  const link = event.target.closest('a[href^="#"]');
  if (!link) return;
  if (go(decodeURIComponent(link.hash.slice(1)))) {
    event.preventDefault();
    history.pushState(null, '', link.hash);
  } else {
    nav.classList.remove('open');
  }
});
box.addEventListener('input', search);
more.addEventListener('click', grow);
earlier.addEventListener('click', () => {  // the events above appear; the one at the top stays where it is
  const kept = list.querySelector('section.event'), top = kept ? kept.getBoundingClientRect().top : 0, from = start;
  start = Math.max(0, start - BATCH);
  render();
  const again = list.querySelectorAll('section.event')[from - start];
  if (kept && again) window.scrollBy(0, again.getBoundingClientRect().top - top);
});
$('menu').addEventListener('click', () => {
  const open = nav.classList.toggle('open');
  $('menu').setAttribute('aria-expanded', String(open));
});
window.addEventListener('hashchange', () => go(decodeURIComponent(location.hash.slice(1))));
const header = () => {
  document.documentElement.style.setProperty('--header', `${document.querySelector('header').offsetHeight}px`);
};
window.addEventListener('resize', header);
new IntersectionObserver(entries => { if (entries.some(e => e.isIntersecting) && !more.hidden) grow(); },
  {rootMargin: '800px'}).observe(more);

header(); filter(); count(); buildNav(); buildProperties();
if (!(location.hash && go(decodeURIComponent(location.hash.slice(1))))) {
  start = 0; end = Math.min(items.length, BATCH);
  render();
}
})();
"""
