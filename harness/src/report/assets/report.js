// dlconform report: renders the matrix, the filters and the case detail from the embedded results.
(function () {
  'use strict';

  var STATUSES = ['PASS', 'FAIL', 'TIMEOUT', 'CRASH', 'ERROR', 'UNSUPPORTED', 'XFAIL', 'XPASS', 'FLAKY', 'SKIP', 'N/A'];
  var data = JSON.parse(document.getElementById('dlconform-results').textContent);
  var candidates = data.candidates || [];

  // Build an element; children may be strings (as text, never as HTML) or nodes.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === 'text') { node.textContent = attrs[key]; }
        else if (key === 'class') { node.className = attrs[key]; }
        else if (key.slice(0, 2) === 'on') { node.addEventListener(key.slice(2), attrs[key]); }
        else { node.setAttribute(key, attrs[key]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) { append(node, arguments[i]); }
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    return node;
  }
  function json(value, pretty) {
    return value === undefined ? '' : JSON.stringify(value, null, pretty ? 2 : 0);
  }
  // The class of a status: `N/A` has no slash in it.
  function statusClass(status) {
    return 's-' + String(status).replace('/', '');
  }
  function statusChip(status) {
    return el('span', { class: 'chip ' + statusClass(status), text: status });
  }
  // N/A is the candidate's declared lack, never a departure from what was expected.
  // As CaseResult::unexpected judges: XFAIL, FLAKY, SKIP and N/A are as expected, XPASS is not.
  function departs(result) {
    var s = result.status;
    if (s === 'XFAIL' || s === 'FLAKY' || s === 'SKIP' || s === 'N/A') { return false; }
    return s === 'XPASS' || s !== result.expected;
  }

  // Rows: one per case id, cells one per candidate, grouped by platform and api.
  var rows = [];
  var byId = {};
  candidates.forEach(function (candidate, ci) {
    candidate.results.cases.forEach(function (result) {
      var row = byId[result.id];
      if (!row) {
        row = { id: result.id, platform: result.platform, api: result.api, tier: result.tier,
                summary: result.summary, cells: candidates.map(function () { return null; }) };
        byId[result.id] = row;
        rows.push(row);
      }
      row.cells[ci] = result;
    });
  });
  var groups = [];
  var groupOf = {};
  rows.forEach(function (row) {
    var key = row.platform + '\u0000' + row.api;
    if (!groupOf[key]) {
      groupOf[key] = { platform: row.platform, api: row.api, rows: [] };
      groups.push(groupOf[key]);
    }
    groupOf[key].rows.push(row);
  });
  var platforms = [];
  groups.forEach(function (g) { if (platforms.indexOf(g.platform) < 0) { platforms.push(g.platform); } });

  function renderOverview() {
    var box = document.getElementById('overview');
    candidates.forEach(function (candidate) {
      var run = candidate.results.run;
      var summary = candidate.results.summary;
      var chips = STATUSES.filter(function (s) { return summary.by_status[s]; }).map(function (s) {
        return el('span', { class: 'chip ' + statusClass(s), title: s, text: s + ' ' + summary.by_status[s] });
      });
      var partitions = candidate.sources.map(function (s) { return s.partition; }).filter(Boolean);
      box.appendChild(el('div', { class: 'card' },
        el('div', { class: 'title', text: candidate.label }),
        el('div', { class: 'meta', text: run.candidate.spec + ' · run ' + run.id + ' · dlconform ' + run.harness_version +
          (partitions.length ? ' · partitions ' + partitions.join(', ') : '') }),
        // The verdict only beside what was measured: the server's headline for this candidate.
        el('div', { class: summary.ok ? 'verdict-ok' : 'verdict-bad',
          text: headlineOf(candidates.indexOf(candidate)) }),
        el('div', { class: 'meta', text: summary.total + ' cases · ' + summary.unexpected_recommended.length +
          ' recommended not as expected' }),
        declaredLine(run.candidate),
        el('div', { class: 'chips' }, chips)));
    });
  }

  function headlineOf(index) {
    var line = document.getElementById('headline-' + index);
    return line ? line.textContent : '';
  }

  // Library, runtime and the capabilities a candidate declared missing.
  function declaredLine(candidate) {
    var parts = [];
    function component(c) { return c.version ? c.name + ' ' + c.version : c.name; }
    if (candidate.library) { parts.push('library ' + component(candidate.library)); }
    if (candidate.runtime) { parts.push('runtime ' + component(candidate.runtime)); }
    if (candidate.lacks && candidate.lacks.length) {
      parts.push('lacks ' + candidate.lacks.join(', ') + ' (checks needing them are not applicable)');
    }
    return parts.length ? el('div', { class: 'meta declared', text: parts.join(' · ') }) : null;
  }

  function fillFilters() {
    var platform = document.getElementById('f-platform');
    platforms.forEach(function (p) { platform.appendChild(el('option', { value: p, text: p })); });
    var status = document.getElementById('f-status');
    STATUSES.forEach(function (s) {
      var present = rows.some(function (r) { return r.cells.some(function (c) { return c && c.status === s; }); });
      if (present) { status.appendChild(el('option', { value: s, text: s })); }
    });
    ['f-platform', 'f-status', 'f-tier', 'f-unexpected'].forEach(function (id) {
      document.getElementById(id).addEventListener('change', filtersChanged);
    });
    document.getElementById('f-text').addEventListener('input', filtersChanged);
  }

  function filters() {
    return {
      platform: document.getElementById('f-platform').value,
      status: document.getElementById('f-status').value,
      tier: document.getElementById('f-tier').value,
      unexpected: document.getElementById('f-unexpected').checked,
      text: document.getElementById('f-text').value.trim().toLowerCase()
    };
  }

  function keep(row, f) {
    if (f.platform && row.platform !== f.platform) { return false; }
    if (f.tier && row.tier !== f.tier) { return false; }
    if (f.text && row.id.toLowerCase().indexOf(f.text) < 0) { return false; }
    if (f.status && !row.cells.some(function (c) { return c && c.status === f.status; })) { return false; }
    if (f.unexpected && !row.cells.some(function (c) { return c && departs(c); })) { return false; }
    return true;
  }

  var selected = null;

  function filtersChanged() {
    renderMatrix();
    writeHash();
  }

  // The hash keeps the filters and the open case, so a view can be linked to.
  function writeHash() {
    if (!window.history || !window.history.replaceState) { return; }
    var f = filters();
    var parts = [];
    if (f.platform) { parts.push('platform=' + encodeURIComponent(f.platform)); }
    if (f.status) { parts.push('status=' + encodeURIComponent(f.status)); }
    if (f.tier) { parts.push('tier=' + encodeURIComponent(f.tier)); }
    if (f.unexpected) { parts.push('unexpected=1'); }
    if (f.text) { parts.push('q=' + encodeURIComponent(f.text)); }
    if (selected) { parts.push('case=' + encodeURIComponent(selected.id), 'candidate=' + selected.ci); }
    var base = window.location.pathname + window.location.search;
    window.history.replaceState(null, '', parts.length ? base + '#' + parts.join('&') : base);
  }

  function readHash() {
    var params = {};
    window.location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i > 0) {
        try { params[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1)); } catch (e) { /* ignore a bad part */ }
      }
    });
    return params;
  }

  // Set a select only to a value it offers.
  function choose(id, value) {
    var select = document.getElementById(id);
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  }

  function renderMatrix() {
    var f = filters();
    var wrap = document.getElementById('matrix-wrap');
    wrap.textContent = '';
    var head = el('tr', null, el('th', { text: 'case' }), el('th', { text: 'tier' }),
      candidates.map(function (c) { return el('th', { text: c.label }); }));
    var body = el('tbody');
    var shown = 0;
    groups.forEach(function (group) {
      var kept = group.rows.filter(function (r) { return keep(r, f); });
      if (!kept.length) { return; }
      body.appendChild(el('tr', { class: 'group' },
        el('th', { colspan: String(2 + candidates.length), text: group.platform + ' · ' + group.api + ' (' + kept.length + ')' })));
      kept.forEach(function (row) {
        shown++;
        var tr = el('tr', { class: 'case', 'data-case': row.id },
          el('td', { class: 'case-id', title: row.summary, onclick: function () { showDetail(row.id, firstCell(row)); } },
            row.id.slice(row.platform.length + 1), el('span', { class: 'summary', text: row.summary })),
          el('td', { class: 'tier', text: row.tier }));
        row.cells.forEach(function (cell, ci) {
          if (!cell) {
            tr.appendChild(el('td', { class: 'cell s-none', text: '—', title: 'not run by ' + candidates[ci].label }));
            return;
          }
          var unexpected = departs(cell);
          var tier = countedTier(cell);
          var classes = 'cell ' + statusClass(cell.status) + (unexpected ? ' unexpected ' + tier : '') +
            (selected && selected.id === row.id && selected.ci === ci ? ' selected' : '');
          tr.appendChild(el('td', {
            class: classes, 'data-status': cell.status,
            title: candidates[ci].label + ': ' + cell.status +
              (unexpected ? ' (expected ' + cell.expected + '; ' + tier + ' failure)' : ''),
            onclick: function () { showDetail(row.id, ci); },
            text: cell.status + (unexpected ? (tier === 'required' ? ' !' : ' ~') : '')
          }));
        });
        body.appendChild(tr);
      });
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' cases';
    if (!shown) {
      wrap.appendChild(el('p', { class: 'empty', text: 'No case matches the filters.' }));
      return;
    }
    wrap.appendChild(el('table', { class: 'matrix', id: 'matrix' }, el('thead', null, head), body));
  }

  // As CaseResult::counted_tier: a FAIL whose failed checks are all recommended counts as
  // recommended; anything else takes the case's tier.
  function countedTier(result) {
    var failures = result.failures || [];
    var onlyRecommended = failures.length > 0 &&
      failures.every(function (f) { return f.tier === 'recommended'; });
    return result.status === 'FAIL' && onlyRecommended ? 'recommended' : result.tier;
  }

  // The source as a link to its public page when the spec names one (http and https only).
  function sourceLink(result) {
    var url = result.source_url;
    if (!url || !/^https?:\/\//.test(url)) { return result.source; }
    return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'source-link',
      text: result.source });
  }

  function firstCell(row) {
    for (var i = 0; i < row.cells.length; i++) { if (row.cells[i]) { return i; } }
    return 0;
  }

  function dl(pairs) {
    var list = el('dl');
    pairs.forEach(function (pair) {
      if (pair[1] === undefined || pair[1] === null || pair[1] === '') { return; }
      list.appendChild(el('dt', { text: pair[0] }));
      list.appendChild(el('dd', null, pair[1]));
    });
    return list;
  }

  function table(headers, body) {
    return el('table', { class: 'data' }, el('thead', null, el('tr', null, headers.map(function (h) {
      return el('th', { text: h });
    }))), el('tbody', null, body));
  }

  // Every try of a case run more than once (--retries), the last being the case itself.
  function attemptsSection(result) {
    if (!result.attempts || !result.attempts.length) { return null; }
    return [el('h2', { text: 'Tries (' + result.attempts.length + ')' }),
      table(['try', 'status', 'took ms', 'reason or failed checks'], result.attempts.map(function (a, i) {
        var why = a.reason || (a.failures || []).map(function (f) { return f.check + ': ' + f.message; }).join('; ');
        return el('tr', null, el('td', { text: String(i + 1) }), el('td', null, statusChip(a.status)),
          el('td', { text: String(a.duration_ms) }), el('td', { text: why }));
      }))];
  }

  // A check failed many times with messages that differ only in a list index is one row.
  function groupFailures(failures) {
    var groups = [];
    var byKey = {};
    failures.forEach(function (f) {
      var shape = String(f.message).replace(/\[\d+\]/g, '[*]');
      var key = f.check + '\u0000' + shape;
      if (byKey[key]) {
        byKey[key].count += 1;
        byKey[key].message = shape;
        return;
      }
      byKey[key] = { first: f, count: 1, message: f.message };
      groups.push(byKey[key]);
    });
    return groups;
  }

  // Required and recommended failed checks apart: only a required one fails the run. Each
  // check once, with how often it failed and the first occurrence's values.
  function failuresSection(result) {
    if (!result.failures || !result.failures.length) { return null; }
    var out = [];
    ['required', 'recommended'].forEach(function (tier) {
      var rows = result.failures.filter(function (f) { return (f.tier || 'required') === tier; });
      if (!rows.length) { return; }
      var groups = groupFailures(rows);
      out.push(el('h2', { text: 'Failed ' + tier + ' checks (' + groups.length + ' check(s), ' + rows.length + ' failure(s))' }));
      out.push(table(['check', 'times', 'call', 'message', 'expected (first)', 'actual (first)'], groups.map(function (g) {
        var f = g.first;
        return el('tr', { class: 'check-' + tier }, el('td', { class: 'mono', text: f.check }),
          el('td', { text: String(g.count) }),
          el('td', { text: f.call === undefined ? '' : String(f.call) }),
          el('td', { text: g.message }),
          el('td', null, el('pre', { text: json(f.expected, true) })),
          el('td', null, el('pre', { text: json(f.actual, true) })));
      })));
    });
    return out;
  }

  // Checks not judged: they need a capability the candidate declared missing.
  function notApplicableSection(result) {
    var rows = result.not_applicable || [];
    if (!rows.length) { return null; }
    return [el('h2', { text: 'Not applicable (' + rows.length + ')' }),
      table(['check', 'capability', 'why'], rows.map(function (n) {
        return el('tr', { class: 'check-na' }, el('td', { class: 'mono', text: n.check }),
          el('td', { class: 'mono', text: n.capability }), el('td', { text: n.reason }));
      }))];
  }

  // Bytes so far from a progress event, whatever the platform calls them.
  function progressBytes(d) {
    if (!d || typeof d !== 'object') { return null; }
    var v = d.totalBytesWritten !== undefined ? d.totalBytesWritten : d.totalBytesSent;
    return typeof v === 'number' ? v : null;
  }
  function progressTotal(d) {
    if (!d || typeof d !== 'object') { return null; }
    var v = d.totalBytesExpectedToWrite !== undefined ? d.totalBytesExpectedToWrite : d.totalBytesExpectedToSend;
    return typeof v === 'number' && v > 0 ? v : null;
  }

  function human(bytes) {
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1) + ' MiB'; }
    if (bytes >= 1024) { return (bytes / 1024).toFixed(1) + ' KiB'; }
    return bytes + ' B';
  }

  // A small chart of bytes against milliseconds from the progress events of one call.
  function progressChart(call) {
    var points = [];
    var total = null;
    var percent = false;
    call.events.forEach(function (e) {
      if (e.event !== 'progress') { return; }
      var bytes = progressBytes(e.data);
      if (bytes === null && e.data && typeof e.data.progress === 'number') { bytes = e.data.progress; percent = true; }
      if (bytes === null) { return; }
      points.push([e.at_ms, bytes]);
      total = progressTotal(e.data) || total;
    });
    if (!points.length) { return null; }
    if (percent) { total = 100; }
    var W = 440, H = 130, L = 70, R = 10, T = 10, B = 22;
    var maxX = Math.max(call.duration_ms || 0, points[points.length - 1][0], 1);
    var maxY = Math.max(total || 0, Math.max.apply(null, points.map(function (p) { return p[1]; })), 1);
    function x(ms) { return L + (W - L - R) * ms / maxX; }
    function y(v) { return H - B - (H - T - B) * v / maxY; }
    var chart = svg('svg', { class: 'chart', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': 'progress of call ' + call.call });
    chart.appendChild(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
    chart.appendChild(svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    if (total) {
      chart.appendChild(svg('line', { class: 'total', x1: L, y1: y(total), x2: W - R, y2: y(total) }));
    }
    var path = 'M' + x(0) + ',' + y(0);
    points.forEach(function (p) { path += ' L' + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); });
    chart.appendChild(svg('path', { class: 'line', d: path }));
    points.forEach(function (p) {
      chart.appendChild(svg('circle', { class: 'dot', cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 2.5 }));
    });
    var unit = percent ? function (v) { return v + '%'; } : human;
    chart.appendChild(svg('text', { x: L - 4, y: T + 8, 'text-anchor': 'end', text: unit(maxY) }));
    chart.appendChild(svg('text', { x: L - 4, y: H - B, 'text-anchor': 'end', text: '0' }));
    chart.appendChild(svg('text', { x: L, y: H - 6, text: '0 ms' }));
    chart.appendChild(svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end', text: maxX + ' ms' }));
    return chart;
  }

  function endText(end) {
    if (!end) { return ''; }
    return end.kind + (end.detail ? ': ' + end.detail : '');
  }

  function callsSection(observation) {
    return [el('h2', { text: 'Calls (' + observation.calls.length + ')' }), observation.calls.map(function (call) {
      return [el('h3', { text: call.call }),
        dl([['ended', endText(call.end)], ['duration', call.duration_ms + ' ms'], ['events', String(call.events.length)]]
          .concat((call.threw || []).map(function (t) { return ['threw at ' + t.at_ms + ' ms', t.method + ': ' + t.message]; }))),
        progressChart(call),
        eventsTable(call.events)];
    })];
  }

  // Long runs of progress events: the first and last ones, with a button for the rest.
  var EVENTS_SHOWN = 120;
  function eventsTable(events) {
    function row(e) {
      return el('tr', null, el('td', { text: String(e.at_ms) }), el('td', { class: 'mono', text: e.event }),
        el('td', null, el('pre', { text: json(e.data, false) })));
    }
    if (events.length <= EVENTS_SHOWN + 20) {
      return table(['ms', 'event', 'data'], events.map(row));
    }
    var head = events.slice(0, EVENTS_SHOWN - 20);
    var tail = events.slice(events.length - 20);
    var hidden = events.slice(EVENTS_SHOWN - 20, events.length - 20);
    var more = el('tr', { class: 'more' }, el('td', { colspan: '3' }, el('button', {
      text: 'show ' + hidden.length + ' more events',
      onclick: function () { more.replaceWith.apply(more, hidden.map(row)); }
    })));
    return table(['ms', 'event', 'data'], [head.map(row), more, tail.map(row)]);
  }

  function serverSection(server) {
    var requests = server.requests || [];
    var body = [];
    requests.forEach(function (r, i) {
      body.push(el('tr', null, el('td', { text: String(i + 1) }), el('td', { text: String(r.at_ms) }),
        el('td', { text: r.method }), el('td', { class: 'mono path', text: r.path }), el('td', { text: r.listener }),
        el('td', { text: r.version }), el('td', { text: String(r.status) }),
        el('td', { text: r.body_len === null || r.body_len === undefined ? '' : String(r.body_len) }),
        el('td', { text: String(r.bytes_sent) }), el('td', { text: r.end }), el('td', { text: String(r.duration_ms) })));
      var headers = (r.headers || []).map(function (h) { return h[0] + ': ' + h[1]; }).join('\n');
      var extra = [el('details', null, el('summary', { text: 'request headers (' + (r.headers || []).length + ')' }),
        el('pre', { text: headers }))];
      if (r.upload) {
        extra.push(el('details', null, el('summary', { text: 'upload received' }), el('pre', { text: json(r.upload, true) })));
      }
      body.push(el('tr', null, el('td', { colspan: '11' }, extra)));
    });
    return [el('h2', { text: 'What the server saw' }),
      dl([['connections', String(server.connections)], ['max in flight', String(server.max_in_flight)],
        ['dropped', server.dropped ? String(server.dropped) : '']]),
      requests.length
        ? table(['#', 'server ms', 'method', 'path', 'listener', 'version', 'status', 'body len', 'bytes sent', 'ended', 'took ms'], body)
        : el('p', { class: 'muted', text: 'No request arrived.' })];
  }

  function filesSection(files) {
    if (!files || !files.length) { return null; }
    return [el('h2', { text: 'Files in the sandbox' }), table(['path', 'size', 'sha256', 'inside', 'before the call'],
      files.map(function (f) {
        return el('tr', null, el('td', { class: 'mono path', text: f.path }), el('td', { text: String(f.size) }),
          el('td', { class: 'mono', text: f.sha256.slice(0, 16) + '…', title: f.sha256 }),
          el('td', { text: f.inside ? 'yes' : 'NO' }), el('td', { text: f.preexisting ? 'yes' : 'no' }));
      }))];
  }

  function showDetail(id, ci) {
    var row = byId[id];
    var result = row && row.cells[ci];
    if (!result) { return; }
    selected = { id: id, ci: ci };
    var panel = document.getElementById('detail');
    panel.textContent = '';
    var unexpected = departs(result);
    panel.appendChild(el('button', { class: 'close', title: 'close', text: '✕', onclick: closeDetail }));
    panel.appendChild(el('h1', { class: 'mono', text: result.id }));
    panel.appendChild(el('p', null, el('span', { class: 'badge ' + statusClass(result.status), text: result.status }),
      ' ' + candidates[ci].label + (unexpected ? ' — expected ' + result.expected : ' — as expected')));
    panel.appendChild(dl([['summary', result.summary], ['source', sourceLink(result)], ['spec', result.spec],
      ['api', result.api], ['tier', result.tier], ['reason', result.reason], ['took', result.duration_ms + ' ms'],
      ['url', result.observation ? result.observation.url : '']]));
    append(panel, failuresSection(result));
    append(panel, notApplicableSection(result));
    append(panel, attemptsSection(result));
    if (result.observation) {
      append(panel, callsSection(result.observation));
      append(panel, serverSection(result.observation.server));
      append(panel, filesSection(result.observation.files));
      if (result.observation.log) {
        panel.appendChild(el('h2', { text: 'Candidate log' }));
        panel.appendChild(el('pre', { text: result.observation.log }));
      }
    } else {
      panel.appendChild(el('p', { class: 'muted', text: 'Nothing was observed (the case did not run).' }));
    }
    panel.hidden = false;
    panel.scrollTop = 0;
    // The matrix makes room for the panel, so the next cell to click stays in view.
    document.body.classList.add('with-detail');
    writeHash();
    renderMatrix();
  }

  function closeDetail() {
    selected = null;
    document.getElementById('detail').hidden = true;
    document.body.classList.remove('with-detail');
    writeHash();
    renderMatrix();
  }

  function applyHash() {
    var params = readHash();
    if (params.platform) { choose('f-platform', params.platform); }
    if (params.status) { choose('f-status', params.status); }
    if (params.tier) { choose('f-tier', params.tier); }
    document.getElementById('f-unexpected').checked = params.unexpected === '1';
    document.getElementById('f-text').value = params.q || '';
    renderMatrix();
    if (params['case'] && byId[params['case']]) {
      showDetail(params['case'], parseInt(params.candidate || '0', 10) || 0);
    }
  }

  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { closeDetail(); } });
  // A failed case listed in the summary matrix links to `#case=...`: open it in place.
  window.addEventListener('hashchange', applyHash);
  renderOverview();
  fillFilters();
  applyHash();
})();
