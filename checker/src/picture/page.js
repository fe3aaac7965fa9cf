// Draws the picture from the JSON in #picture-data: one SVG for the lane labels, one (scrolling)
// for the timeline. Everything is laid out from a time-to-x mapping that the mode and zoom
// buttons change. The SVG is rebuilt as text, holding only what lies within a view's width of
// the visible part (scrolling redraws), so 20,000 operations cost no more than a few hundred.
(function () {
  'use strict';
  const started = performance.now();
  const data = JSON.parse(document.getElementById('picture-data').textContent);
  const labelsSvg = document.getElementById('labels');
  const svg = document.getElementById('timeline');
  const scroller = document.getElementById('scroll');
  const tip = document.getElementById('tip');
  const info = document.getElementById('info');

  // Sizes in pixels.
  const LABEL_W = 170, AXIS = 36, BAND_ROW = 16, MARK_ROW = 18, PEER_LANE = 22;
  const KEY_HEAD = 20, CLIENT_LANE = 24, BOX = 18, PAD = 12;
  const BAND_COLORS = ['150,90,200', '230,120,40', '40,140,200', '200,60,90', '60,160,90',
    '180,150,30', '100,100,100', '20,170,170'];

  // ---- time: every instant anything happens, and its x in each mode ----
  const times = [0, data.end];
  data.ops.forEach(function (o) { times.push(o.call, o.ret); });
  data.bands.forEach(function (b) { times.push(b.from, b.to); });
  data.peers.forEach(function (p) {
    p.segments.forEach(function (s) { times.push(s.from, s.to); });
  });
  data.marks.forEach(function (m) { times.push(m.time); });
  if (data.failure) times.push(data.failure.time);
  if (data.first_error) times.push(data.first_error.time);
  const instants = Float64Array.from(times).sort().filter(function (t, i, a) {
    return i === 0 || t !== a[i - 1];
  });
  let compressed = true;
  let zoom = 1;
  let xs = new Float64Array(instants.length);

  // Compressed: each gap between instants gets a few pixels plus a log of its length, so
  // order and rough proportions survive while idle seconds do not swamp busy microseconds.
  // A picture shorter than the view is stretched to fill it.
  function gap(dt) { return 6 + 10 * Math.log10(1 + dt / 1e4); }
  function available() { return Math.max(scroller.clientWidth - 2 * PAD - 40, 200); }
  function linearScale() { return zoom * available() / Math.max(data.end, 1); }
  function layoutX() {
    if (compressed) {
      xs[0] = 0;
      for (let i = 1; i < instants.length; i++) {
        xs[i] = xs[i - 1] + gap(instants[i] - instants[i - 1]);
      }
      const last = xs[xs.length - 1];
      const stretch = zoom * (last > 0 && last < available() ? available() / last : 1);
      for (let i = 0; i < instants.length; i++) xs[i] *= stretch;
    } else {
      const scale = linearScale();
      for (let i = 0; i < instants.length; i++) xs[i] = instants[i] * scale;
    }
  }
  // x of time t (an instant, or between two: interpolated).
  function x(t) {
    let lo = 0, hi = instants.length - 1;
    if (t <= instants[0]) return PAD + xs[0];
    if (t >= instants[hi]) return PAD + xs[hi];
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (instants[mid] <= t) lo = mid; else hi = mid;
    }
    if (instants[lo] === t) return PAD + xs[lo];
    const f = (t - instants[lo]) / (instants[hi] - instants[lo]);
    return PAD + xs[lo] + f * (xs[hi] - xs[lo]);
  }
  function secs(ns) {
    let s = (ns / 1e9).toFixed(9).replace(/0+$/, '');
    if (s.endsWith('.')) s += '0';
    return s + 's';
  }
  function span(from, to) {
    const d = to - from;
    const len = d >= 1e9 ? (d / 1e9).toFixed(3) + ' s' : d >= 1e6 ? (d / 1e6).toFixed(3) + ' ms'
      : (d / 1e3).toFixed(1) + ' µs';
    return secs(from) + ' – ' + secs(to) + ' (' + len + ')';
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fit(text, width) {
    const n = Math.floor((width - 6) / 6.6);
    if (n < 3) return '';
    const chars = Array.from(text);
    return chars.length <= n ? text : chars.slice(0, n - 1).join('') + '…';
  }

  // ---- rows, top to bottom ----
  const bandNames = [];
  data.bands.forEach(function (b) { if (bandNames.indexOf(b.name) < 0) bandNames.push(b.name); });
  const testerMarks = data.marks.filter(function (m) { return m.lane === 'main'; });
  const peerIndex = new Map();
  data.peers.forEach(function (p, i) { peerIndex.set(p.name, i); });
  const rows = [];  // {y, h, label, kind}
  let y = AXIS;
  bandNames.forEach(function (name) {
    rows.push({ y: y, h: BAND_ROW, label: name, kind: 'band' });
    y += BAND_ROW;
  });
  const bandsBottom = y;
  let markRowY = -1;
  if (testerMarks.length) {
    markRowY = y;
    rows.push({ y: y, h: MARK_ROW, label: 'tester', kind: 'marks' });
    y += MARK_ROW;
  }
  const peerY = [];
  data.peers.forEach(function (p) {
    peerY.push(y);
    rows.push({ y: y, h: PEER_LANE, label: p.name, kind: 'peer' });
    y += PEER_LANE;
  });
  const keyY = [];
  data.keys.forEach(function (k) {
    keyY.push(y);
    rows.push({ y: y, h: KEY_HEAD, label: 'key \'' + Array.from(k.name).slice(0, 16).join('') +
      (Array.from(k.name).length > 16 ? '…' : '') + '\'' +
      (k.verdict === 'NOT linearizable' ? ' ✗' : ''), kind: 'key' });
    y += KEY_HEAD;
    k.clients.forEach(function (c) {
      rows.push({ y: y, h: CLIENT_LANE, label: c === 18446744073709552000 ? 'tester' :
        'client ' + c, kind: 'client' });
      y += CLIENT_LANE;
    });
  });
  const height = y + 4;
  function opY(o) { return keyY[o.key] + KEY_HEAD + o.lane * CLIENT_LANE + (CLIENT_LANE - BOX) / 2; }

  const failing = new Set(data.first_error ? data.first_error.ops : []);
  const tips = [];
  function tipId(text) { tips.push(text); return tips.length - 1; }

  function opTip(o) {
    const lines = [o.label, 'client ' + (o.client === 18446744073709552000 ? 'tester' : o.client),
      'called and returned ' + span(o.call, o.ret)];
    if (o.meta) {
      const m = o.meta;
      const parts = [];
      if (m.server !== undefined) parts.push('answered by ' + m.server);
      if (m.term !== undefined) parts.push('in term ' + m.term);
      if (m.retries !== undefined) parts.push('after ' + m.retries + ' retr' + (m.retries === 1 ? 'y' : 'ies'));
      lines.push(parts.join(' '));
    }
    if (failing.has(o.slot)) lines.push('✗ linearization fails here: this cannot come next');
    return lines.join('\n');
  }
  data.ops.forEach(function (o, i) { o.slot = i; });

  // ---- drawing ----
  let drawnFrom = 0, drawnTo = 0;
  function draw() {
    layoutX();
    tips.length = 0;
    const width = PAD * 2 + xs[xs.length - 1] + 60;
    svg.setAttribute('width', width);
    const view = scroller.clientWidth;
    drawnFrom = scroller.scrollLeft - view;
    drawnTo = scroller.scrollLeft + 2 * view;
    function near(x0, x1) { return x1 >= drawnFrom && x0 <= drawnTo; }
    const out = [];
    out.push('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><rect width="6" height="6" fill="#777"/>' +
      '<line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="3"/></pattern></defs>');
    rows.forEach(function (r, i) {
      const cls = r.kind === 'key' ? 'lane head' : (i % 2 ? 'lane alt' : 'lane');
      out.push('<rect class="' + cls + '" x="0" y="' + r.y + '" width="' + width + '" height="' +
        r.h + '"/>');
    });
    // Fault bands: a washed stripe across everything, and a bar with its text in its row.
    data.bands.forEach(function (b, i) {
      const row = bandNames.indexOf(b.name);
      const color = BAND_COLORS[row % BAND_COLORS.length];
      const x0 = x(b.from), x1 = Math.max(x(b.to), x0 + 2);
      const t = tipId(b.name + ': ' + b.text + '\n' + span(b.from, b.to) + '\n' + b.details.join('\n'));
      out.push('<rect class="bandwash" data-band="' + i + '" x="' + x0 + '" y="' + bandsBottom +
        '" width="' + (x1 - x0) + '" height="' + (height - bandsBottom) + '" fill="rgba(' + color +
        ',.13)"/>');
      out.push('<g class="bandbar" data-tip="' + t + '"><rect x="' + x0 + '" y="' + (AXIS + row * BAND_ROW + 1) +
        '" width="' + (x1 - x0) + '" height="' + (BAND_ROW - 2) + '" fill="rgba(' + color + ',.55)"/>' +
        '<text x="' + (x0 + 3) + '" y="' + (AXIS + row * BAND_ROW + 12) + '">' +
        esc(fit(b.text, x1 - x0)) + '</text></g>');
    });
    // The axis: labels at least 110 px apart, at instants (compressed) or round times (linear).
    out.push('<g class="axis">');
    if (compressed) {
      let last = -1e9;
      for (let i = 0; i < instants.length; i++) {
        const px = PAD + xs[i];
        if (px - last >= 110) {
          out.push('<line x1="' + px + '" x2="' + px + '" y1="22" y2="' + AXIS + '"/>' +
            '<text x="' + (px + 2) + '" y="18">' + secs(instants[i]) + '</text>');
          last = px;
        }
      }
    } else {
      const scale = linearScale();
      let step = 1;
      while (step * scale < 110) step *= (String(step)[0] === '2' ? 2.5 : 2);
      for (let t = 0; t <= data.end; t += step) {
        const px = x(t);
        out.push('<line x1="' + px + '" x2="' + px + '" y1="22" y2="' + AXIS + '"/>' +
          '<text x="' + (px + 2) + '" y="18">' + secs(t) + '</text>');
      }
    }
    out.push('</g>');
    // The tester's point annotations.
    testerMarks.forEach(function (m) {
      const px = x(m.time);
      if (!near(px, px)) return;
      const t = tipId(m.details.join('\n'));
      out.push('<g class="mark" data-tip="' + t + '"><path d="M' + (px - 5) + ',' + (markRowY + 3) +
        'h10l-5,8z"/><rect x="' + (px - 6) + '" y="' + markRowY + '" width="12" height="' + MARK_ROW +
        '" fill="transparent"/></g>');
    });
    // Peers: role segments, then their own annotations.
    data.peers.forEach(function (p, pi) {
      const py = peerY[pi] + 2;
      p.segments.forEach(function (s) {
        const x0 = x(s.from), x1 = Math.max(x(s.to), x0 + 1);
        if (!near(x0, x1)) return;
        const known = ['leader', 'candidate', 'follower', 'down'].indexOf(s.role) >= 0;
        const name = s.term === null ? s.role : s.role + ' in term ' + s.term;
        const t = tipId(p.name + ': ' + name + '\n' + span(s.from, s.to));
        const text = s.role === 'down' ? 'down' : (s.term === null ? '' : 'T' + s.term) +
          (s.role === 'leader' ? ' leader' : s.role === 'candidate' ? ' cand.' : '');
        out.push('<g class="seg ' + (known ? s.role : 'other') + '" data-tip="' + t + '"><rect x="' +
          x0 + '" y="' + py + '" width="' + (x1 - x0) + '" height="' + (PEER_LANE - 4) + '"/>' +
          '<text x="' + (x0 + 3) + '" y="' + (py + 13) + '">' + esc(fit(text, x1 - x0)) + '</text></g>');
      });
    });
    data.marks.forEach(function (m) {
      if (m.lane === 'main' || !peerIndex.has(m.lane)) return;
      const px = x(m.time), py = peerY[peerIndex.get(m.lane)] + PEER_LANE / 2;
      if (!near(px, px)) return;
      const t = tipId(m.details.join('\n'));
      out.push('<g class="mark peer" data-tip="' + t + '"><path d="M' + px + ',' + (py - 6) + 'l5,6l-5,6l-5,-6z"/></g>');
    });
    // Keys and their operations.
    data.keys.forEach(function (k, ki) {
      out.push('<text class="keyhead" x="' + (PAD + 4) + '" y="' + (keyY[ki] + 14) + '">' +
        esc(k.verdict + ' — ' + k.clients.length + ' client(s)') + '</text>');
    });
    data.ops.forEach(function (o) {
      const bad = failing.has(o.slot);
      const x0 = x(o.call), x1 = Math.max(x(o.ret), x0 + (bad ? 12 : 6));
      if (!near(x0, x1)) return;
      const oy = opY(o);
      const w = x1 - x0;
      out.push('<g class="op' + (bad ? ' fail' : '') + '" data-op="' + o.slot +
        '"><rect x="' + x0 + '" y="' + oy + '" width="' + w + '" height="' + BOX + '" rx="3"/>' +
        (w >= 30 ? '<text x="' + (x0 + 3) + '" y="' + (oy + 13) + '">' + esc(fit(o.label, w)) + '</text>' : '') +
        '</g>');
    });
    // Where it failed.
    if (data.first_error) {
      const px = x(data.first_error.time);
      out.push('<line class="linfail" id="linfail" x1="' + px + '" x2="' + px + '" y1="' + AXIS + '" y2="' +
        height + '"/><text class="failtext" text-anchor="end" x="' + (px - 4) + '" y="' + (AXIS - 2) +
        '">linearization fails</text>');
    }
    if (data.failure) {
      const px = x(data.failure.time);
      const t = tipId('the run failed at ' + secs(data.failure.time) + ':\n' + data.failure.message);
      out.push('<g data-tip="' + t + '"><line class="failline" id="failline" x1="' + px + '" x2="' + px +
        '" y1="0" y2="' + height + '"/><rect x="' + (px - 4) + '" y="0" width="8" height="' + height +
        '" fill="transparent"/></g><text class="failtext" text-anchor="end" x="' + (px - 4) +
        '" y="' + (height - 6) + '">failed here</text>');
    }
    out.push('<g id="lin"></g>');
    svg.setAttribute('height', height);
    svg.innerHTML = out.join('');

    const labels = [];
    rows.forEach(function (r) {
      labels.push('<text class="' + (r.kind === 'key' ? 'keyname' : '') + '" x="6" y="' +
        (r.y + r.h / 2 + 4) + '">' + esc(r.label) + '</text>');
    });
    labelsSvg.setAttribute('width', LABEL_W);
    labelsSvg.setAttribute('height', height);
    labelsSvg.innerHTML = '<text x="6" y="18" font-weight="bold">virtual time →</text>' + labels.join('');
    if (pinned !== null) showOp(pinned);
  }

  // ---- partial linearizations (for the operation under the mouse) ----
  let pinned = null;
  function initial() { return data.versioned ? { value: '', version: 0 } : ''; }
  function apply(state, op) {
    if (data.versioned) {
      if (op.kind === 'put' && op.version === state.version) {
        return { value: op.value, version: state.version + 1 };
      }
      return state;
    }
    if (op.kind === 'put') return op.value;
    if (op.kind === 'append') return state + op.value;
    return state;
  }
  function abbrev(s, max) {
    const chars = Array.from(s);
    if (chars.length <= max) return s;
    const head = Math.floor(max / 4);
    return chars.slice(0, head).join('') + '…[' + chars.length + ' chars]…' +
      chars.slice(chars.length - (max - head)).join('');
  }
  function describe(state, max) {
    if (data.versioned) return '(\'' + abbrev(state.value, max) + '\', ' + state.version + ')';
    return '\'' + abbrev(state, max) + '\'';
  }
  function path(key, node) {
    const out = [];
    while (node >= 0) { out.push(key.nodes[node][1]); node = key.nodes[node][0]; }
    return out.reverse();
  }
  function box(slot) { return svg.querySelector('g.op[data-op="' + slot + '"]'); }
  function mark(layer, cls, px, op, text, tipText) {
    const oy = opY(op);
    const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    g.setAttribute('class', cls);
    g.dataset.tip = tipId(tipText);
    g.innerHTML = '<line x1="' + px + '" x2="' + px + '" y1="' + (oy - 3) + '" y2="' + (oy + BOX + 3) +
      '"/><circle cx="' + px + '" cy="' + (oy - 4) + '" r="6"/><text x="' + px + '" y="' + (oy - 1) +
      '" text-anchor="middle">' + esc(text) + '</text>';
    layer.appendChild(g);
  }
  function clear() {
    const layer = document.getElementById('lin');
    if (layer) layer.replaceChildren();
    info.textContent = '';
    svg.querySelectorAll('g.op.in-lp, g.op.illegal, g.op.selected').forEach(function (g) {
      g.classList.remove('in-lp', 'illegal', 'selected');
    });
  }
  function show(ki, node, sel) {
    clear();
    const key = data.keys[ki];
    const layer = document.getElementById('lin');
    const lines = [];
    if (sel !== null) {
      const b = box(sel);
      if (b) b.classList.add('selected');
      lines.push('Selected: ' + data.ops[sel].label);
    }
    if (!key.partials) {
      lines.push('The checker kept no partial linearizations for this key.');
      info.textContent = lines.join('\n');
      return;
    }
    if (node === null) {
      lines.push('No linearizable prefix found contains this operation.');
      info.textContent = lines.join('\n');
      return;
    }
    const ops = path(key, node);
    lines.push('Longest linearizable prefix found through it: ' + ops.length + ' operations.');
    let state = initial();
    let px = -Infinity;
    ops.forEach(function (slot, i) {
      const op = data.ops[slot];
      state = apply(state, op);
      px = Math.min(Math.max(px + 3, x(op.call) + 4), x(op.ret) - 2);
      mark(layer, 'lp', px, op, String(i + 1),
        'step ' + (i + 1) + ': ' + op.label + '\nstate after: ' + describe(state, 400));
      const b = box(slot);
      if (b) b.classList.add('in-lp');
      lines.push((i + 1) + '. ' + op.label + '  =>  ' + describe(state, 120));
    });
    (key.illegal_next[String(node)] || []).forEach(function (slot) {
      const op = data.ops[slot];
      const bx = Math.min(Math.max(px + 3, x(op.call) + 4), x(op.ret) - 2);
      mark(layer, 'bad', bx, op, '✗', 'cannot come next: ' + op.label + '\nthe state is ' +
        describe(state, 400));
      const b = box(slot);
      if (b) b.classList.add('illegal');
      lines.push('✗ could come next but is illegal: ' + op.label);
    });
    info.textContent = lines.join('\n');
  }
  function showOp(slot) {
    const op = data.ops[slot];
    const node = data.keys[op.key].longest[String(slot)];
    show(op.key, node === undefined || node < 0 ? null : node, slot);
  }

  // ---- events ----
  function target(e) {
    return e.target.closest ? e.target.closest('[data-tip], g.op') : null;
  }
  svg.addEventListener('mouseover', function (e) {
    const t = target(e);
    if (!t) return;
    if (t.dataset.op !== undefined) {
      const slot = Number(t.dataset.op);
      tip.textContent = opTip(data.ops[slot]);
      if (pinned === null) showOp(slot);
    } else {
      tip.textContent = tips[Number(t.dataset.tip)];
    }
    tip.hidden = false;
  });
  svg.addEventListener('mousemove', function (e) {
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 360) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  });
  svg.addEventListener('mouseout', function (e) {
    const t = target(e);
    if (!t) return;
    tip.hidden = true;
    if (t.dataset.op !== undefined && pinned === null) clear();
  });
  svg.addEventListener('click', function (e) {
    const t = target(e);
    if (!t || t.dataset.op === undefined) return;
    const slot = Number(t.dataset.op);
    pinned = pinned === slot ? null : slot;
    if (pinned === null) clear(); else showOp(pinned);
  });
  function redraw(change) {
    // Keep the time at the middle of the view in the middle.
    const mid = scroller.scrollLeft + scroller.clientWidth / 2;
    let i = 0;
    while (i < xs.length - 1 && PAD + xs[i + 1] <= mid) i++;
    const t = instants[i];
    change();
    layoutX();
    svg.setAttribute('width', PAD * 2 + xs[xs.length - 1] + 60);
    scroller.scrollLeft = x(t) - scroller.clientWidth / 2;
    draw();
    record();
  }
  document.getElementById('mode').addEventListener('click', function (e) {
    redraw(function () {
      compressed = !compressed;
      e.target.textContent = compressed ? 'linear time' : 'compressed time';
    });
  });
  document.getElementById('zoom-in').addEventListener('click', function () {
    redraw(function () { zoom *= 1.6; });
  });
  document.getElementById('zoom-out').addEventListener('click', function () {
    redraw(function () { zoom /= 1.6; });
  });
  const failTime = data.first_error ? data.first_error.time : data.failure ? data.failure.time : null;
  const jump = document.getElementById('jump');
  function jumpToFailure() {
    scroller.scrollLeft = Math.max(0, x(failTime) - scroller.clientWidth * 0.6);
    draw();
    const first = data.first_error && data.first_error.ops.length ? box(data.first_error.ops[0]) : null;
    if (first) {
      const r = first.getBoundingClientRect();
      if (r.bottom > window.innerHeight || r.top < 0) window.scrollBy(0, r.top - window.innerHeight / 2);
    }
  }
  if (failTime !== null) {
    jump.hidden = false;
    jump.addEventListener('click', function () { jumpToFailure(); record(); });
  }

  // Where the things a test looks for are, in viewport pixels: each element's box as far as it
  // can be seen (inside the scrolled view and the window); unseen ones are left out.
  function rect(el) {
    const r = el.getBoundingClientRect();
    const v = scroller.getBoundingClientRect();
    // A vertical line's box has no width; its stroke has two pixels.
    const grow = r.width < 1 ? 1 : 0;
    const left = Math.max(r.left - grow, v.left, 0);
    const right = Math.min(r.right + grow, v.right, window.innerWidth);
    const top = Math.max(r.top, v.top, 0), bottom = Math.min(r.bottom, v.bottom, window.innerHeight);
    if (right - left < 1 || bottom - top < 1) return null;
    return { x: Math.round(left), y: Math.round(top), w: Math.floor(right - left),
      h: Math.floor(bottom - top) };
  }
  function seen(list) { return list.filter(function (r) { return r !== null; }); }
  function record() {
    const line = function (id) { const el = document.getElementById(id); return el ? rect(el) : null; };
    const layout = {
      mode: compressed ? 'compressed' : 'linear',
      width: Number(svg.getAttribute('width')),
      height: Number(svg.getAttribute('height')),
      ops: data.ops.length,
      drawn_ops: svg.querySelectorAll('g.op').length,
      keys: data.keys.length,
      failing: seen(Array.from(svg.querySelectorAll('g.op.fail rect')).map(rect)),
      bands: seen(Array.from(svg.querySelectorAll('rect.bandwash')).map(function (r) {
        const b = data.bands[Number(r.dataset.band)];
        const box = rect(r);
        return box && Object.assign({ name: b.name, text: b.text }, box);
      })),
      peers: seen(Array.from(svg.querySelectorAll('g.seg rect')).map(function (r) {
        const box = rect(r);
        return box && Object.assign({ role: r.parentNode.classList[1] }, box);
      })),
      failline: line('failline'),
      linfail: line('linfail'),
      scroll: { left: Math.round(scroller.scrollLeft), top: Math.round(window.scrollY) },
    };
    document.body.dataset.layout = JSON.stringify(layout);
  }

  // Scrolling past what is drawn draws again, once per frame.
  let pending = false;
  scroller.addEventListener('scroll', function () {
    const left = scroller.scrollLeft, right = left + scroller.clientWidth;
    if ((left >= drawnFrom && right <= drawnTo) || pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); record(); });
  });
  const parsed = performance.now();
  draw();
  const drawn = performance.now();
  if (failTime !== null) jumpToFailure();
  record();
  document.body.dataset.timings = JSON.stringify({
    parse: Math.round(parsed - started),
    draw: Math.round(drawn - parsed),
    layout: Math.round(performance.now() - drawn),
  });
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  // Since navigation began: reading, parsing and drawing the page.
  document.body.dataset.loadedMs = String(Math.round(performance.now()));
})();
