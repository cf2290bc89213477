/**
 * The report page's only script, inlined in one <script> element whose sha256 the page's
 * Content-Security-Policy names. It reads the break data (break-data.ts documents the layout) and
 * renders the break table a page at a time: the DOM never holds more than one page of breaks (plus
 * the printed list), whatever their number. Sorting and filtering run over the decoded array.
 * Every value reaches the page through textContent, never as markup.
 *
 * Plain ES2017 in a string, so that the same bytes (and hash) ship from source and from dist/;
 * test/unit/report-html.test.ts checks that it parses, and the browser test runs it.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  function el(id) { return doc.getElementById(id); }
  function make(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var fmt = new Intl.NumberFormat('en-US');
  var PRINT_LIMIT = Number(el('print-breaks').getAttribute('data-limit')) || 1000;

  // Decode the chunks: the string table (0 = null), record shapes and break rows.
  var T = [null];
  var SH = [];
  var B = [];
  var chunks = JSON.parse(el('dcass-breaks').textContent || '[]');
  for (var c = 0; c < chunks.length; c++) {
    var ch = chunks[c];
    for (var i = 0; i < ch.s.length; i++) T.push(ch.s[i]);
    for (i = 0; i < ch.h.length; i++) SH.push(ch.h[i]);
    for (i = 0; i < ch.b.length; i++) B.push(ch.b[i]);
  }
  chunks = null;
  function S(x) { return typeof x === 'number' ? T[x] : x; }
  // Instants travel as ISO UTC (as in breaks.json); people read them in Hong Kong time, which has kept
  // UTC+08:00 all year since 1979, so a fixed offset is exact: 2019-05-10 10:50:03 +08:00.
  var INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
  function hkTime(iso) {
    var w = new Date(Date.parse(iso) + 8 * 3600000).toISOString();
    return w.slice(0, 10) + ' ' + w.slice(11, 19) + ' +08:00';
  }
  function hk(v) { return typeof v === 'string' ? v.replace(INSTANT, hkTime) : v; }
  // Row slots (break-data.ts): 0 id, 1 recon, 2 entity, 3 kind, 4 status, 5 reason, 6 account,
  // 7 firstSeen, 8 lastSeen, 9 ageDays, 10 key, 11 fields, 12 left, 13 right, 14 explainedBy,
  // 15 reasonCode, 16 assignee, 17 comments, 18 clearedByRun, 19 carried, 20 triangulation.
  function keyText(b) {
    var k = b[10], out = [];
    for (var j = 0; j < k.length; j += 2) out.push(S(k[j]) + '=' + (S(k[j + 1]) === null ? '' : S(k[j + 1])));
    return out.join(', ');
  }
  var hay = new Array(B.length);
  function haystack(n) {
    var h = hay[n];
    if (h !== undefined) return h;
    var b = B[n], parts = [b[0]];
    for (var j = 1; j < 9; j++) parts.push(S(b[j]));
    parts.push(keyText(b));
    var f = b[11];
    for (j = 0; j < f.length; j++) parts.push(S(f[j]));
    for (var side = 12; side <= 13; side++) {
      for (var r = 0; r < b[side].length; r++) {
        var rec = b[side][r];
        for (j = 1; j < rec.length; j++) parts.push(hk(S(rec[j])));
      }
    }
    for (j = 14; j < 17; j++) parts.push(S(b[j]));
    parts.push(S(b[20]));
    if (b[17]) for (j = 0; j < b[17].length; j++) parts.push(hk(S(b[17][j])));
    h = parts.join('\u0001').toLowerCase();
    hay[n] = h;
    return h;
  }

  var SORTS = {
    id: function (b) { return b[0]; },
    recon: function (b) { return S(b[1]) || ''; },
    kind: function (b) { return S(b[3]) || ''; },
    status: function (b) { return S(b[4]) || ''; },
    triangulation: function (b) { return S(b[20]) || ''; },
    account: function (b) { return S(b[6]) || ''; },
    key: keyText,
    firstSeen: function (b) { return S(b[7]) || ''; },
    age: function (b) { return b[9]; }
  };
  function cmpId(a, b) { return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0); }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // Which part of the list a break is in: found by this run, cleared by it, or carried from earlier dates.
  function found(b) { return b[19] ? 'carried' : b[18] ? 'cleared' : 'run'; }
  var state = { recon: '', kind: '', status: '', tri: '', found: '', account: '', text: '', sort: 'id', dir: 1, page: 0, size: 50 };
  var view = [];

  function fillSelect(id, slot) {
    var counts = {}, order = [];
    for (var n = 0; n < B.length; n++) {
      var v = S(B[n][slot]);
      if (v === null) continue;
      if (!(v in counts)) { counts[v] = 0; order.push(v); }
      counts[v]++;
    }
    order.sort(cmp);
    var sel = el(id);
    for (var k = 0; k < order.length; k++) {
      var o = make('option', null, order[k] + ' (' + fmt.format(counts[order[k]]) + ')');
      o.value = order[k];
      sel.appendChild(o);
    }
  }

  function compute() {
    var out = [], text = state.text.toLowerCase(), acct = state.account.toLowerCase();
    for (var n = 0; n < B.length; n++) {
      var b = B[n];
      if (state.recon && S(b[1]) !== state.recon) continue;
      if (state.kind && S(b[3]) !== state.kind) continue;
      if (state.status && S(b[4]) !== state.status) continue;
      if (state.tri && S(b[20]) !== state.tri) continue;
      if (state.found && found(b) !== state.found) continue;
      if (acct && String(S(b[6]) || '').toLowerCase().indexOf(acct) < 0) continue;
      if (text && haystack(n).indexOf(text) < 0) continue;
      out.push(n);
    }
    var keyOf = SORTS[state.sort] || SORTS.id;
    var keys = new Array(B.length);
    for (var m = 0; m < out.length; m++) keys[out[m]] = keyOf(B[out[m]]);
    var c0 = state.sort === 'age' ? function (a, b) { return a - b; } : state.sort === 'id' ? cmpId : cmp;
    var dir = state.dir;
    out.sort(function (x, y) { return dir * c0(keys[x], keys[y]) || x - y; });
    view = out;
  }

  function recordTable(b) {
    var diffs = {}, f = b[11];
    for (var j = 0; j < f.length; j += 4) diffs[S(f[j])] = true;
    var cols = [];
    var sides = [[12, 'Left', 'side-left'], [13, 'Right', 'side-right']];
    for (var s = 0; s < sides.length; s++) {
      var recs = b[sides[s][0]];
      if (recs.length === 0) cols.push({ side: sides[s], rec: null });
      for (var r = 0; r < recs.length; r++) {
        var shape = SH[recs[r][0]], vals = {};
        for (var k = 0; k < shape.length; k++) vals[shape[k]] = S(recs[r][k + 1]);
        cols.push({ side: sides[s], rec: vals, n: recs.length > 1 ? ' ' + (r + 1) + '/' + recs.length : '' });
      }
    }
    var names = [], seen = { file: true, line: true };
    for (var c1 = 0; c1 < cols.length; c1++) {
      if (!cols[c1].rec) continue;
      for (var name in cols[c1].rec) {
        if (seen[name]) continue;
        seen[name] = true;
        names.push(name);
      }
    }
    var t = make('table', 'records');
    var head = make('tr');
    head.appendChild(make('th', null, 'field'));
    for (c1 = 0; c1 < cols.length; c1++) {
      var col = cols[c1], th = make('th', col.side[2]);
      var title = col.side[1] + (col.n || '');
      if (col.rec) {
        th.appendChild(make('span', null, title + (col.rec.source ? ' \u00b7 ' + col.rec.source : '')));
        th.appendChild(make('br'));
        th.appendChild(make('span', 'mono', (col.rec.file || '?') + ':' + (col.rec.line === null ? '?' : col.rec.line)));
      } else {
        th.textContent = title + ': no record';
      }
      head.appendChild(th);
    }
    var thead = make('thead');
    thead.appendChild(head);
    t.appendChild(thead);
    var body = make('tbody');
    for (var q = 0; q < names.length; q++) {
      var nm = names[q], any = false;
      for (c1 = 0; c1 < cols.length; c1++) if (cols[c1].rec && cols[c1].rec[nm] !== null && cols[c1].rec[nm] !== undefined) any = true;
      if (!any && !diffs[nm]) continue;
      var tr = make('tr', diffs[nm] ? 'diff' : null);
      tr.appendChild(make('th', null, nm));
      for (c1 = 0; c1 < cols.length; c1++) {
        var v = cols[c1].rec ? cols[c1].rec[nm] : null;
        tr.appendChild(cols[c1].rec ? make('td', 'mono', hk(v)) : make('td', 'none', '\u2014'));
      }
      body.appendChild(tr);
    }
    t.appendChild(body);
    return t;
  }

  function breakRows(n, target) {
    var b = B[n];
    var tr = make('tr', b[19] ? 'brk carried' : 'brk');
    tr.setAttribute('data-break-id', b[0]);
    tr.appendChild(make('td', 'mono', b[0]));
    tr.appendChild(make('td', null, S(b[1])));
    tr.appendChild(make('td', null, S(b[3])));
    var st = make('td');
    st.appendChild(make('span', 'chip ' + S(b[4]), S(b[4])));
    if (b[19]) {
      st.appendChild(make('span', 'chip carried', 'carried'));
      st.appendChild(make('span', 'reason', 'not found by this run; first seen ' + S(b[7]) + ', records of its last sighting (' + S(b[8]) + ')'));
    }
    if (b[18]) st.appendChild(make('span', 'reason', 'cleared by this run: no longer found; records of its last sighting (' + S(b[8]) + ')'));
    var why = [S(b[15]), S(b[5])].filter(function (x) { return x; }).join(': ');
    if (why) st.appendChild(make('span', 'reason', why));
    if (S(b[14])) st.appendChild(make('span', 'reason', 'by ' + S(b[14])));
    if (S(b[16])) st.appendChild(make('span', 'reason', 'assigned to ' + S(b[16])));
    tr.appendChild(st);
    // The three-way view: which of Genium, DCASS and BOS is the odd one out (null: no view that day).
    tr.appendChild(S(b[20]) ? make('td', null, S(b[20])) : make('td', 'none', '\u2014'));
    tr.appendChild(make('td', 'mono', S(b[6])));
    tr.appendChild(make('td', 'mono', keyText(b)));
    var dc = make('td');
    var f = b[11];
    if (f.length > 0) {
      var ul = make('ul', 'diffs');
      for (var j = 0; j < f.length; j += 4) {
        var l = hk(S(f[j + 1])), r = hk(S(f[j + 2]));
        ul.appendChild(make('li', 'mono', S(f[j]) + ': ' + (l === null ? '(none)' : l) + ' \u2192 ' + (r === null ? '(none)' : r) + ' (' + S(f[j + 3]) + ')'));
      }
      dc.appendChild(ul);
    }
    tr.appendChild(dc);
    tr.appendChild(make('td', 'mono time', S(b[7])));
    tr.appendChild(make('td', 'num', b[9]));
    target.appendChild(tr);
    var rec = make('tr', 'rec');
    var cell = make('td');
    cell.colSpan = 10;
    cell.appendChild(recordTable(b));
    if (b[17]) {
      var cl = make('ul', 'diffs');
      for (j = 0; j < b[17].length; j++) cl.appendChild(make('li', null, hk(S(b[17][j]))));
      cell.appendChild(make('div', 'reason', 'Comments'));
      cell.appendChild(cl);
    }
    rec.appendChild(cell);
    target.appendChild(rec);
  }

  function render() {
    var pages = Math.max(1, Math.ceil(view.length / state.size));
    if (state.page >= pages) state.page = pages - 1;
    if (state.page < 0) state.page = 0;
    var from = state.page * state.size, to = Math.min(view.length, from + state.size);
    var body = el('breaks-body');
    var frag = doc.createDocumentFragment();
    for (var i = from; i < to; i++) breakRows(view[i], frag);
    body.textContent = '';
    body.appendChild(frag);
    var filtered = view.length !== B.length ? ' (filtered from ' + fmt.format(B.length) + ')' : '';
    el('breaks-status').textContent = view.length === 0
      ? 'No breaks match' + filtered
      : 'Showing ' + fmt.format(from + 1) + '\u2013' + fmt.format(to) + ' of ' + fmt.format(view.length) + ' breaks' + filtered;
    el('page-label').textContent = 'Page ' + fmt.format(state.page + 1) + ' of ' + fmt.format(pages);
    el('page-first').disabled = el('page-prev').disabled = state.page === 0;
    el('page-next').disabled = el('page-last').disabled = state.page >= pages - 1;
    var ths = doc.querySelectorAll('#breaks thead th[data-sort]');
    for (var k = 0; k < ths.length; k++) {
      var th = ths[k];
      if (th.getAttribute('data-sort') === state.sort) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    var table = el('breaks');
    table.setAttribute('data-filtered', String(view.length));
    table.setAttribute('data-visible-rows', String(to - from));
  }

  function update() { compute(); state.page = 0; render(); }

  function renderPrint() {
    var target = el('print-breaks-body');
    var n = Math.min(view.length, PRINT_LIMIT);
    var frag = doc.createDocumentFragment();
    for (var i = 0; i < n; i++) breakRows(view[i], frag);
    target.textContent = '';
    target.appendChild(frag);
    var what = state.recon || state.kind || state.status || state.tri || state.found || state.account || state.text
      ? 'the breaks of the filter set on screen' : 'all breaks';
    el('print-breaks-note').textContent = view.length <= PRINT_LIMIT
      ? 'Printed: ' + what + ', ' + fmt.format(view.length) + ' of ' + fmt.format(B.length) + ', in the order shown on screen.'
      : 'Printed: the first ' + fmt.format(PRINT_LIMIT) + ' of ' + fmt.format(view.length) + ' ' + what +
        ' (of ' + fmt.format(B.length) + '), in the order shown on screen; narrow the filter on screen, or use breaks.csv, for the rest.';
  }

  fillSelect('f-recon', 1);
  fillSelect('f-kind', 3);
  fillSelect('f-status', 4);
  fillSelect('f-tri', 20);
  var timer = null;
  function later(fn) { if (timer) clearTimeout(timer); timer = setTimeout(fn, 150); }
  function bind(id, prop, typed) {
    el(id).addEventListener(typed ? 'input' : 'change', function (e) {
      state[prop] = e.target.value;
      if (typed) later(update); else update();
    });
  }
  bind('f-recon', 'recon', false);
  bind('f-kind', 'kind', false);
  bind('f-status', 'status', false);
  bind('f-tri', 'tri', false);
  bind('f-found', 'found', false);
  bind('f-account', 'account', true);
  bind('f-text', 'text', true);
  el('f-reset').addEventListener('click', function () {
    state.recon = state.kind = state.status = state.tri = state.found = state.account = state.text = '';
    el('f-recon').value = el('f-kind').value = el('f-status').value = el('f-tri').value = el('f-found').value = el('f-account').value = el('f-text').value = '';
    update();
  });
  el('page-size').addEventListener('change', function (e) { state.size = Number(e.target.value) || 50; state.page = 0; render(); });
  el('page-first').addEventListener('click', function () { state.page = 0; render(); });
  el('page-prev').addEventListener('click', function () { state.page--; render(); });
  el('page-next').addEventListener('click', function () { state.page++; render(); });
  el('page-last').addEventListener('click', function () { state.page = Number.MAX_SAFE_INTEGER; render(); });
  var sortButtons = doc.querySelectorAll('#breaks thead th[data-sort] button');
  for (var sb = 0; sb < sortButtons.length; sb++) {
    sortButtons[sb].addEventListener('click', function (e) {
      var key = e.currentTarget.parentNode.getAttribute('data-sort');
      if (state.sort === key) state.dir = -state.dir; else { state.sort = key; state.dir = 1; }
      compute();
      render();
    });
  }
  window.addEventListener('beforeprint', renderPrint);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', function (e) { if (e.matches) renderPrint(); });
  }

  compute();
  render();
  el('breaks-section').removeAttribute('data-loading');
  root.setAttribute('data-report-ready', 'true');
  // The printed list is also laid out once the first page shows, for printers that fire no beforeprint.
  setTimeout(renderPrint, 0);
})();
`;
