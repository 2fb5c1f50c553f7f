// Osprey maze viewer: lists the caller's experiments, replays one on a canvas with the fog of what
// the agent has seen, and follows a running one live over Server-Sent Events. The API key stays
// in sessionStorage and goes out as a Bearer token; SSE is read with fetch() because EventSource
// cannot send an Authorization header.
'use strict';

const KEY_NAME = 'osprey_api_key';
const COLORS = { fog: '#1b1b1b', empty: '#e9e6dc', wall: '#3d4b57', goal: '#2f9e44',
  path: 'rgba(230, 120, 30, 0.55)', agent: '#d62828', start: '#1971c2', dim: 0.35 };
const CELL = { empty: 0, wall: 1, goal: 2 };

const $ = (id) => document.getElementById(id);
const view = {
  experiment: null,   // the experiment view
  grid: null,         // grid[y][x] of the maze, when the API returned it
  actions: [],        // actions ordered by step
  index: 0,           // how many actions are applied (0 = at the start)
  playing: false,
  stream: null,       // AbortController of the live stream
  timer: null,
};

function apiKey() { return sessionStorage.getItem(KEY_NAME) || ''; }

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (apiKey()) headers.Authorization = 'Bearer ' + apiKey();
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!response.ok) {
    const message = body && body.error ? body.error.code + ': ' + body.error.message : text;
    throw new Error('HTTP ' + response.status + ' ' + message);
  }
  return body;
}

// --- API key -------------------------------------------------------------------------------

function showKeyState() {
  $('key-state').textContent = apiKey() ? 'key set' : 'no key: enter an Osprey API key';
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY_NAME, $('api-key').value.trim());
  $('api-key').value = '';
  showKeyState();
  loadList();
});
$('key-forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_NAME);
  showKeyState();
});

// --- experiment list -------------------------------------------------------------------------

function listQuery() {
  const q = new URLSearchParams();
  if ($('f-model').value.trim()) q.set('model', $('f-model').value.trim());
  if ($('f-outcome').value) q.set('outcome', $('f-outcome').value);
  if ($('f-state').value) q.set('state', $('f-state').value);
  if ($('f-comment').value.trim()) q.set('comment', $('f-comment').value.trim());
  const config = $('f-config').value.trim();
  if (config.includes('=')) {
    const eq = config.indexOf('=');
    let name = config.slice(0, eq).trim();
    if (!name.startsWith('model_config.')) name = 'model_config.' + name;
    q.set(name, config.slice(eq + 1).trim());
  }
  q.set('limit', '200');
  return q.toString();
}

function cellText(text) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  return td;
}

async function loadList() {
  $('list-error').textContent = '';
  if (!apiKey()) return;
  try {
    const list = await api('/v1/experiments?' + listQuery());
    const body = document.querySelector('#experiments tbody');
    body.replaceChildren();
    for (const exp of list.data) {
      const tr = document.createElement('tr');
      tr.dataset.id = exp.id;
      if (view.experiment && view.experiment.id === exp.id) tr.classList.add('selected');
      const metrics = exp.metrics || {};
      const config = exp.model_config || {};
      tr.append(cellText(exp.id), cellText(exp.model || config.model), cellText(mazeLabel(exp)),
        cellText(exp.outcome ? exp.state + ' / ' + exp.outcome : exp.state),
        cellText(metrics.successful_moves !== undefined ? metrics.successful_moves : metrics.moves),
        cellText(exp.comment));
      tr.addEventListener('click', () => openExperiment(exp.id));
      body.append(tr);
    }
  } catch (e) {
    $('list-error').textContent = e.message;
  }
}

function mazeLabel(exp) {
  const m = exp.maze || {};
  return m.ref || m.name || '';
}

$('filters').addEventListener('submit', (e) => { e.preventDefault(); loadList(); });

// --- one experiment ------------------------------------------------------------------------

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

async function openExperiment(id) {
  stopLive();
  pause();
  $('detail-error').textContent = '';
  document.querySelectorAll('#experiments tbody tr').forEach((tr) =>
    tr.classList.toggle('selected', tr.dataset.id === String(id)));
  try {
    const exp = await api('/v1/experiments/' + encodeURIComponent(id));
    view.experiment = exp;
    view.grid = gridOf(exp.maze);
    view.actions = (exp.actions || []).slice().sort((a, b) => stepOf(a) - stepOf(b));
    view.index = view.actions.length;
    setupSlider();
    showExperiment();
    render();
    if (!FINISHED.has(exp.state)) startLive(exp.id);
  } catch (e) {
    $('detail-error').textContent = e.message;
  }
}

function gridOf(maze) {
  if (!maze) return null;
  const grid = maze.grid || maze.grid_data;
  return Array.isArray(grid) && grid.length && Array.isArray(grid[0]) ? grid : null;
}

function stepOf(action) {
  const s = action.step_number !== undefined ? action.step_number : action.step;
  return Number(s) || 0;
}

function showExperiment() {
  const exp = view.experiment;
  const config = exp.model_config || {};
  $('exp-title').textContent = 'Experiment ' + exp.id + ' - ' + (config.model || exp.agent || '') +
    ' on ' + mazeLabel(exp) + (exp.comment ? ' - ' + exp.comment : '');
  $('exp-state').textContent = exp.outcome ? exp.state + ' (' + exp.outcome + ')' : exp.state;
  $('metrics').textContent = exp.metrics ? JSON.stringify(exp.metrics, null, 1) : '';
}

function setupSlider() {
  const slider = $('step-slider');
  const atEnd = Number(slider.value) >= Number(slider.max);
  slider.max = String(view.actions.length);
  if (atEnd) slider.value = String(view.index);
}

$('step-slider').addEventListener('input', () => {
  pause();
  view.index = Number($('step-slider').value);
  render();
});
$('reveal').addEventListener('change', () => render());

function play() {
  if (view.index >= view.actions.length) view.index = 0;
  view.playing = true;
  $('play').textContent = 'Pause';
  const tick = () => {
    if (!view.playing) return;
    if (view.index < view.actions.length) {
      view.index += 1;
      $('step-slider').value = String(view.index);
      render();
    }
    if (view.index >= view.actions.length && !view.stream) { pause(); return; }
    view.timer = setTimeout(tick, Number($('speed').value));
  };
  tick();
}

function pause() {
  view.playing = false;
  clearTimeout(view.timer);
  $('play').textContent = 'Play';
}

$('play').addEventListener('click', () => (view.playing ? pause() : play()));

// --- drawing -------------------------------------------------------------------------------

function cellValue(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in CELL) return CELL[v];
  return CELL.empty;
}

// tiles_seen as [{x, y, v}], whatever shape the action carries: a list of {x, y, type|cell}, a
// list of [x, y, cell], or an object grouped by kind ({"empty": [[x, y]...], "wall": ...}).
function tilesOf(action) {
  const seen = action.tiles_seen;
  const out = [];
  const push = (x, y, v) => { if (Number.isInteger(x) && Number.isInteger(y)) out.push({ x, y, v }); };
  if (Array.isArray(seen)) {
    for (const t of seen) {
      if (Array.isArray(t)) push(t[0], t[1], cellValue(t[2]));
      else if (t && typeof t === 'object') push(t.x, t.y, cellValue(t.type ?? t.cell ?? t.value ?? t.kind));
    }
  } else if (seen && typeof seen === 'object') {
    for (const kind of Object.keys(seen)) {
      if (!Array.isArray(seen[kind])) continue;
      for (const p of seen[kind]) {
        if (Array.isArray(p)) push(p[0], p[1], cellValue(kind));
        else if (p && typeof p === 'object') push(p.x, p.y, cellValue(kind));
      }
    }
  }
  return out;
}

function positionOf(action) {
  const to = action.to || action.to_position;
  if (to && Number.isInteger(to.x)) return to;
  if (Number.isInteger(action.to_x)) return { x: action.to_x, y: action.to_y };
  const from = action.from || action.from_position;
  if (from && Number.isInteger(from.x)) return from;
  return null;
}

function startOf(exp) {
  const s = exp.start || (exp.model_config || {}).start;
  return s && Number.isInteger(s.x) ? s : { x: 2, y: 2 };
}

function render() {
  const exp = view.experiment;
  if (!exp) return;
  const grid = view.grid;
  const canvas = $('maze');
  const ctx = canvas.getContext('2d');
  let width = grid ? grid[0].length : 0;
  let height = grid ? grid.length : 0;
  const seen = new Map();  // "x,y" -> cell value
  const visits = [];
  let pos = startOf(exp);
  visits.push(pos);
  for (let i = 0; i < view.index && i < view.actions.length; ++i) {
    const a = view.actions[i];
    for (const t of tilesOf(a)) seen.set(t.x + ',' + t.y, t.v);
    const p = positionOf(a);
    if (p) { pos = p; visits.push(p); }
  }
  seen.set(pos.x + ',' + pos.y, seen.get(pos.x + ',' + pos.y) ?? CELL.empty);
  for (const key of seen.keys()) {
    const [x, y] = key.split(',').map(Number);
    width = Math.max(width, x + 1);
    height = Math.max(height, y + 1);
  }
  width = Math.max(width, 1);
  height = Math.max(height, 1);
  const size = Math.max(2, Math.floor(Math.min(600 / width, 600 / height)));
  canvas.width = width * size;
  canvas.height = height * size;
  const reveal = $('reveal').checked && grid;
  const fill = { [CELL.empty]: COLORS.empty, [CELL.wall]: COLORS.wall, [CELL.goal]: COLORS.goal };
  ctx.fillStyle = COLORS.fog;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (reveal) {
    ctx.globalAlpha = COLORS.dim;
    for (let y = 0; y < grid.length; ++y) {
      for (let x = 0; x < grid[y].length; ++x) {
        ctx.fillStyle = fill[grid[y][x]] || COLORS.empty;
        ctx.fillRect(x * size, y * size, size, size);
      }
    }
    ctx.globalAlpha = 1;
  }
  for (const [key, v] of seen) {
    const [x, y] = key.split(',').map(Number);
    ctx.fillStyle = fill[v] || COLORS.empty;
    ctx.fillRect(x * size, y * size, size, size);
  }
  ctx.fillStyle = COLORS.path;
  for (const p of visits) ctx.fillRect(p.x * size + size / 4, p.y * size + size / 4, size / 2, size / 2);
  const start = startOf(exp);
  ctx.strokeStyle = COLORS.start;
  ctx.strokeRect(start.x * size + 0.5, start.y * size + 0.5, size - 1, size - 1);
  ctx.fillStyle = COLORS.agent;
  ctx.beginPath();
  ctx.arc(pos.x * size + size / 2, pos.y * size + size / 2, Math.max(size / 2 - 0.5, 1.5), 0, 2 * Math.PI);
  ctx.fill();

  const current = view.index > 0 ? view.actions[view.index - 1] : null;
  $('step').textContent = view.index + ' / ' + view.actions.length;
  $('agent-pos').textContent = pos.x + ',' + pos.y;
  $('action').textContent = current
    ? current.action_type + (current.success === false ? ' (failed)' : '') : '-';
  $('reasoning').textContent = current && current.reasoning ? current.reasoning : '-';
}

// --- live updates ------------------------------------------------------------------------------

function stopLive() {
  if (view.stream) view.stream.abort();
  view.stream = null;
  $('live-badge').hidden = true;
}

// Reads one SSE response body, calling onEvent({event, id, data}) per event.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev = { event: 'message', id: '', data: [] };
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') ev.event = val;
        else if (field === 'id') ev.id = val;
        else if (field === 'data') ev.data.push(val);
      }
      ev.data = ev.data.join('\n');
      onEvent(ev);
    }
  }
}

// Follows a running experiment; reconnects with Last-Event-ID (the last step seen) when the
// connection drops, until the experiment finishes or another one is opened.
async function startLive(id) {
  const controller = new AbortController();
  view.stream = controller;
  $('live-badge').hidden = false;
  let finished = false;
  while (!finished && !controller.signal.aborted) {
    const headers = { Accept: 'text/event-stream' };
    if (apiKey()) headers.Authorization = 'Bearer ' + apiKey();
    const last = view.actions.length ? stepOf(view.actions[view.actions.length - 1]) : null;
    if (last !== null) headers['Last-Event-ID'] = String(last);
    try {
      const response = await fetch('/v1/experiments/' + encodeURIComponent(id) + '/events',
        { headers, signal: controller.signal });
      if (!response.ok) throw new Error('events: HTTP ' + response.status);
      await readEvents(response, (ev) => {
        if (ev.event === 'action') {
          const action = JSON.parse(ev.data);
          const known = view.actions.length ? stepOf(view.actions[view.actions.length - 1]) : -Infinity;
          if (stepOf(action) <= known) return;
          const follow = view.index >= view.actions.length;
          view.actions.push(action);
          if (follow) view.index = view.actions.length;
          setupSlider();
          render();
        } else if (ev.event === 'reset') {
          // A retry restarted the run from step 1.
          view.actions = [];
          view.index = 0;
          setupSlider();
          render();
        } else if (ev.event === 'state' || ev.event === 'done') {
          const actions = view.experiment.actions;
          view.experiment = Object.assign(JSON.parse(ev.data), { maze: view.experiment.maze, actions });
          showExperiment();
          if (ev.event === 'done') finished = true;
        }
      });
    } catch (e) {
      if (controller.signal.aborted) return;
      $('detail-error').textContent = e.message;
    }
    if (!finished) await new Promise((r) => setTimeout(r, 1000));
  }
  if (view.stream === controller) {
    view.stream = null;
    $('live-badge').hidden = true;
    loadList();
  }
}

showKeyState();
loadList();
const initial = new URLSearchParams(location.search).get('experiment');
if (initial) openExperiment(initial);
